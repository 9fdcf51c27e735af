/**
 * The search walk (lib/dns/search-walk.ts): glibc res_search's handling of each failure
 * kind, and A and AAAA of one lookup searched together (`both`) while each type's answer
 * is still delivered the moment it arrives. The server holds a root zone: every name not
 * listed is NXDOMAIN with a SOA (negative TTL 30).
 */
import t, { type Test } from 'tap';
import { DnsClient, type DnsClientOptions } from '../../lib/dns/client.js';
import type { Answer, RecordType } from '../../lib/dns/types.js';
import type { Zone } from '../../lib/lab/dns-zone.js';
import { closedPort } from '../helpers/closed-port.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { steps } from '../glibc/compare.js';

const zone: Zone = {
  origin: '.',
  ttl: 60,
  soa: { mname: 'ns.invalid', rname: 'hostmaster.invalid', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 30 },
  records: [
    { name: 'split.s1.test', type: 'A', data: '192.0.2.1' },
    { name: 'split.s2.test', type: 'AAAA', data: '2001:db8::2' },
    { name: 'v4.s2.test', type: 'A', data: '192.0.2.2' },
    { name: 'both.s1.test', type: 'A', data: '192.0.2.3' },
    { name: 'both.s1.test', type: 'AAAA', data: '2001:db8::3' },
    { name: 'bare', type: 'A', data: '192.0.2.9' },
    { name: 'a.b.s1.test', type: 'A', data: '192.0.2.4' },
  ],
};
const srv = await FakeDnsServer.start({ zones: [zone] });
t.teardown(() => srv.close());

function clientFor(t: Test, options: Partial<DnsClientOptions> = {}): DnsClient {
  const client = new DnsClient({ servers: [srv.address], search: ['s1.test', 's2.test'], timeout: 1500, attempts: 1, ...options });
  t.teardown(() => client.close());
  return client;
}

type Settled = PromiseSettledResult<Answer>;

/** Both types of one lookup, as lookup() and the racer ask them. */
function lookupBoth(client: DnsClient, name: string, options: { signal?: AbortSignal } = {}): Promise<[Settled, Settled]> {
  return Promise.allSettled([client.query(name, 'AAAA', { ...options, both: true }), client.query(name, 'A', { ...options, both: true })]) as Promise<
    [Settled, Settled]
  >;
}

const addresses = (r: Settled): string[] => (r.status === 'fulfilled' ? r.value.records.map((x) => x.address) : []);
const code = (r: Settled): unknown => (r.status === 'rejected' ? (r.reason as { code?: unknown }).code : 'answer');

/** Counts from zero; behaviours set through `set` are undone when the test ends. */
function fresh(t: Test): (name: string, type: string, behaviour: object) => void {
  srv.resetCounts();
  const set: Array<[string, string]> = [];
  t.teardown(() => {
    for (const [name, type] of set) srv.setBehaviour(name, type, undefined);
  });
  return (name, type, behaviour) => {
    set.push([name, type]);
    srv.setBehaviour(name, type, behaviour);
  };
}

t.test('both types: the first candidate with records of either type decides the name', async (t) => {
  fresh(t);
  const [v6, v4] = await lookupBoth(clientFor(t), 'split');
  t.same(addresses(v4), ['192.0.2.1']);
  t.equal(v4.status === 'fulfilled' && v4.value.name, 'split.s1.test');
  t.equal(code(v6), 'ENODATA', 'no AAAA at the name that answered, though split.s2.test has one');
  t.match((v6 as PromiseRejectedResult).reason, { hostname: 'split', rrtype: 'AAAA' });
  t.same(steps(srv.queries()), ['split.s1.test:A,AAAA']);
});

t.test('each type alone walks on until its own records (family 4 or 6)', async (t) => {
  fresh(t);
  const client = clientFor(t);
  t.same(
    (await client.query('split', 'AAAA')).records.map((r) => r.address),
    ['2001:db8::2'],
  );
  t.same(steps(srv.queries()), ['split.s1.test:AAAA', 'split.s2.test:AAAA']);
});

