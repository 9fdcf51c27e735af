/** DnsClient against a real knotd on loopback (127.0.0.1 and ::1), serving fixtures/zones. */
import t from 'tap';
import { emptyClientStats } from '../../lib/dns/client-stats.js';
import { DnsClient } from '../../lib/dns/client.js';
import { startKnot } from '../../scripts/harness/knot.js';
import { unmet } from '../helpers/requirements.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

const skip = unmet(['knot']);
if (skip) {
  t.plan(0, skip);
} else {
  const knot = await startKnot(fixtureZones(), { udpWorkers: 1 });
  t.teardown(() => knot.stop());
  const server = `127.0.0.1:${knot.port}`;

  t.test('A and AAAA', async (t) => {
    const client = new DnsClient({ servers: [knot.v4], timeout: 2000 });
    t.same(await client.query('www.example.test', 'A'), {
      name: 'www.example.test',
      type: 'A',
      records: [
        { address: '192.0.2.1', ttl: 300 },
        { address: '192.0.2.2', ttl: 300 },
      ],
      ttl: 300,
      cnames: [],
      server,
      source: 'dns',
    });
    const aaaa = await client.query('www.example.test', 'AAAA');
    t.same(aaaa.records, [{ address: '2001:db8::1', ttl: 600 }]);
    client.close();
  });

  t.test('a 3-step CNAME chain: targets in order, smallest TTL', async (t) => {
    const client = new DnsClient({ servers: [knot.v4], timeout: 2000 });
    const answer = await client.query('alias1.example.test', 'A');
    t.same(answer.cnames, ['alias2.example.test', 'alias3.example.test', 'www.example.test']);
    t.equal(answer.ttl, 100);
    t.same(
      answer.records.map((r) => r.address),
      ['192.0.2.1', '192.0.2.2'],
    );
    client.close();
  });

  t.test('a chain out of the zone: knot stops at the CNAME, the client asks the target', async (t) => {
    const client = new DnsClient({ servers: [knot.v4], timeout: 2000 });
    const answer = await client.query('outside.example.test', 'AAAA');
    t.same(answer.cnames, ['www.other.test']);
    t.same(answer.records, [{ address: '2001:db8:5::1', ttl: 45 }]);
    t.equal(answer.ttl, 45);
    t.equal(client.stats().udpQueries, 2);
    client.close();
  });

  t.test('a 100-record RRset: TC over UDP (udp-max-payload 1232), complete over TCP', async (t) => {
    const client = new DnsClient({ servers: [knot.v4], timeout: 2000 });
    const answer = await client.query('big.example.test', 'AAAA');
    t.equal(answer.records.length, 100);
    t.same(answer.records.map((r) => r.address).sort(), Array.from({ length: 100 }, (_, i) => `2001:db8:100::${(i + 1).toString(16)}`).sort());
    t.same(client.stats(), { ...emptyClientStats(), queriesSent: 2, udpQueries: 1, tcpQueries: 1, truncated: 1 });
    client.close();
  });

  const negatives = [
    { name: 'nope.example.test', type: 'A', code: 'ENOTFOUND', negativeTtl: 60 }, // min(SOA TTL 120, MINIMUM 60)
    { name: 'nope.other.test', type: 'A', code: 'ENOTFOUND', negativeTtl: 30 }, // min(SOA TTL 30, MINIMUM 300)
    { name: 'v4only.example.test', type: 'AAAA', code: 'ENODATA', negativeTtl: 60 },
  ] as const;
  for (const n of negatives) {
    t.test(`${n.code} ${n.type} ${n.name}: negative TTL from the SOA (RFC 2308)`, async (t) => {
      const client = new DnsClient({ servers: [knot.v4], timeout: 2000 });
      await t.rejects(client.query(n.name, n.type), { code: n.code, negativeTtl: n.negativeTtl, server, hostname: n.name });
      client.close();
    });
  }

  t.test('over ::1: Answer.server is [::1]:port', async (t) => {
    const client = new DnsClient({ servers: [knot.v6], timeout: 2000 });
    const answer = await client.query('v6only.example.test', 'AAAA');
    t.same(answer.records, [{ address: '2001:db8::6', ttl: 300 }]);
    t.equal(answer.server, `[::1]:${knot.port}`);
    const big = await client.query('big.example.test', 'AAAA');
    t.equal(big.records.length, 100, 'TCP over ::1 too');
    client.close();
  });
}
