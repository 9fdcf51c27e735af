/** Servers × attempts (resolv.conf(5)): what moves on to the next server, and the final error. */
import t from 'tap';
import { DnsClient } from '../../lib/dns/client.js';
import type { Behaviour } from '../helpers/fake-dns-server.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { closedPort } from '../helpers/closed-port.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

const NAME = 'www.example.test';

async function servers(n: number): Promise<FakeDnsServer[]> {
  const started = await Promise.all(Array.from({ length: n }, () => FakeDnsServer.start({ zones: fixtureZones() })));
  t.teardown(() => Promise.all(started.map((s) => s.close())));
  return started;
}

const [one, two] = await servers(2);

interface Case {
  what: string;
  first: Behaviour;
  second?: Behaviour;
  /** Servers in the order configured. @default ['one', 'two'] */
  order?: Array<'one' | 'two' | 'closed'>;
  code?: string;
  /** Queries servers one and two see. */
  counts: [number, number];
}

// attempts 2, two servers: up to 4 tries in the order one, two, one, two.
const cases: Case[] = [
  { what: 'SERVFAIL moves on to the next server', first: { rcode: 'SERVFAIL' }, second: {}, counts: [1, 1] },
  { what: 'REFUSED moves on', first: { rcode: 'REFUSED' }, second: {}, counts: [1, 1] },
  { what: 'FORMERR moves on', first: { rcode: 'FORMERR' }, second: {}, counts: [1, 1] },
  { what: 'NOTIMP moves on', first: { rcode: 'NOTIMP' }, second: {}, counts: [1, 1] },
  { what: 'a timeout moves on', first: { drop: 'all' }, second: {}, counts: [1, 1] },
  { what: 'NXDOMAIN ends the search', first: { rcode: 'NXDOMAIN' }, second: {}, code: 'ENOTFOUND', counts: [1, 0] },
  { what: 'NODATA ends the search', first: { rcode: 'NODATA' }, second: {}, code: 'ENODATA', counts: [1, 0] },
  { what: 'every server SERVFAIL: ESERVFAIL', first: { rcode: 'SERVFAIL' }, second: { rcode: 'SERVFAIL' }, code: 'ESERVFAIL', counts: [2, 2] },
  { what: 'every server REFUSED: EREFUSED', first: { rcode: 'REFUSED' }, second: { rcode: 'REFUSED' }, code: 'EREFUSED', counts: [2, 2] },
  { what: 'FORMERR and NOTIMP: EBADRESP', first: { rcode: 'FORMERR' }, second: { rcode: 'NOTIMP' }, code: 'EBADRESP', counts: [2, 2] },
  { what: 'SERVFAIL says more than a timeout', first: { drop: 'all' }, second: { rcode: 'SERVFAIL' }, code: 'ESERVFAIL', counts: [2, 2] },
  { what: 'REFUSED says more than a bad reply', first: { rcode: 'FORMERR' }, second: { rcode: 'REFUSED' }, code: 'EREFUSED', counts: [2, 2] },
  { what: 'a timeout says more than a closed port', first: { drop: 'all' }, order: ['one', 'closed'], code: 'ETIMEOUT', counts: [2, 0] },
  { what: 'a closed port moves on', first: {}, order: ['closed', 'one'], counts: [1, 0] },
  { what: 'a dropped first try is retried in the next round', first: { drop: 'all', times: 1 }, second: { rcode: 'SERVFAIL' }, counts: [2, 1] },
];

for (const c of cases) {
  t.test(c.what, async (t) => {
    const closed = await closedPort();
    const byName = { one: one!.address, two: two!.address, closed };
    one!.setBehaviour(NAME, 'A', c.first);
    two!.setBehaviour(NAME, 'A', c.second ?? {});
    one!.resetCounts();
    two!.resetCounts();
    const order = (c.order ?? ['one', 'two']).map((key) => byName[key]);
    const client = new DnsClient({ servers: order, timeout: 500, attempts: 2 });
    const pending = client.query(NAME, 'A');
    if (c.code) {
      await t.rejects(pending, { code: c.code, hostname: NAME, rrtype: 'A' });
    } else {
      const answer = await pending;
      t.same(
        answer.records.map((r) => r.address),
        ['192.0.2.1', '192.0.2.2'],
      );
    }
    t.same([one!.count(NAME, 'A'), two!.count(NAME, 'A')], c.counts, 'queries per server');
    client.close();
    one!.setBehaviour(NAME, 'A', undefined);
    two!.setBehaviour(NAME, 'A', undefined);
  });
}

t.test('the error names the server whose answer decided it', async (t) => {
  one!.setBehaviour(NAME, 'A', { rcode: 'SERVFAIL' });
  two!.setBehaviour(NAME, 'A', { rcode: 'NXDOMAIN' });
  const client = new DnsClient({ servers: [one!.address, two!.address], timeout: 1000 });
  await t.rejects(client.query(NAME, 'A'), { code: 'ENOTFOUND', server: two!.server, negativeTtl: 60 });
  two!.setBehaviour(NAME, 'A', undefined);
  const answer = await client.query(NAME, 'A');
  t.equal(answer.server, two!.server, 'the answer names the server that gave it');
  one!.setBehaviour(NAME, 'A', undefined);
  client.close();
});

t.test('a silent server: ETIMEOUT after timeout × attempts, not before', async (t) => {
  const [silent] = await servers(1);
  silent!.setBehaviour('*', '*', { drop: 'all' });
  for (const { timeout, attempts } of [
    { timeout: 100, attempts: 1 },
    { timeout: 100, attempts: 3 },
  ]) {
    const client = new DnsClient({ servers: [silent!.address], timeout, attempts });
    const start = performance.now();
    await t.rejects(client.query(NAME, 'A'), { code: 'ETIMEOUT', server: silent!.server });
    const elapsed = performance.now() - start;
    t.ok(elapsed >= timeout * attempts - 5, `${attempts} × ${timeout} ms: not before (${elapsed.toFixed(0)} ms)`);
    t.ok(elapsed < timeout * attempts + 1000, `${attempts} × ${timeout} ms: not long after`);
    t.equal(client.stats().timeouts, attempts);
    client.close();
  }
});

t.test('a closed port (ICMP port unreachable) is left at once, not after the timeout', async (t) => {
  const closed = await closedPort();
  const closed6 = await closedPort('::1');
  const client = new DnsClient({ servers: [closed, closed6], timeout: 5000, attempts: 2 });
  const start = performance.now();
  await t.rejects(client.query(NAME, 'A'), { code: 'ECONNREFUSED' });
  t.ok(performance.now() - start < 2000, 'far less than one 5 s timeout');
  t.equal(client.stats().timeouts, 0);
  client.close();
});

t.test('rotate: each query starts at the next server', async (t) => {
  for (const rotate of [false, true]) {
    one!.resetCounts();
    two!.resetCounts();
    const client = new DnsClient({ servers: [one!.address, two!.address], rotate });
    for (let i = 0; i < 4; i++) await client.query(NAME, 'AAAA');
    t.same([one!.count(NAME, 'AAAA'), two!.count(NAME, 'AAAA')], rotate ? [2, 2] : [4, 0], `rotate ${rotate}`);
    client.close();
  }
});