t.test('both types: an IPv4-only name sends AAAA only for the candidates A is asked for', async (t) => {
  fresh(t);
  const [v6, v4] = await lookupBoth(clientFor(t), 'v4');
  t.same(addresses(v4), ['192.0.2.2']);
  t.equal(code(v6), 'ENODATA');
  t.same(steps(srv.queries()), ['v4.s1.test:A,AAAA', 'v4.s2.test:A,AAAA']);
});

t.test('both types: records are delivered the moment they come; the other type follows for the same name', async (t) => {
  fresh(t)('both.s1.test', 'A', { delay: 150 });
  const order: RecordType[] = [];
  const client = clientFor(t);
  const a = client.query('both', 'A', { both: true }).then((answer) => order.push('A') && answer);
  const aaaa = client.query('both', 'AAAA', { both: true }).then((answer) => order.push('AAAA') && answer);
  await Promise.all([a, aaaa]);
  t.same(order, ['AAAA', 'A'], 'AAAA did not wait for the slow A');
  t.same(steps(srv.queries()), ['both.s1.test:A,AAAA']);
});

const failureCases: Array<{ what: string; set: Array<[string, string, object]>; name: string; want: { v4?: string[]; code?: string }; steps: string[] }> = [
  {
    what: 'SERVFAIL on a candidate goes on to the next',
    set: [['v4.s1.test', '*', { rcode: 'SERVFAIL' }]],
    name: 'v4',
    want: { v4: ['192.0.2.2'] },
    steps: ['v4.s1.test:A,AAAA', 'v4.s2.test:A,AAAA'],
  },
  {
    what: 'SERVFAIL everywhere: ESERVFAIL after every candidate and the bare name',
    set: [['*', '*', { rcode: 'SERVFAIL' }]],
    name: 'h',
    want: { code: 'ESERVFAIL' },
    steps: ['h.s1.test:A,AAAA', 'h.s2.test:A,AAAA', 'h:A,AAAA'],
  },
  {
    what: 'REFUSED ends the list; the name as given is still asked',
    set: [['h.s1.test', '*', { rcode: 'REFUSED' }]],
    name: 'h',
    want: { code: 'ENOTFOUND' },
    steps: ['h.s1.test:A,AAAA', 'h:A,AAAA'],
  },
  {
    what: 'a timeout ends the list; the name as given is still asked and answers',
    set: [['bare.s1.test', '*', { drop: 'all' }]],
    name: 'bare',
    want: { v4: ['192.0.2.9'] },
    steps: ['bare.s1.test:A,AAAA', 'bare:A,AAAA'],
  },
  {
    what: 'a bad reply ends the list too',
    set: [['h.s1.test', '*', { rcode: 'FORMERR' }]],
    name: 'h',
    want: { code: 'ENOTFOUND' },
    steps: ['h.s1.test:A,AAAA', 'h:A,AAAA'],
  },
  {
    what: 'SERVFAIL for one type and NXDOMAIN for the other: NXDOMAIN counts, the walk goes on',
    set: [['v4.s1.test', 'A', { rcode: 'SERVFAIL' }]],
    name: 'v4',
    want: { v4: ['192.0.2.2'] },
    steps: ['v4.s1.test:A,AAAA', 'v4.s2.test:A,AAAA'],
  },
  {
    what: 'NODATA for A, NXDOMAIN for AAAA: NXDOMAIN counts (glibc takes the A code unless it is NOERROR)',
    set: [['h.s1.test', 'A', { rcode: 'NODATA' }]],
    name: 'h',
    want: { code: 'ENOTFOUND' },
    steps: ['h.s1.test:A,AAAA', 'h.s2.test:A,AAAA', 'h:A,AAAA'],
  },
  {
    what: 'NODATA for both on a candidate: ENODATA when no candidate answers',
    set: [['h.s2.test', '*', { rcode: 'NODATA' }]],
    name: 'h',
    want: { code: 'ENODATA' },
    steps: ['h.s1.test:A,AAAA', 'h.s2.test:A,AAAA', 'h:A,AAAA'],
  },
  {
    what: 'a failure of the name asked first never stops the walk, and is its error',
    set: [
      ['a.b', '*', { rcode: 'SERVFAIL' }],
      ['a.b.s1.test', '*', { rcode: 'REFUSED' }],
    ],
    name: 'a.b',
    want: { code: 'ESERVFAIL' },
    steps: ['a.b:A,AAAA', 'a.b.s1.test:A,AAAA'],
  },
];

