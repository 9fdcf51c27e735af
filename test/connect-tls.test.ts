import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import t from 'tap';
import { connect, type RaceEvent } from '../lib/connect.js';
import { AllAttemptsFailedError } from '../lib/errors.js';
import { listen } from './helpers/black-hole.js';
import { simpleOrder } from './helpers/race-fakes.js';
import { closeServer, dualListen } from './helpers/race-loopback.js';
import { MemoryResolver } from './helpers/race-resolver.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../fixtures/tls/${name}`, import.meta.url));
const ca = fixture('ca.pem');
const good = { key: fixture('server-key.pem'), cert: fixture('server.pem') };
const selfSigned = { key: fixture('self-signed-key.pem'), cert: fixture('self-signed.pem') };

/** A TLS server that records the SNI name of each handshake and holds the connections. */
function tlsServer(credentials: { key: Buffer; cert: Buffer }) {
  const held: net.Socket[] = [];
  const names: Array<string | false> = [];
  const server = tls.createServer(credentials, (socket) => {
    names.push(socket.servername ?? false);
    held.push(socket);
  });
  server.on('tlsClientError', () => {});
  return { server, held, names };
}

const zone = { 'www.example.test': { AAAA: { addresses: ['::1'] }, A: { addresses: ['127.0.0.1'] } }, 'wrong.invalid': { A: { addresses: ['127.0.0.1'] } } };

t.test('V5: TLS to a name: success means the handshake is done, with SNI = host', async (t) => {
  const v4 = tlsServer(good);
  await listen(v4.server, '127.0.0.1', 0);
  const { port } = v4.server.address() as net.AddressInfo;
  t.teardown(() => closeServer(v4.server, v4.held));
  const events: RaceEvent[] = [];
  const accepted = once(v4.server, 'secureConnection');
  const socket = await connect({ host: 'www.example.test', port, family: 4, resolver: new MemoryResolver(zone), tls: { ca }, onEvent: (e) => events.push(e) });
  await accepted;
  t.type(socket, tls.TLSSocket);
  t.equal(socket.authorized, true);
  t.equal(socket.remoteAddress, '127.0.0.1');
  t.same(v4.names, ['www.example.test']);
  t.same(
    events.map((e) => e.type),
    ['dns:https', 'dns', 'attempt:start', 'attempt:connected', 'attempt:success', 'race:end'],
  );
  socket.destroy();
});

t.test('TLS to an IP literal: no SNI, the certificate is checked against the IP', async (t) => {
  const v6 = tlsServer(good);
  await listen(v6.server, '::1', 0);
  const { port } = v6.server.address() as net.AddressInfo;
  t.teardown(() => closeServer(v6.server, v6.held));
  const accepted = once(v6.server, 'secureConnection');
  const socket = await connect({ host: '::1', port, tls: { ca } });
  await accepted;
  t.equal(socket.authorized, true);
  t.same(v6.names, [false]);
  socket.destroy();
});

const badCases: Array<[string, string, Record<string, unknown>, string]> = [
  ['an untrusted self-signed certificate', 'www.example.test', { tls: { ca }, credentials: selfSigned }, 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  ['a certificate from an unknown CA', 'www.example.test', { tls: true, credentials: good }, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ['a certificate for other names', 'wrong.invalid', { tls: { ca }, credentials: good }, 'ERR_TLS_CERT_ALTNAME_INVALID'],
];

for (const [name, host, { tls: tlsOption, credentials }, code] of badCases) {
  t.test(`${name} fails that attempt in phase "tls" with ${code}`, async (t) => {
    const v4 = tlsServer(credentials as typeof good);
    await listen(v4.server, '127.0.0.1', 0);
    const { port } = v4.server.address() as net.AddressInfo;
    t.teardown(() => closeServer(v4.server, v4.held));
    const err = await connect({ host, port, family: 4, resolver: new MemoryResolver(zone), tls: tlsOption as true }).catch((e: unknown) => e);
    t.type(err, AllAttemptsFailedError);
    t.match((err as AllAttemptsFailedError).errors, [{ address: '127.0.0.1', phase: 'tls', code }]);
  });
}

t.test('R17/V5: a bad certificate on IPv6 starts IPv4 at once, and IPv4 wins', async (t) => {
  const held: net.Socket[] = [];
  const { v6, v4, port } = await dualListen((family) => tls.createServer(family === 6 ? selfSigned : good, (s) => held.push(s)).on('tlsClientError', () => {}));
  t.teardown(() => Promise.all([closeServer(v6, held), closeServer(v4)]));
  const events: RaceEvent[] = [];
  const socket = await connect({
    host: 'www.example.test',
    port,
    resolver: new MemoryResolver(zone),
    order: simpleOrder,
    tls: { ca },
    onEvent: (e) => events.push(e),
  });
  t.equal(socket.remoteAddress, '127.0.0.1');
  const failure = events.find((e) => e.type === 'attempt:failure');
  const v4Start = events.find((e) => e.type === 'attempt:start' && e.family === 4);
  t.match(failure, { address: '::1', error: { phase: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
  t.ok((v4Start?.ms ?? Infinity) - (failure?.ms ?? 0) < 5, 'IPv4 started at the IPv6 failure');
  t.ok((v4Start?.ms ?? 0) < 250, 'before the attempt delay');
  socket.destroy();
});

t.test('V5: IPv6 TCP up but its TLS handshake stalled: the next start waits one more delay', async (t) => {
  const held: net.Socket[] = [];
  // IPv6: accepts TCP but never answers the ClientHello. IPv4: a working TLS server.
  const { v6, v4, port } = await dualListen((family) => (family === 6 ? net.createServer((s) => held.push(s)) : tls.createServer(good, (s) => held.push(s))));
  t.teardown(() => Promise.all([closeServer(v6, held), closeServer(v4)]));
  const events: RaceEvent[] = [];
  const socket = await connect({
    host: 'www.example.test',
    port,
    resolver: new MemoryResolver(zone),
    order: simpleOrder,
    tls: { ca },
    connectionAttemptDelay: 100,
    onEvent: (e) => events.push(e),
  });
  t.equal(socket.remoteAddress, '127.0.0.1');
  const v6Start = events.find((e) => e.type === 'attempt:start' && e.family === 6)?.ms ?? NaN;
  const v4Start = events.find((e) => e.type === 'attempt:start' && e.family === 4)?.ms ?? NaN;
  t.ok(v4Start - v6Start >= 198, `IPv4 started ${Math.round(v4Start - v6Start)} ms after IPv6: two delays of 100 ms`);
  t.match(
    events.filter((e) => e.type === 'attempt:delay-extended'),
    [{ attempts: [1], delay: 100 }],
  );
  t.match(
    events.filter((e) => e.type === 'attempt:abandoned'),
    [{ address: '::1', reason: 'lost' }],
  );
  socket.destroy();
});
