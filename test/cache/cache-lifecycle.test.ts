import { getEventListeners } from 'node:events';
import t from 'tap';
import { foreignController } from '../helpers/foreign-signal.js';
import { DnsCache, type DnsCacheOptions } from '../../lib/cache/index.js';
import type { Answer } from '../../lib/dns/types.js';
import { AbortError, DnsError, InvalidArgumentError } from '../../lib/errors.js';
import { FakeClock, settle } from '../helpers/fake-clock.js';

const v4 = (name: string, address = '192.0.2.1', ttl = 60): Answer => ({
  name,
  type: 'A',
  records: [{ address, ttl }],
  ttl,
  cnames: [],
  server: undefined,
  source: 'dns',
});

/** A fetch that stays pending until the test releases it; it records the signal it got. */
function held() {
  const f = Object.assign(
    (signal: AbortSignal) => {
      f.calls++;
      f.signal = signal;
      return new Promise<Answer>((resolve) => (f.release = resolve));
    },
    { calls: 0, signal: undefined as AbortSignal | undefined, release: (_a: Answer) => {} },
  );
  return f;
}

t.test('R16: aborting one waiter rejects only it; the shared fetch goes on and fills the cache', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock() });
  const fetch = held();
  const controller = new AbortController();
  const leaving = cache.resolve('abort.test', 'A', fetch, { signal: controller.signal });
  const staying = [1, 2].map(() => cache.resolve('abort.test', 'A', fetch, { signal: new AbortController().signal }));
  await settle();
  t.equal(getEventListeners(controller.signal, 'abort').length, 1);
  controller.abort(new Error('user gave up'));
  const err = await leaving.catch((e: unknown) => e);
  t.ok(err instanceof AbortError);
  t.match(err, { name: 'AbortError', code: 'ABORT_ERR', cause: { message: 'user gave up' } });
  t.equal(getEventListeners(controller.signal, 'abort').length, 0, 'its listener is removed');
  t.equal(fetch.signal?.aborted, false, 'the fetch is not cancelled');
  fetch.release(v4('abort.test'));
  t.same(
    (await Promise.all(staying)).map((a) => a.source),
    ['dns', 'dns'],
  );
  t.equal((await cache.resolve('abort.test', 'A', fetch)).source, 'cache');
  t.equal(fetch.calls, 1);
});

t.test('a waiter whose fetch settles drops its abort listener', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock() });
  const fetch = held();
  const { signal } = new AbortController();
  const asking = cache.resolve('l.test', 'A', fetch, { signal });
  await settle();
  fetch.release(v4('l.test'));
  await asking;
  t.equal(getEventListeners(signal, 'abort').length, 0);
});

t.test('an already aborted signal rejects at once and fetches nothing', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock() });
  const fetch = held();
  await t.rejects(cache.resolve('pre.test', 'A', fetch, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  t.equal(fetch.calls, 0);
});

t.test('aborting a waiter on a stale refresh leaves the refresh running', async (t) => {
  const clock = new FakeClock();
  const cache = new DnsCache({ clock });
  await cache.resolve('s.test', 'A', async () => v4('s.test'));
  clock.advance(75_000);
  const fetch = held();
  const controller = new AbortController();
  const leaving = cache.resolve('s.test', 'A', fetch, { signal: controller.signal });
  await settle();
  controller.abort();
  await t.rejects(leaving, { name: 'AbortError' });
  fetch.release(v4('s.test', '192.0.2.2'));
  await settle();
  t.equal((await cache.resolve('s.test', 'A', fetch)).records[0]?.address, '192.0.2.2');
  t.equal(clock.pending(), 0);
});

t.test('close() aborts fetch signals, rejects every waiter with ECANCELLED and leaves no timer', async (t) => {
  const clock = new FakeClock();
  const cache = new DnsCache({ clock, maxInFlight: 1 });
  await cache.resolve('old.test', 'A', async () => v4('old.test'));
  clock.advance(75_000);
  const running = held();
  const waiting = [
    cache.resolve('old.test', 'A', running), // a stale refresh with its 1.8 s timer
    cache.resolve('queued.test', 'A', held()), // in the queue, with the queue timer
  ];
  await settle();
  t.equal(clock.pending(), 2);
  cache.close();
  t.equal(running.signal?.aborted, true);
  for (const w of waiting) await t.rejects(w, { name: 'DnsError', code: 'ECANCELLED', message: /cache closed/ });
  t.same([clock.pending(), cache.stats().entries, cache.stats().queued], [0, 0, 0]);
  running.release(v4('old.test'));
  await settle();
  t.equal(cache.stats().entries, 0, 'a late answer is dropped');
  await t.rejects(cache.resolve('old.test', 'A', running), { code: 'ECANCELLED', hostname: 'old.test', rrtype: 'A' });
  cache.close();
});

t.test('a fetch failing after close() changes nothing', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock() });
  let fail = (_e: unknown) => {};
  const asking = cache.resolve('late.test', 'AAAA', () => new Promise<Answer>((_, reject) => (fail = reject)));
  await settle();
  cache.close();
  await t.rejects(asking, { code: 'ECANCELLED', rrtype: 'AAAA', message: 'queryAaaa ECANCELLED AAAA late.test: cache closed' });
  fail(new DnsError('ESERVFAIL', { hostname: 'late.test', rrtype: 'AAAA' }));
  await settle();
  t.match(cache.stats(), { entries: 0, inFlight: 0 });
});

