/**
 * Upstream DNS faults on loopback, each named with what a user of `Resolver` sees and how
 * soon: an answer, a stale answer (RFC 8767), or a DnsError with a stable code, within a
 * bound set by `timeout` × `attempts` (300 ms × 2 here). docs/hardening.md lists them.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import t from 'tap';
import type { Clock } from '../../lib/clock.js';
import { DnsClient } from '../../lib/dns/client.js';
import { lengthPrefixed } from '../../lib/dns/tcp.js';
import type { AddressRecordType } from '../../lib/dns/types.js';
import { Resolver } from '../../lib/resolver.js';
import { closedPort } from '../helpers/closed-port.js';
import { type Behaviour, FakeDnsServer } from '../helpers/fake-dns-server.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

const NAME = 'www.example.test';
const srv = await FakeDnsServer.start({ zones: fixtureZones() });
const backup = await FakeDnsServer.start({ zones: fixtureZones() });
const down = await closedPort();
const tcOnly = await truncatingServer('refuse');
const tcReset = await truncatingServer('reset-mid-answer');
t.teardown(async () => {
  await Promise.all([srv.close(), backup.close(), tcOnly.close(), tcReset.close()]);
});

const serverOf = (s: { address: string; port: number }): string => `${s.address}:${s.port}`;

interface Row {
  fault: string;
  /** What the user sees. */
  outcome: { code: string } | { addresses: string[] };
  servers?: string[];
  behaviour?: Behaviour;
  name?: string;
  type?: AddressRecordType;
  /** Bounds on the time to the outcome, ms. */
  within: [number, number];
}

const ROWS: Row[] = [
  { fault: 'server down (port closed: ICMP port unreachable)', servers: [serverOf(down)], outcome: { code: 'ECONNREFUSED' }, within: [0, 500] },
  { fault: 'server silent (drops every query)', behaviour: { drop: 'all' }, outcome: { code: 'ETIMEOUT' }, within: [590, 2500] },
  { fault: 'SERVFAIL', behaviour: { rcode: 'SERVFAIL' }, outcome: { code: 'ESERVFAIL' }, within: [0, 500] },
  { fault: 'REFUSED', behaviour: { rcode: 'REFUSED' }, outcome: { code: 'EREFUSED' }, within: [0, 500] },
  { fault: 'FORMERR', behaviour: { rcode: 'FORMERR' }, outcome: { code: 'EBADRESP' }, within: [0, 500] },
  { fault: 'NXDOMAIN', behaviour: { rcode: 'NXDOMAIN' }, outcome: { code: 'ENOTFOUND' }, within: [0, 500] },
  { fault: 'garbage instead of every reply', behaviour: { garbage: true }, outcome: { code: 'ETIMEOUT' }, within: [590, 2500] },
  { fault: 'TC over UDP, then TCP refused', servers: [serverOf(tcOnly.address)], outcome: { code: 'ECONNREFUSED' }, within: [0, 500] },
  { fault: 'TC over UDP, then TCP reset in the middle of the answer', servers: [serverOf(tcReset.address)], outcome: { code: 'ECONNRESET' }, within: [0, 500] },
  {
    fault: 'TC over UDP, then a TCP frame that never finishes',
    behaviour: { truncate: 'empty', tcp: 'stall' },
    outcome: { code: 'ETIMEOUT' },
    within: [590, 2500],
  },
  {
    fault: 'TC over UDP, then TCP one byte at a time',
    behaviour: { truncate: 'empty', tcp: 'trickle', trickle: { bytes: 1, everyMs: 0 } },
    outcome: { addresses: ['192.0.2.1', '192.0.2.2'] },
    within: [0, 1000],
  },
  { fault: 'answers for one family only: the other has no data', name: 'v4only.example.test', type: 'AAAA', outcome: { code: 'ENODATA' }, within: [0, 500] },
  {
    fault: 'answers for one family only: that family answers',
    name: 'v4only.example.test',
    type: 'A',
    outcome: { addresses: ['192.0.2.4'] },
    within: [0, 500],
  },
  {
    fault: 'first server down, second answers',
    servers: [serverOf(down), backup.server],
    outcome: { addresses: ['192.0.2.1', '192.0.2.2'] },
    within: [0, 500],
  },
  {
    fault: 'first server silent, second answers',
    behaviour: { drop: 'all' },
    servers: [srv.server, backup.server],
    outcome: { addresses: ['192.0.2.1', '192.0.2.2'] },
    within: [290, 1500],
  },
  {
    fault: 'first server SERVFAIL, second answers',
    behaviour: { rcode: 'SERVFAIL' },
    servers: [srv.server, backup.server],
    outcome: { addresses: ['192.0.2.1', '192.0.2.2'] },
    within: [0, 500],
  },
];

