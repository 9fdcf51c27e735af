/**
 * Faults on the way to a connection, on loopback, each named with what a connect() caller
 * sees and how soon: a socket (and on which family), or a typed error (DnsError,
 * AllAttemptsFailedError with each attempt's code and phase, TimeoutError) within a bound.
 * DNS comes from a real Resolver and a loopback server. docs/hardening.md lists them.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import t from 'tap';
import { connect } from '../../lib/connect.js';
import { Resolver } from '../../lib/resolver.js';
import { blackHoleBesideServer, listen, startBlackHole } from '../helpers/black-hole.js';
import { closedPort } from '../helpers/closed-port.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { closeServer, dualListen } from '../helpers/race-loopback.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/tls/${name}`, import.meta.url));
const ca = fixture('ca.pem');
const good = { key: fixture('server-key.pem'), cert: fixture('server.pem') };
const selfSigned = { key: fixture('self-signed-key.pem'), cert: fixture('self-signed.pem') };

const dns = await FakeDnsServer.start({ zones: fixtureZones() });
const NAME = 'dual.example.test';
const OTHER = 'dual.other.test'; // not a name in the test certificate
for (const name of [NAME, OTHER]) {
  dns.setRecords(name, 'AAAA', ['::1'], 60);
  dns.setRecords(name, 'A', ['127.0.0.1'], 60);
}
dns.setRecords('v4.example.test', 'A', ['127.0.0.1'], 60);
t.teardown(() => dns.close());

interface Lab {
  port: number;
  close(): Promise<void>;
}

/** Plain TCP on both families; `refuse` closes one family's side (its connects are refused). */
async function plain(refuse?: 4 | 6 | 'both'): Promise<Lab> {
  const { v6, v4, port } = await dualListen(() => net.createServer((socket) => socket.destroy()));
  if (refuse === 6 || refuse === 'both') await closeServer(v6);
  if (refuse === 4 || refuse === 'both') await closeServer(v4);
  return { port, close: async () => void (await Promise.allSettled([closeServer(v6), closeServer(v4)])) };
}

/** TLS on both families with these credentials; 'silent' never answers the handshake, 'reset' resets it. */
async function secure(credentials: { key: Buffer; cert: Buffer }, misbehave?: 'silent' | 'reset'): Promise<Lab> {
  const held: net.Socket[] = [];
  const make = (): net.Server => {
    if (misbehave) {
      return net.createServer((socket) => {
        held.push(socket);
        socket.on('error', () => {});
        if (misbehave === 'reset') socket.once('data', () => socket.resetAndDestroy());
      });
    }
    const server = tls.createServer(credentials, (socket) => void held.push(socket));
    server.on('tlsClientError', () => {});
    return server;
  };
  const { v6, v4, port } = await dualListen(make);
  return { port, close: async () => void (await Promise.all([closeServer(v6, held), closeServer(v4)])) };
}

/** IPv6 black-holed (SYNs dropped), IPv4 accepting. */
async function holedV6(): Promise<Lab> {
  const { hole, server, port } = await blackHoleBesideServer((p) =>
    listen(
      net.createServer((s) => s.destroy()),
      '127.0.0.1',
      p,
    ),
  );
  return { port, close: async () => void (await Promise.all([closeServer(server), hole.close()])) };
}

/** The only address (127.0.0.1) black-holed. */
async function holedAll(): Promise<Lab> {
  const hole = await startBlackHole({ host: '127.0.0.1' });
  return { port: hole.port, close: () => hole.close() };
}

interface Row {
  fault: string;
  host?: string;
  lab: () => Promise<Lab>;
  /** The DNS server's behaviour for (host, type) during the row. */
  dnsFault?: { type: 'A' | 'AAAA'; rcode?: 'SERVFAIL'; drop?: 'all' };
  options?: { tls?: tls.ConnectionOptions | true; timeout?: number };
  resolverServers?: () => Promise<string[]>;
  /** A socket to this address, or an error matching this shape. */
  outcome: { address: string } | { error: Record<string, unknown> };
  within: [number, number];
}

const refused = (family: 4 | 6, phase = 'tcp', code = 'ECONNREFUSED') => ({ address: family === 6 ? '::1' : '127.0.0.1', phase, code });

