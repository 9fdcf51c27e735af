/** DnsClient against the fake server on loopback: answers, chains, negatives, TC -> TCP. */
import t from 'tap';
import { emptyClientStats } from '../../lib/dns/client-stats.js';
import { DnsClient } from '../../lib/dns/client.js';
import type { RecordType } from '../../lib/dns/types.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

const srv = await FakeDnsServer.start({ zones: fixtureZones() });
const v6 = await FakeDnsServer.start({ zones: fixtureZones(), host: '::1' });
t.teardown(() => Promise.all([srv.close(), v6.close()]));
const client = new DnsClient({ servers: [srv.address], timeout: 2000 });
t.teardown(() => client.close());

interface Positive {
  name: string;
  type: RecordType;
  addresses: string[];
  ttl: number;
  cnames?: string[];
}

const positives: Positive[] = [
  { name: 'www.example.test', type: 'A', addresses: ['192.0.2.1', '192.0.2.2'], ttl: 300 },
  { name: 'www.example.test', type: 'AAAA', addresses: ['2001:db8::1'], ttl: 600 },
  { name: 'WWW.EXAMPLE.test', type: 'A', addresses: ['192.0.2.1', '192.0.2.2'], ttl: 300 },
  {
    name: 'alias1.example.test',
    type: 'A',
    addresses: ['192.0.2.1', '192.0.2.2'],
    ttl: 100,
    cnames: ['alias2.example.test', 'alias3.example.test', 'www.example.test'],
  },
  { name: 'outside.example.test', type: 'A', addresses: ['198.51.100.1'], ttl: 45, cnames: ['www.other.test'] },
  { name: 'x.wild.example.test', type: 'A', addresses: ['192.0.2.42'], ttl: 300 },
];

for (const p of positives) {
  t.test(`${p.type} ${p.name}`, async (t) => {
    const answer = await client.query(p.name, p.type);
    t.same(answer, {
      name: p.name,
      type: p.type,
      records: p.addresses.map((address) => ({ address, ttl: answer.records[0]!.ttl })),
      ttl: p.ttl,
      cnames: p.cnames ?? [],
      server: srv.server,
      source: 'dns',
    });
    t.ok(answer.records.every((r) => r.ttl >= p.ttl));
  });
}

t.test('a chain that leaves the zone is followed by a second query', async (t) => {
  srv.resetCounts();
  await client.query('outside.example.test', 'AAAA');
  t.equal(srv.count('outside.example.test', 'AAAA'), 1);
  t.equal(srv.count('www.other.test', 'AAAA'), 1, 'the target was asked');
});

const negatives: Array<{ name: string; type: RecordType; code: string; negativeTtl: number | undefined }> = [
  { name: 'nope.example.test', type: 'A', code: 'ENOTFOUND', negativeTtl: 60 }, // min(SOA TTL 120, MINIMUM 60)
  { name: 'nope.other.test', type: 'AAAA', code: 'ENOTFOUND', negativeTtl: 30 }, // min(SOA TTL 30, MINIMUM 300)
  { name: 'v4only.example.test', type: 'AAAA', code: 'ENODATA', negativeTtl: 60 },
  { name: 'dangling.example.test', type: 'AAAA', code: 'ENODATA', negativeTtl: 60 },
  { name: 'to-nowhere.example.test', type: 'A', code: 'ENOTFOUND', negativeTtl: 60 },
  { name: 'txt.example.test', type: 'A', code: 'ENODATA', negativeTtl: 60 },
  { name: 'loop1.example.test', type: 'A', code: 'ESERVFAIL', negativeTtl: undefined },
];

for (const n of negatives) {
  t.test(`${n.type} ${n.name} -> ${n.code}`, async (t) => {
    await t.rejects(client.query(n.name, n.type), {
      name: 'DnsError',
      code: n.code,
      hostname: n.name,
      rrtype: n.type,
      server: srv.server,
      negativeTtl: n.negativeTtl,
    });
  });
}

