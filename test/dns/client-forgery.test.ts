/** Forged, corrupt and garbage replies sent before the real one change nothing (RFC 5452). */
import { randomBytes, randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import t from 'tap';
import { DnsClient } from '../../lib/dns/client.js';
import { FORGERIES, POISON_A, POISON_AAAA, forge, forgeries } from '../helpers/fake-dns-forgery.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

const srv = await FakeDnsServer.start({ zones: fixtureZones() });
t.teardown(() => srv.close());

const REAL = { A: ['192.0.2.1', '192.0.2.2'], AAAA: ['2001:db8::1'] };

for (const transport of ['udp', 'tcp'] as const) {
  for (const forgery of FORGERIES) {
    if (transport === 'tcp' && forgery === 'wrong-port') continue; // a TCP stream has one source
    t.test(`${transport}: '${forgery}' before the real reply changes nothing`, async (t) => {
      const client = new DnsClient({ servers: [srv.address], timeout: 2000, attempts: 1 });
      for (const type of ['A', 'AAAA'] as const) {
        // Over TCP: the UDP reply is truncated and the forged frames precede the real one in one chunk.
        srv.setBehaviour(
          'www.example.test',
          type,
          transport === 'udp' ? { forge: forgeries(forgery, forgery) } : { forge: forgeries(forgery), truncate: 'empty' },
        );
        const answer = await client.query('www.example.test', type);
        t.same(
          answer.records.map((r) => r.address),
          REAL[type],
          type,
        );
        t.notOk(answer.records.some((r) => r.address === POISON_A || r.address === POISON_AAAA));
      }
      const stats = client.stats();
      // Over UDP two forgeries per query; over TCP one before the truncated UDP reply and one
      // frame. The kernel drops datagrams from the wrong port on a connected socket.
      const arrived = forgery === 'wrong-port' ? 0 : 4;
      t.equal(stats.ignoredReplies, arrived, 'each forged reply that arrived was counted as ignored');
      t.equal(stats.timeouts, 0);
      client.close();
      srv.setBehaviour('www.example.test', 'A', undefined);
      srv.setBehaviour('www.example.test', 'AAAA', undefined);
    });
  }
}

t.test('every kind of forgery at once, then a delayed real reply', async (t) => {
  srv.setBehaviour('v4only.example.test', 'A', { forge: forgeries(...FORGERIES, ...FORGERIES), delay: 30 });
  const client = new DnsClient({ servers: [srv.address], timeout: 2000, attempts: 1 });
  const answer = await client.query('v4only.example.test', 'A');
  t.same(answer.records, [{ address: '192.0.2.4', ttl: 300 }]);
  srv.setBehaviour('v4only.example.test', 'A', undefined);
  client.close();
});

t.test('only garbage: the query times out, it is never ended by a bad packet', async (t) => {
  srv.setBehaviour('v6only.example.test', 'AAAA', { garbage: true, forge: forgeries('garbage', 'cut', 'wrong-id') });
  const client = new DnsClient({ servers: [srv.address], timeout: 300, attempts: 2 });
  const start = performance.now();
  await t.rejects(client.query('v6only.example.test', 'AAAA'), { code: 'ETIMEOUT' });
  t.ok(performance.now() - start >= 595, 'waited out both tries');
  t.equal(client.stats().ignoredReplies, 8, '4 bad packets per try, all ignored');
  srv.setBehaviour('v6only.example.test', 'AAAA', undefined);
  client.close();
});

t.test('3,000 malformed replies over the wire before the real one: no crash, the real answer wins', async (t) => {
  const malformed = (query: Buffer): Buffer[] => {
    const decoded = dnsPacket.decode(query);
    return Array.from({ length: 3000 }, (_, i) => {
      switch (i % 5) {
        case 0:
          return randomBytes(randomInt(1, 300));
        case 1:
          return forge('lying-counts', decoded);
        case 2:
          return forge('compression-loop', decoded);
        case 3:
          return forge('cut', decoded);
        default:
          return forge('wrong-id', decoded);
      }
    });
  };
  srv.setBehaviour('www.example.test', 'AAAA', { forge: [malformed] });
  const client = new DnsClient({ servers: [srv.address], timeout: 10_000, attempts: 1 });
  const answer = await client.query('www.example.test', 'AAAA');
  t.same(
    answer.records.map((r) => r.address),
    REAL.AAAA,
  );
  // The server paces the burst to the client's reads, so none is dropped: each was ignored.
  t.equal(client.stats().ignoredReplies, 3000);
  srv.setBehaviour('www.example.test', 'AAAA', undefined);
  client.close();
});

t.test('source ports: a fresh socket per query with udpMaxQueries 1; at most 16 queries per port by default', async (t) => {
  for (const [udpMaxQueries, perPort] of [
    [1, 1],
    [undefined, 16],
  ] as const) {
    srv.resetCounts();
    const client = new DnsClient({ servers: [srv.address], udpMaxQueries });
    // 64 at once, so sockets are shared as much as the policy allows.
    await Promise.all(Array.from({ length: 64 }, (_, i) => client.query(`p${i}.wild.example.test`, 'A')));
    const seen = srv.queries(undefined, 'A', 'udp');
    t.equal(seen.length, 64);
    const perPortCounts = new Map<number, number>();
    for (const q of seen) perPortCounts.set(q.port, (perPortCounts.get(q.port) ?? 0) + 1);
    t.ok(Math.max(...perPortCounts.values()) <= perPort, `no port carried more than ${perPort}`);
    t.ok(perPortCounts.size >= 64 / perPort, `${perPortCounts.size} ports used`);
    // IDs on one socket never repeat while in flight; across queries they look random.
    const ids = seen.map((q) => q.id);
    t.ok(new Set(ids).size >= 60, 'IDs nearly all distinct');
    client.close();
  }
});
