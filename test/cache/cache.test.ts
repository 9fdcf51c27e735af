import t from 'tap';
import { DnsCache } from '../../lib/cache/index.js';
import { DnsError } from '../../lib/errors.js';
import type { Answer, AddressRecordType } from '../../lib/dns/types.js';
import { FakeClock, settle } from '../helpers/fake-clock.js';

const answer = (name: string, type: AddressRecordType, addrs: string[], ttl = 60, extra: Partial<Answer> = {}): Answer => ({
  name,
  type,
  records: addrs.map((address) => ({ address, ttl })),
  ttl,
  cnames: [],
  server: '127.0.0.1:53',
  source: 'dns',
  ...extra,
});

/** A fetch that counts its calls and answers with `reply()` each time. */
function counted(reply: () => Answer | Promise<Answer>) {
  const f = Object.assign(async (_signal: AbortSignal) => (f.calls++, reply()), { calls: 0 });
  return f;
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

t.test('R16: 10,000 concurrent resolve() of one cold name send exactly one fetch per type', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock() });
  const gates = { A: deferred<Answer>(), AAAA: deferred<Answer>() };
  const fetches = { A: counted(() => gates.A.promise), AAAA: counted(() => gates.AAAA.promise) };
  const asks: Array<Promise<Answer>> = [];
  for (let i = 0; i < 10_000; i++) {
    for (const type of ['A', 'AAAA'] as const) asks.push(cache.resolve(i % 2 ? 'cold.test' : 'COLD.test.', type, fetches[type]));
  }
  await settle();
  t.equal(fetches.A.calls, 1);
  t.equal(fetches.AAAA.calls, 1);
  t.match(cache.stats(), { misses: 2, coalesced: 19_998, upstreamQueries: 2, inFlight: 2, entries: 0 });
  gates.A.resolve(answer('cold.test', 'A', ['192.0.2.1']));
  gates.AAAA.resolve(answer('cold.test', 'AAAA', ['2001:db8::1']));
  const got = await Promise.all(asks);
  t.ok(got.every((a, i) => a.records[0]?.address === (i % 2 ? '2001:db8::1' : '192.0.2.1') && a.source === 'dns'));
  t.not(got[0], got[2], 'every caller gets its own Answer object');
  t.match(cache.stats(), { entries: 2, inFlight: 0, hits: 0 });
});

t.test('within the TTL nothing is fetched; after it exactly one refresh', async (t) => {
  const clock = new FakeClock();
  const cache = new DnsCache({ clock, staleWhileRevalidate: 0 });
  let version = 1;
  const fetch = counted(() => answer('ttl.test', 'A', [`192.0.2.${version}`], 60));
  await cache.resolve('ttl.test', 'A', fetch);
  clock.advance(59_999);
  const hits = await Promise.all(Array.from({ length: 100 }, () => cache.resolve('ttl.test', 'A', fetch)));
  t.equal(fetch.calls, 1);
  t.ok(hits.every((a) => a.source === 'cache' && a.ttl === 1));
  version = 2;
  clock.advance(2);
  const after = await Promise.all(Array.from({ length: 100 }, () => cache.resolve('ttl.test', 'A', fetch)));
  t.equal(fetch.calls, 2, 'one refresh for 100 askers');
  t.ok(after.every((a) => a.records[0]?.address === '192.0.2.2' && a.source === 'dns' && a.ttl === 60));
  t.match(cache.stats(), { hits: 100, misses: 1, refreshes: 1, coalesced: 99, upstreamQueries: 2 });
  t.equal((await cache.resolve('ttl.test', 'A', fetch)).source, 'cache');
});

const countdown: Array<{ age: number; ttl: number }> = [
  { age: 0, ttl: 300 },
  { age: 999, ttl: 300 },
  { age: 1000, ttl: 299 },
  { age: 1500, ttl: 299 },
  { age: 150_000, ttl: 150 },
  { age: 299_999, ttl: 1 },
];
for (const c of countdown) {
  t.test(`TTL counts down in whole seconds: age ${c.age} ms -> ttl ${c.ttl}`, async (t) => {
    const clock = new FakeClock(5_000.25);
    const cache = new DnsCache({ clock });
    const fetch = counted(() => answer('count.test', 'AAAA', ['2001:db8::1', '2001:db8::2'], 300));
    await cache.resolve('count.test', 'AAAA', fetch);
    clock.advance(c.age);
    const a = await cache.resolve('count.test', 'AAAA', fetch);
    t.same(a, { ...answer('count.test', 'AAAA', ['2001:db8::1', '2001:db8::2'], c.ttl), source: 'cache' });
    t.equal(fetch.calls, 1);
  });
}