for (const c of failureCases) {
  t.test(`both types: ${c.what}`, async (t) => {
    const set = fresh(t);
    for (const [name, type, behaviour] of c.set) set(name, type, behaviour);
    const [v6, v4] = await lookupBoth(clientFor(t), c.name);
    if (c.want.v4) t.same(addresses(v4), c.want.v4);
    else t.same([code(v6), code(v4)], [c.want.code, c.want.code], 'both types get the walk error');
    t.same(steps(srv.queries()), c.steps);
  });
}

t.test('a trailing dot inside a search list: the name alone, its failure final', async (t) => {
  fresh(t);
  const [v6, v4] = await lookupBoth(clientFor(t, { noAaaa: true }), 'nothing.');
  t.same([code(v6), code(v4)], ['ENOTFOUND', 'ENOTFOUND']);
  t.same(steps(srv.queries()), ['nothing:A']);
});

t.test('one type alone: NODATA goes on, and is the error when nothing answers', async (t) => {
  const set = fresh(t);
  set('h.s1.test', 'A', { rcode: 'NODATA' });
  await t.rejects(clientFor(t).query('h', 'A'), { code: 'ENODATA', rrtype: 'A' });
  t.same(steps(srv.queries()), ['h.s1.test:A', 'h.s2.test:A', 'h:A']);
});

t.test('no server reachable: the lookup fails at once, nothing more is asked', async (t) => {
  fresh(t);
  const closed = await closedPort();
  const client = clientFor(t, { servers: [closed] });
  const [v6, v4] = await lookupBoth(client, 'h');
  t.same([code(v6), code(v4)], ['ECONNREFUSED', 'ECONNREFUSED']);
  t.equal(client.stats().queriesSent, 2, 'one candidate, two types');
});

t.test('the negative TTL of a walk is the smallest of its negative answers', async (t) => {
  fresh(t);
  const [, v4] = await lookupBoth(clientFor(t), 'nothing');
  t.match((v4 as PromiseRejectedResult).reason, { code: 'ENOTFOUND', negativeTtl: 30 });
});

t.test('the root domain in the list asks the name there, and not again at the end', async (t) => {
  fresh(t);
  const [, v4] = await lookupBoth(clientFor(t, { search: ['.', 's1.test'] }), 'bare');
  t.same(addresses(v4), ['192.0.2.9']);
  t.same(steps(srv.queries()), ['bare:A,AAAA']);
  srv.resetCounts();
  await lookupBoth(clientFor(t, { search: ['s1.test', '.'] }), 'h');
  t.same(steps(srv.queries()), ['h.s1.test:A,AAAA', 'h:A,AAAA']);
});

t.test('no-tld-query: a name without a dot is never asked as is', async (t) => {
  fresh(t);
  const [, v4] = await lookupBoth(clientFor(t, { noTldQuery: true }), 'bare');
  t.equal(code(v4), 'ENOTFOUND');
  t.same(steps(srv.queries()), ['bare.s1.test:A,AAAA', 'bare.s2.test:A,AAAA']);
});