t.test('a CNAME chain longer than 8 links, spread over queries, is cut (ESERVFAIL)', async (t) => {
  for (let i = 0; i < 10; i++) srv.setRecords(`hop${i}.example.test`, 'CNAME', [`hop${i + 1}.other.test`]);
  for (let i = 0; i < 10; i++) srv.setRecords(`hop${i + 1}.other.test`, 'CNAME', [`hop${i + 1}.example.test`]);
  srv.resetCounts();
  await t.rejects(client.query('hop0.example.test', 'A'), { code: 'ESERVFAIL' });
  t.ok(srv.count(undefined, 'A') <= 9, 'at most 9 queries for 8 links');
  // A chain across zones back to a name already seen is a loop.
  srv.setRecords('back.other.test', 'CNAME', ['back.example.test']);
  srv.setRecords('back.example.test', 'CNAME', ['back.other.test']);
  await t.rejects(client.query('back.example.test', 'A'), { code: 'ESERVFAIL' });
});

t.test('a CNAME target that cannot be asked (the root): EBADRESP', async (t) => {
  srv.setRecords('to-root.example.test', 'CNAME', ['.']);
  await t.rejects(client.query('to-root.example.test', 'A'), { code: 'EBADRESP', server: srv.server });
});

t.test('IPv6 server: Answer.server is [::1]:port', async (t) => {
  const c6 = new DnsClient({ servers: [v6.address], timeout: 2000 });
  const answer = await c6.query('www.example.test', 'AAAA');
  t.equal(answer.server, `[::1]:${v6.address.port}`);
  t.same(
    answer.records.map((r) => r.address),
    ['2001:db8::1'],
  );
  c6.close();
});

t.test('TC -> TCP: truncated UDP answers are never used, even partly filled', async (t) => {
  for (const truncate of ['empty', 'partial'] as const) {
    srv.setBehaviour('www.example.test', 'A', { truncate });
    const c = new DnsClient({ servers: [srv.address], timeout: 2000 });
    srv.resetCounts();
    const answer = await c.query('www.example.test', 'A');
    t.same(
      answer.records.map((r) => r.address),
      ['192.0.2.1', '192.0.2.2'],
      `${truncate}: the full TCP answer`,
    );
    t.equal(srv.count('www.example.test', 'A', 'udp'), 1);
    t.equal(srv.count('www.example.test', 'A', 'tcp'), 1);
    t.same(c.stats(), { ...emptyClientStats(), queriesSent: 2, udpQueries: 1, tcpQueries: 1, truncated: 1 });
    c.close();
  }
  srv.setBehaviour('www.example.test', 'A', undefined);
});

t.test('100-record RRset: bigger than 1232 bytes, so TC and then TCP', async (t) => {
  const answer = await client.query('big.example.test', 'AAAA');
  t.equal(answer.records.length, 100);
  t.equal(answer.records[99]!.address, '2001:db8:100::64');
});

t.test('runtime records (setRecords) are served', async (t) => {
  srv.setRecords('new.example.test', 'A', ['192.0.2.200'], 5);
  t.same(await client.query('new.example.test', 'A'), {
    name: 'new.example.test',
    type: 'A',
    records: [{ address: '192.0.2.200', ttl: 5 }],
    ttl: 5,
    cnames: [],
    server: srv.server,
    source: 'dns',
  });
  srv.setRecords('new.example.test', 'A', []);
  await t.rejects(client.query('new.example.test', 'A'), { code: 'ENOTFOUND' });
});

t.test('a delayed answer arrives', async (t) => {
  srv.setBehaviour('v6only.example.test', 'AAAA', { delay: 120 });
  const start = performance.now();
  const answer = await client.query('v6only.example.test', 'AAAA');
  t.ok(performance.now() - start >= 110, 'not before the delay');
  t.same(
    answer.records.map((r) => r.address),
    ['2001:db8::6'],
  );
  srv.setBehaviour('v6only.example.test', 'AAAA', undefined);
});

t.test('names that cannot go on the wire: EBADNAME', async (t) => {
  await t.rejects(client.query(`${'x'.repeat(64)}.example.test`, 'A'), { code: 'EBADNAME' });
  await t.rejects(client.query('a..example.test', 'A'), { code: 'EBADNAME', hostname: 'a..example.test' });
});

t.test('a trailing dot is accepted and stripped', async (t) => {
  const answer = await client.query('www.example.test.', 'AAAA');
  t.equal(answer.name, 'www.example.test');
});