t.test('with the real clock, close() leaves no active timer in the process', async (t) => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  const cache = new DnsCache({ maxInFlight: 1, staleRefreshTimeout: 60_000, queueTimeout: 60_000 });
  const pending = [cache.resolve('one.test', 'A', held()), cache.resolve('two.test', 'A', held())];
  await settle();
  t.equal(timers(), before + 1, 'the queue timer');
  cache.close();
  for (const p of pending) await t.rejects(p, { code: 'ECANCELLED' });
  t.equal(timers(), before);
});

const badOptions: Array<{ options: unknown; option: string }> = [
  { options: null, option: 'options' },
  { options: 5, option: 'options' },
  { options: { clock: {} }, option: 'clock' },
  { options: { clock: null }, option: 'clock' },
  { options: { minTtl: -1 }, option: 'minTtl' },
  { options: { minTtl: 1.5 }, option: 'minTtl' },
  { options: { maxTtl: '60' }, option: 'maxTtl' },
  { options: { minTtl: 100, maxTtl: 10 }, option: 'minTtl' },
  { options: { negativeMinTtl: 100, negativeMaxTtl: 10 }, option: 'negativeMinTtl' },
  { options: { negativeMaxTtl: NaN }, option: 'negativeMaxTtl' },
  { options: { errorTtl: -0.5 }, option: 'errorTtl' },
  { options: { staleWhileRevalidate: Infinity }, option: 'staleWhileRevalidate' },
  { options: { maxStale: -1 }, option: 'maxStale' },
  { options: { staleTtl: 0.5 }, option: 'staleTtl' },
  { options: { staleRefreshTimeout: -1 }, option: 'staleRefreshTimeout' },
  { options: { failureRecheck: null }, option: 'failureRecheck' },
  { options: { maxEntries: 0 }, option: 'maxEntries' },
  { options: { maxInFlight: 1.5 }, option: 'maxInFlight' },
  { options: { maxQueued: -1 }, option: 'maxQueued' },
  { options: { queueTimeout: Infinity }, option: 'queueTimeout' },
  // Node keeps timer delays in 32 bits: a longer one fired after 1 ms.
  { options: { queueTimeout: 2 ** 31 }, option: 'queueTimeout' },
  { options: { staleRefreshTimeout: 2 ** 31 }, option: 'staleRefreshTimeout' },
  { options: 'yes', option: 'options' },
];
for (const c of badOptions) {
  t.test(`bad option ${JSON.stringify(c.options)} -> InvalidArgumentError naming ${c.option}`, async (t) => {
    t.throws(() => new DnsCache(c.options as DnsCacheOptions), { name: 'InvalidArgumentError', code: 'ERR_HE_INVALID_ARGUMENT', option: c.option });
  });
}

t.test('a signal made elsewhere (a polyfill, another realm) is an AbortSignal too (the same check as connect())', async (t) => {
  const controller = foreignController();
  t.notOk(controller.signal instanceof AbortSignal, 'not an AbortSignal of this realm');
  const cache = new DnsCache();
  t.teardown(() => cache.close());
  const pending = cache.resolve('x.test', 'A', () => new Promise<never>(() => {}), { signal: controller.signal });
  controller.abort();
  await t.rejects(pending, { name: 'AbortError' });
});

t.test('good options are taken as given', async (t) => {
  const clock = new FakeClock();
  const cache = new DnsCache({ clock, minTtl: 5, maxTtl: 5, maxEntries: 1, maxInFlight: 1, maxQueued: 0, errorTtl: 0, staleTtl: 0 });
  t.equal((await cache.resolve('x.test', 'A', async () => v4('x.test', '192.0.2.1', 999))).ttl, 5);
});

const fetch = async () => v4('x.test');
const badCalls: Array<{ what: string; call: (c: DnsCache) => unknown; option: string }> = [
  { what: 'a number name', call: (c) => c.resolve(5 as never, 'A', fetch), option: 'name' },
  { what: 'an empty name', call: (c) => c.resolve('', 'A', fetch), option: 'name' },
  { what: 'the root name', call: (c) => c.resolve('.', 'A', fetch), option: 'name' },
  { what: 'type MX', call: (c) => c.resolve('x.test', 'MX' as never, fetch), option: 'type' },
  { what: 'no fetch', call: (c) => c.resolve('x.test', 'A', undefined as never), option: 'fetch' },
  { what: 'null options', call: (c) => c.resolve('x.test', 'A', fetch, null as never), option: 'options' },
  { what: 'a fake signal', call: (c) => c.resolve('x.test', 'A', fetch, { signal: { aborted: false } as never }), option: 'signal' },
  { what: 'delete with type MX', call: (c) => c.delete('x.test', 'MX' as never), option: 'type' },
  { what: 'delete with no name', call: (c) => c.delete(undefined as never), option: 'name' },
];
for (const c of badCalls) {
  t.test(`${c.what} -> InvalidArgumentError naming ${c.option}`, async (t) => {
    const cache = new DnsCache();
    const outcome = await (async () => c.call(cache))().then(
      () => 'no error',
      (e: unknown) => e,
    );
    t.ok(outcome instanceof InvalidArgumentError);
    t.match(outcome, { option: c.option });
    t.same(cache.stats().upstreamQueries, 0);
  });
}

t.test('stats() starts at zero and is a copy', async (t) => {
  const cache = new DnsCache();
  const s = cache.stats();
  t.same(s, {
    hits: 0,
    misses: 0,
    coalesced: 0,
    staleServed: 0,
    negativeHits: 0,
    errorHits: 0,
    upstreamQueries: 0,
    refreshes: 0,
    queueTimeouts: 0,
    queueOverflows: 0,
    evictions: 0,
    entries: 0,
    inFlight: 0,
    queued: 0,
  });
  s.hits = 99;
  t.equal(cache.stats().hits, 0);
  t.ok(new DnsError('ENOTFOUND', { hostname: 'x' }) instanceof Error);
});