t.test('records keep their own TTL when a CNAME shortened the answer TTL; an RRset gets its lowest (RFC 2181 §5.2)', async (t) => {
  const clock = new FakeClock();
  const cache = new DnsCache({ clock });
  const viaCname = answer('alias.test', 'A', ['192.0.2.1'], 60, {
    cnames: ['target.test'],
    records: [{ address: '192.0.2.1', ttl: 300 }],
  });
  await cache.resolve(
    'alias.test',
    'A',
    counted(() => viaCname),
  );
  const mixed = answer('mixed.test', 'A', [], 100, {
    records: [
      { address: '192.0.2.7', ttl: 200 },
      { address: '192.0.2.8', ttl: 100 },
    ],
  });
  await cache.resolve(
    'mixed.test',
    'A',
    counted(() => mixed),
  );
  const inconsistent = answer('odd.test', 'A', [], 500, { records: [{ address: '192.0.2.9', ttl: 50 }] });
  await cache.resolve(
    'odd.test',
    'A',
    counted(() => inconsistent),
  );
  clock.advance(10_000);
  const a = await cache.resolve(
    'alias.test',
    'A',
    counted(() => viaCname),
  );
  t.same([a.ttl, a.records[0]?.ttl, a.cnames], [50, 290, ['target.test']]);
  const m = await cache.resolve(
    'mixed.test',
    'A',
    counted(() => mixed),
  );
  t.same([m.ttl, m.records.map((r) => r.ttl)], [90, [90, 90]]);
  const o = await cache.resolve(
    'odd.test',
    'A',
    counted(() => inconsistent),
  );
  t.same([o.ttl, o.records[0]?.ttl], [40, 40], 'the entry never outlives its records');
});

const clamps: Array<{ ttl: number; minTtl: number; maxTtl: number; kept: number }> = [
  { ttl: 0, minTtl: 10, maxTtl: 100, kept: 10 },
  { ttl: 5000, minTtl: 10, maxTtl: 100, kept: 100 },
  { ttl: 50, minTtl: 10, maxTtl: 100, kept: 50 },
  { ttl: 86400 * 7, minTtl: 0, maxTtl: 86400, kept: 86400 },
  { ttl: 30.9, minTtl: 0, maxTtl: 86400, kept: 30 },
];
for (const c of clamps) {
  t.test(`TTL ${c.ttl} clamped to [${c.minTtl}, ${c.maxTtl}] is kept ${c.kept} s`, async (t) => {
    const clock = new FakeClock();
    const cache = new DnsCache({ clock, minTtl: c.minTtl, maxTtl: c.maxTtl, staleWhileRevalidate: 0 });
    const fetch = counted(() => answer('clamp.test', 'A', ['192.0.2.1'], c.ttl));
    t.equal((await cache.resolve('clamp.test', 'A', fetch)).ttl, c.kept);
    clock.advance(c.kept * 1000 - 1);
    t.equal((await cache.resolve('clamp.test', 'A', fetch)).source, 'cache');
    clock.advance(1);
    t.equal((await cache.resolve('clamp.test', 'A', fetch)).source, 'dns');
    t.equal(fetch.calls, 2);
  });
}

for (const start of [0, 1_700_000_000_123.75]) {
  t.test(`TTLs count down and expire at the same ms with a clock starting at ${start} (Date.now-like clocks work)`, async (t) => {
    const clock = new FakeClock(start);
    const cache = new DnsCache({ clock, staleWhileRevalidate: 0 });
    const fetch = counted(() => answer('epoch.test', 'A', ['192.0.2.1'], 60));
    await cache.resolve('epoch.test', 'A', fetch);
    // Stored at the whole ms: expiry is 60 s after Math.floor(start).
    clock.advance(Math.floor(start) + 60_000 - start - 0.25);
    const last = await cache.resolve('epoch.test', 'A', fetch);
    t.same([last.source, last.ttl, last.records[0]?.ttl], ['cache', 1, 1]);
    clock.advance(0.25);
    t.equal((await cache.resolve('epoch.test', 'A', fetch)).source, 'dns');
    t.equal(fetch.calls, 2);
  });
}