for (const row of ROWS) {
  const outcome = 'code' in row.outcome ? `DnsError ${row.outcome.code}` : 'the answer';
  t.test(`fault: ${row.fault} → ${outcome} in ${row.within[0]}-${row.within[1]} ms`, async (t) => {
    const name = row.name ?? NAME;
    const type = row.type ?? 'A';
    srv.setBehaviour(name, type, row.behaviour);
    const resolver = new Resolver({ servers: row.servers ?? [srv.server], resolvConf: false, hosts: false, timeout: 300, attempts: 2, cache: false });
    const started = performance.now();
    const result = await resolver.query(name, type).then(
      (answer) => ({ addresses: answer.records.map((r) => r.address) }),
      (err: { code?: string; hostname?: string; name?: string }) => ({ code: err.code, hostname: err.hostname, name: err.name }),
    );
    const ms = performance.now() - started;
    t.match(result, 'code' in row.outcome ? { ...row.outcome, hostname: name, name: 'DnsError' } : row.outcome);
    t.ok(ms >= row.within[0] && ms <= row.within[1], `took ${ms.toFixed(0)} ms`);
    resolver.close();
    srv.setBehaviour(name, type, undefined);
  });
}

t.test('fault: server down, AAAA and A asked at once on one socket → DnsError ECONNREFUSED for both in 0-500 ms', async (t) => {
  // The second send reports the first query's ICMP port unreachable; it used to be dropped
  // unseen, and both queries waited timeout × attempts.
  for (const udpMaxQueries of [16, 1]) {
    const client = new DnsClient({ servers: [down], timeout: 1000, attempts: 2, udpMaxQueries });
    const started = performance.now();
    const results = await Promise.allSettled([client.query(NAME, 'AAAA'), client.query(NAME, 'A')]);
    const ms = performance.now() - started;
    t.match(results, [{ reason: { code: 'ECONNREFUSED' } }, { reason: { code: 'ECONNREFUSED' } }], `udpMaxQueries ${udpMaxQueries}`);
    t.ok(ms < 500, `took ${ms.toFixed(0)} ms, not the 2,000 of the timeouts`);
    t.equal(client.stats().timeouts, 0);
    client.close();
  }
});

/** The system clock, moved forward at will: cached answers expire without waiting. */
function skewedClock(): Clock & { skip(ms: number): void } {
  let offset = 0;
  return {
    now: () => performance.now() + offset,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    skip: (ms) => void (offset += ms),
  };
}

const STALE: Array<{ fault: string; apply(upstream: FakeDnsServer): Promise<void> | void; within: number }> = [
  { fault: 'SERVFAIL', apply: (u) => u.setBehaviour(NAME, 'A', { rcode: 'SERVFAIL' }), within: 500 },
  { fault: 'server silent', apply: (u) => u.setBehaviour(NAME, 'A', { drop: 'all' }), within: 2500 },
  { fault: 'server down', apply: (u) => u.close(), within: 500 },
];

for (const row of STALE) {
  t.test(`fault: ${row.fault} once the answer expired → the stale answer (RFC 8767), within ${row.within} ms`, async (t) => {
    const upstream = await FakeDnsServer.start({ zones: fixtureZones() });
    t.teardown(() => upstream.close());
    const clock = skewedClock();
    const resolver = new Resolver({ servers: [upstream.server], resolvConf: false, hosts: false, timeout: 300, attempts: 2, clock });
    t.same(
      (await resolver.resolve(NAME, 'A')).map((r) => r.address),
      ['192.0.2.1', '192.0.2.2'],
      'fresh',
    );
    await row.apply(upstream);
    clock.skip(400_000); // TTL 300 s and the 10 s of stale-while-revalidate are over: a refresh must be tried
    const started = performance.now();
    const answer = await resolver.query(NAME, 'A');
    const ms = performance.now() - started;
    t.equal(answer.source, 'stale');
    t.same(
      answer.records.map((r) => r.address),
      ['192.0.2.1', '192.0.2.2'],
    );
    t.ok(ms <= row.within, `took ${ms.toFixed(0)} ms`);
    resolver.close();
  });
}

/** UDP replies with TC set and no records; over TCP: 'refuse' has no listener, 'reset-mid-answer' sends half a reply then RST. */
async function truncatingServer(tcp: 'refuse' | 'reset-mid-answer'): Promise<{ address: { address: string; port: number }; close(): Promise<void> }> {
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  udp.on('message', (msg, rinfo) => {
    const reply = Buffer.from(msg);
    reply[2] = 0x82 | (msg[2]! & 0x01); // QR, TC, RD echoed
    udp.send(reply, rinfo.port, rinfo.address);
  });
  const port = udp.address().port;
  let server: net.Server | undefined;
  if (tcp === 'reset-mid-answer') {
    server = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', (chunk) => {
        const query = dnsPacket.decode(chunk.subarray(2));
        const reply = dnsPacket.encode({
          type: 'response',
          id: query.id!,
          flags: dnsPacket.RECURSION_DESIRED,
          questions: query.questions!,
          answers: [{ name: query.questions![0]!.name, type: 'A', ttl: 60, data: '192.0.2.1' }],
        });
        const framed = lengthPrefixed(reply);
        socket.write(framed.subarray(0, framed.length >> 1), () => socket.resetAndDestroy());
      });
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
  }
  return {
    address: { address: '127.0.0.1', port },
    close: async () => {
      udp.close();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}