const ROWS: Row[] = [
  {
    fault: 'AAAA query unanswered, A answers',
    lab: () => plain(),
    dnsFault: { type: 'AAAA', drop: 'all' },
    outcome: { address: '127.0.0.1' },
    within: [0, 1000],
  },
  { fault: 'A query SERVFAIL, AAAA answers', lab: () => plain(), dnsFault: { type: 'A', rcode: 'SERVFAIL' }, outcome: { address: '::1' }, within: [0, 500] },
  {
    fault: 'name does not exist',
    host: 'missing.example.test',
    lab: () => plain(),
    outcome: { error: { name: 'DnsError', code: 'ENOTFOUND' } },
    within: [0, 500],
  },
  {
    fault: 'DNS server down',
    lab: () => plain(),
    resolverServers: async () => [`127.0.0.1:${(await closedPort()).port}`],
    outcome: { error: { name: 'DnsError', code: 'ECONNREFUSED' } },
    within: [0, 250],
  },
  { fault: 'IPv6 refused, IPv4 accepts (R17: at once)', lab: () => plain(6), outcome: { address: '127.0.0.1' }, within: [0, 200] },
  {
    fault: 'every address refused',
    lab: () => plain('both'),
    outcome: { error: { name: 'AllAttemptsFailedError', errors: [refused(6), refused(4)] } },
    within: [0, 500],
  },
  { fault: 'IPv6 black-holed, IPv4 accepts (after the 250 ms attempt delay)', lab: holedV6, outcome: { address: '127.0.0.1' }, within: [240, 1500] },
  {
    fault: 'every address black-holed, timeout 600 ms',
    host: 'v4.example.test',
    lab: holedAll,
    options: { timeout: 600 },
    outcome: { error: { name: 'TimeoutError', code: 'ERR_HE_TIMEOUT' } },
    within: [590, 1500],
  },
  {
    fault: 'TLS certificate for other names',
    host: OTHER,
    lab: () => secure(good),
    options: { tls: { ca } },
    outcome: {
      error: { name: 'AllAttemptsFailedError', errors: [refused(6, 'tls', 'ERR_TLS_CERT_ALTNAME_INVALID'), refused(4, 'tls', 'ERR_TLS_CERT_ALTNAME_INVALID')] },
    },
    within: [0, 1000],
  },
  {
    fault: 'TLS certificate self-signed',
    lab: () => secure(selfSigned),
    options: { tls: { ca } },
    outcome: {
      error: { name: 'AllAttemptsFailedError', errors: [refused(6, 'tls', 'DEPTH_ZERO_SELF_SIGNED_CERT'), refused(4, 'tls', 'DEPTH_ZERO_SELF_SIGNED_CERT')] },
    },
    within: [0, 1000],
  },
  {
    fault: 'TLS certificate from an unknown CA (no ca given)',
    lab: () => secure(good),
    options: { tls: true },
    outcome: {
      error: {
        name: 'AllAttemptsFailedError',
        errors: [refused(6, 'tls', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'), refused(4, 'tls', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')],
      },
    },
    within: [0, 1000],
  },
  {
    fault: 'TLS handshake reset by the server',
    lab: () => secure(good, 'reset'),
    options: { tls: { ca } },
    outcome: { error: { name: 'AllAttemptsFailedError', errors: [refused(6, 'tls', 'ECONNRESET'), refused(4, 'tls', 'ECONNRESET')] } },
    within: [0, 1000],
  },
  {
    fault: 'TLS handshake never answered, timeout 800 ms',
    lab: () => secure(good, 'silent'),
    options: { tls: { ca }, timeout: 800 },
    outcome: { error: { name: 'TimeoutError', code: 'ERR_HE_TIMEOUT' } },
    within: [790, 2000],
  },
];

for (const row of ROWS) {
  t.test(`fault: ${row.fault} → ${describe(row.outcome)} in ${row.within[0]}-${row.within[1]} ms`, async (t) => {
    const lab = await row.lab();
    const host = row.host ?? NAME;
    if (row.dnsFault) dns.setBehaviour(host, row.dnsFault.type, { rcode: row.dnsFault.rcode, drop: row.dnsFault.drop });
    const servers = row.resolverServers ? await row.resolverServers() : [dns.server];
    const resolver = new Resolver({ servers, resolvConf: false, hosts: false, timeout: 300, attempts: 2, cache: false });
    const started = performance.now();
    const result = await connect({ host, port: lab.port, resolver, ...row.options }).then(
      (socket) => {
        const address = socket.remoteAddress;
        socket.destroy();
        return { address };
      },
      (error: unknown) => ({ error }),
    );
    const ms = performance.now() - started;
    t.match(result, row.outcome);
    t.ok(ms >= row.within[0] && ms <= row.within[1], `took ${ms.toFixed(0)} ms`);
    resolver.close();
    if (row.dnsFault) dns.setBehaviour(host, row.dnsFault.type, undefined);
    await lab.close();
  });
}

function describe(outcome: Row['outcome']): string {
  if ('address' in outcome) return `a socket to ${outcome.address}`;
  const { name, code, errors } = outcome.error as { name: string; code?: string; errors?: Array<{ phase: string; code: string }> };
  const each = errors ? ` (${errors.map((e) => `${e.phase} ${e.code}`).join(', ')})` : '';
  return `${name}${code ? ` ${code}` : ''}${each}`;
}