t.test('TTL 0 answers every waiter of its fetch but is not kept (RFC 1035 §3.2.1) and drops the old answer', async (t) => {
  const clock = new FakeClock();
  const cache = new DnsCache({ clock, staleWhileRevalidate: 0 });
  const fetch = counted(() => answer('zero.test', 'A', ['192.0.2.1'], fetch.calls === 1 ? 5 : 0));
  await cache.resolve('zero.test', 'A', fetch);
  clock.advance(6000);
  const got = await Promise.all([cache.resolve('zero.test', 'A', fetch), cache.resolve('zero.test', 'A', fetch)]);
  t.same(
    got.map((a) => [a.ttl, a.source]),
    [
      [0, 'dns'],
      [0, 'dns'],
    ],
  );
  t.equal(cache.stats().entries, 0);
  await cache.resolve('zero.test', 'A', fetch);
  t.equal(fetch.calls, 3);
});

t.test('names are keyed case-insensitively without the trailing dot; the answer keeps its own name', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock() });
  const fetch = counted(() => answer('Mixed.Example.test', 'A', ['192.0.2.1']));
  for (const name of ['Mixed.Example.test', 'mixed.example.test.', 'MIXED.EXAMPLE.TEST']) {
    t.equal((await cache.resolve(name, 'A', fetch)).name, 'Mixed.Example.test');
  }
  t.equal(fetch.calls, 1);
  const other = counted(() => answer('mixed.example.test', 'AAAA', ['2001:db8::1']));
  await cache.resolve('mixed.example.test', 'AAAA', other);
  t.equal(other.calls, 1, 'A and AAAA are separate entries');
  t.equal(cache.stats().entries, 2);
});

t.test('callers may change what they get without changing the cache', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock() });
  const fetch = counted(() => answer('own.test', 'A', ['192.0.2.1'], 60, { cnames: ['c.test'] }));
  const first = await cache.resolve('own.test', 'A', fetch);
  first.records.push({ address: '203.0.113.1', ttl: 1 });
  (first.records[0] as { address: string }).address = 'changed';
  first.cnames.push('x');
  const again = await cache.resolve('own.test', 'A', fetch);
  t.same([again.records, again.cnames], [[{ address: '192.0.2.1', ttl: 60 }], ['c.test']]);
});

t.test('delete() and clear() forget settled entries; a fetch in flight still fills the cache', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock() });
  const a = counted(() => answer('d.test', 'A', ['192.0.2.1']));
  const aaaa = counted(() => answer('d.test', 'AAAA', ['2001:db8::1']));
  const refill = async () => Promise.all([cache.resolve('d.test', 'A', a), cache.resolve('d.test', 'AAAA', aaaa)]);
  await refill();
  cache.delete('D.test.', 'A');
  await refill();
  t.same([a.calls, aaaa.calls], [2, 1]);
  cache.delete('d.test', 'AAAA');
  await refill();
  t.same([a.calls, aaaa.calls], [2, 2]);
  cache.delete('d.test');
  await refill();
  t.same([a.calls, aaaa.calls], [3, 3]);
  cache.clear();
  t.equal(cache.stats().entries, 0);
  const gate = deferred<Answer>();
  const slow = counted(() => gate.promise);
  const pending = cache.resolve('late.test', 'A', slow);
  cache.clear();
  gate.resolve(answer('late.test', 'A', ['192.0.2.9']));
  await pending;
  t.equal((await cache.resolve('late.test', 'A', slow)).source, 'cache');
  t.equal(slow.calls, 1);
});