t.test('no-aaaa: no AAAA query is sent; AAAA finds no records where A has some', async (t) => {
  fresh(t);
  const client = clientFor(t, { noAaaa: true });
  const [v6, v4] = await lookupBoth(client, 'both');
  t.same(addresses(v4), ['192.0.2.3']);
  t.equal(code(v6), 'ENODATA');
  t.same(steps(srv.queries()), ['both.s1.test:A']);
  srv.resetCounts();
  await t.rejects(client.query('both', 'AAAA'), { code: 'ENODATA', rrtype: 'AAAA' }, 'an AAAA query alone asks A');
  t.same(steps(srv.queries()), ['both.s1.test:A']);
  srv.resetCounts();
  const bare = new DnsClient({ servers: [srv.address], noAaaa: true, timeout: 1500, attempts: 1 });
  t.teardown(() => bare.close());
  await t.rejects(bare.query('nothing.test', 'AAAA'), { code: 'ENOTFOUND' }, 'no search list: the A answer still decides');
  t.same(steps(srv.queries()), ['nothing.test:A']);
  srv.resetCounts();
  const [bare6, bare4] = await lookupBoth(bare, 'bare');
  t.same([code(bare6), addresses(bare4)], ['ENODATA', ['192.0.2.9']]);
  t.same(
    srv.queries().map((q) => `${q.name} ${q.type}`),
    ['bare A'],
    'one A query for the lookup of both',
  );
});

t.test('tcp (resolv.conf use-vc): every query over TCP', async (t) => {
  fresh(t);
  const client = clientFor(t, { tcp: true, search: [] });
  t.same(
    (await client.query('bare', 'A')).records.map((r) => r.address),
    ['192.0.2.9'],
  );
  t.same(
    srv.queries().map((q) => q.transport),
    ['tcp'],
  );
  t.match(client.stats(), { udpQueries: 0, tcpQueries: 1 });
});

t.test('joining: one walk per lookup; a third query of a type starts its own', async (t) => {
  fresh(t);
  const client = clientFor(t);
  const first = lookupBoth(client, 'both');
  const third = client.query('both', 'A', { both: true });
  await Promise.all([first, third]);
  t.equal(srv.count('both.s1.test', 'A'), 2, 'the third query had no walk to join');
  t.equal(srv.count('both.s1.test', 'AAAA'), 2, 'its own walk asks both types');
});

t.test('aborting one type leaves the walk to the other; aborting both stops it', async (t) => {
  fresh(t)('h.s1.test', '*', { delay: 100 });
  const client = clientFor(t);
  const abort6 = new AbortController();
  const v6 = client.query('both', 'AAAA', { both: true, signal: abort6.signal });
  const v4 = client.query('both', 'A', { both: true });
  abort6.abort();
  await t.rejects(v6, { name: 'AbortError' });
  t.same(
    (await v4).records.map((r) => r.address),
    ['192.0.2.3'],
  );

  srv.resetCounts();
  const all = new AbortController();
  const pending = lookupBoth(client, 'h', { signal: all.signal });
  setTimeout(() => all.abort(), 30);
  const [a, b] = await pending;
  t.same([a.status, b.status], ['rejected', 'rejected']);
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.same(steps(srv.queries()), ['h.s1.test:A,AAAA'], 'no candidate asked after both left');
});

t.test('close() ends a walk: both types reject ECANCELLED, nothing more is asked', async (t) => {
  fresh(t)('h.s1.test', '*', { delay: 100 });
  const client = clientFor(t);
  const pending = lookupBoth(client, 'h');
  await new Promise((resolve) => setTimeout(resolve, 20));
  client.close();
  const [a, b] = await pending;
  t.same([code(a), code(b)], ['ECANCELLED', 'ECANCELLED']);
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.same(steps(srv.queries()), ['h.s1.test:A,AAAA']);
});

t.test('retire(): queries in flight finish, then the client closes', async (t) => {
  fresh(t)('both.s1.test', 'A', { delay: 50 });
  const client = clientFor(t);
  const pending = client.query('both', 'A');
  client.retire();
  t.same(
    (await pending).records.map((r) => r.address),
    ['192.0.2.3'],
    'the query in flight finished',
  );
  await t.rejects(client.query('both', 'A'), { code: 'ECANCELLED' }, 'closed once idle');
  const idle = clientFor(t);
  idle.retire();
  await t.rejects(idle.query('both', 'A'), { code: 'ECANCELLED' }, 'an idle client closes at once');
});