t.test('peek() gives a fresh entry at once (answer or remembered failure) and counts it; anything else is undefined and starts nothing', async (t) => {
  const clock = new FakeClock();
  const cache = new DnsCache({ clock, staleWhileRevalidate: 30 });
  t.teardown(() => cache.close());
  const fetch = counted(() => answer('peek.test', 'A', ['192.0.2.1'], 60));
  t.equal(cache.peek('peek.test', 'A'), undefined, 'missing');
  await cache.resolve('peek.test', 'A', fetch);
  clock.advance(59_000);
  t.same(cache.peek('PEEK.test.', 'A'), { ...answer('peek.test', 'A', ['192.0.2.1'], 1), source: 'cache' });
  t.equal(cache.peek('peek.test', 'AAAA'), undefined, 'the other type');
  t.equal(cache.stats().hits, 1);
  clock.advance(1000);
  t.equal(cache.peek('peek.test', 'A'), undefined, 'expired at its TTL: resolve() must serve it stale');
  t.equal(fetch.calls, 1, 'peek starts no refresh');
  t.equal((await cache.resolve('peek.test', 'A', fetch)).source, 'stale');
  await settle();
  t.equal(fetch.calls, 2, 'resolve() refreshed it');

  const fails = counted(() => Promise.reject(new DnsError('ENOTFOUND', { hostname: 'nx.test', rrtype: 'A', negativeTtl: 30 })));
  await cache.resolve('nx.test', 'A', fails).catch(() => {});
  const remembered = cache.peek('nx.test', 'A');
  t.type(remembered, DnsError, 'a remembered failure is returned, not thrown');
  t.match(remembered, { code: 'ENOTFOUND', hostname: 'nx.test', rrtype: 'A' });
  t.equal(cache.stats().negativeHits, 1);
  t.throws(() => cache.peek('peek.test', 'MX' as 'A'), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'type' });
  t.throws(() => cache.peek('', 'A'), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'name' });
  cache.close();
  t.equal(cache.peek('peek.test', 'A'), undefined, 'closed');
});

t.test('peekAddresses() gives one frozen list per fresh entry, counted as peek() counts', async (t) => {
  const clock = new FakeClock();
  const cache = new DnsCache({ clock });
  t.teardown(() => cache.close());
  t.equal(cache.peekAddresses('list.test', 'A'), undefined, 'missing');
  await cache.resolve(
    'list.test',
    'A',
    counted(() => answer('list.test', 'A', ['192.0.2.1', '192.0.2.2'], 60)),
  );
  // A leading zero does not pack (packed.ts): the entry keeps its strings.
  await cache.resolve(
    'list.test',
    'AAAA',
    counted(() => answer('list.test', 'AAAA', ['2001:DB8::1'], 60)),
  );
  await cache.resolve(
    'zero.test',
    'A',
    counted(() => answer('zero.test', 'A', ['192.0.2.01'], 60)),
  );
  const first = cache.peekAddresses('LIST.test.', 'A');
  t.same(first, ['192.0.2.1', '192.0.2.2']);
  t.ok(Object.isFrozen(first), 'frozen: every caller shares it');
  t.equal(cache.peekAddresses('list.test', 'A'), first, 'the same list while the entry is fresh');
  t.same(cache.peekAddresses('list.test', 'AAAA'), ['2001:DB8::1'], 'AAAA');
  t.same(cache.peekAddresses('zero.test', 'A'), ['192.0.2.01'], 'an unpacked entry too');
  t.equal(cache.stats().hits, 4);
  clock.advance(60_000);
  t.equal(cache.peekAddresses('list.test', 'A'), undefined, 'expired: resolve() serves it stale');
  await cache
    .resolve(
      'list.test',
      'A',
      counted(() => answer('list.test', 'A', ['192.0.2.1', '192.0.2.2'], 60)),
    )
    .catch(() => {});
  await settle();
  const refreshed = cache.peekAddresses('list.test', 'A');
  t.same(refreshed, ['192.0.2.1', '192.0.2.2']);
  t.not(refreshed, first, 'a new entry, a new list');

  await cache
    .resolve(
      'nx.test',
      'A',
      counted(() => Promise.reject(new DnsError('ENOTFOUND', { hostname: 'nx.test', rrtype: 'A', negativeTtl: 30 }))),
    )
    .catch(() => {});
  await cache
    .resolve(
      'sf.test',
      'A',
      counted(() => Promise.reject(new DnsError('ESERVFAIL', { hostname: 'sf.test', rrtype: 'A' }))),
    )
    .catch(() => {});
  t.match(cache.peekAddresses('nx.test', 'A'), { code: 'ENOTFOUND', hostname: 'nx.test', rrtype: 'A' }, 'a remembered failure is returned');
  t.type(cache.peekAddresses('sf.test', 'A'), DnsError);
  t.match(cache.stats(), { negativeHits: 1, errorHits: 1 });
  t.throws(() => cache.peekAddresses('list.test', 'MX' as 'A'), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'type' });
  cache.close();
  t.equal(cache.peekAddresses('list.test', 'A'), undefined, 'closed');
});
