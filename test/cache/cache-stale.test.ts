import t from 'tap';
import { DnsCache, type DnsCacheOptions } from '../../lib/cache/index.js';
import type { Answer } from '../../lib/dns/types.js';
import { AbortError, DnsError, type DnsErrorCode } from '../../lib/errors.js';
import { FakeClock, settle } from '../helpers/fake-clock.js';

const v4 = (address: string, ttl = 60): Answer => ({
  name: 'stale.test',
  type: 'A',
  records: [{ address, ttl }],
  ttl,
  cnames: [],
  server: '127.0.0.1:53',
  source: 'dns',
});

/**
 * A fetch whose replies the test scripts: each call takes the next queued reply (an
 * Answer, an error to reject with, or 'hold' to stay pending until released).
 */
function scripted(...replies: Array<Answer | Error | 'hold'>) {
  const held: Array<{ resolve: (a: Answer) => void; reject: (e: unknown) => void }> = [];
  const f = Object.assign(
    (_signal: AbortSignal): Promise<Answer> => {
      f.calls++;
      const reply = replies.shift() ?? new Error('unscripted call');
      if (reply === 'hold') return new Promise((resolve, reject) => held.push({ resolve, reject }));
      return reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply);
    },
    { calls: 0, held },
  );
  return f;
}

const fail = (code: DnsErrorCode) => new DnsError(code, { hostname: 'stale.test', rrtype: 'A', negativeTtl: 300 });

/** A cache holding stale.test → 192.0.2.1 (TTL 60) that expired `pastMs` ago. */
async function expired(pastMs: number, options: DnsCacheOptions, ...replies: Array<Answer | Error | 'hold'>) {
  const clock = new FakeClock();
  const cache = new DnsCache({ clock, ...options });
  const fetch = scripted(v4('192.0.2.1'), ...replies);
  await cache.resolve('stale.test', 'A', fetch);
  clock.advance(60_000 + pastMs);
  return { clock, cache, fetch };
}

const ask = (cache: DnsCache, fetch: ReturnType<typeof scripted>, signal?: AbortSignal) => cache.resolve('stale.test', 'A', fetch, { signal });

t.test('stale-while-revalidate: askers get the expired answer at once while ONE refresh runs', async (t) => {
  const { cache, fetch } = await expired(1, {}, 'hold');
  const got = await Promise.all(Array.from({ length: 50 }, () => ask(cache, fetch)));
  t.ok(got.every((a) => a.source === 'stale' && a.ttl === 30 && a.records[0]?.ttl === 30 && a.records[0]?.address === '192.0.2.1'));
  t.equal(fetch.calls, 2, 'one refresh');
  t.match(cache.stats(), { staleServed: 50, refreshes: 1, misses: 1, inFlight: 1 });
  fetch.held[0]?.resolve(v4('192.0.2.2', 120));
  await settle();
  const fresh = await ask(cache, fetch);
  t.same([fresh.source, fresh.records[0]?.address, fresh.ttl], ['cache', '192.0.2.2', 120]);
});

t.test('a failed background refresh makes no unhandled rejection; RFC 8767 §5 failure recheck holds retries back', async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  t.teardown(() => void process.off('unhandledRejection', onUnhandled));
  const { cache, fetch, clock } = await expired(1, { staleTtl: 7, failureRecheck: 20 }, fail('ESERVFAIL'), v4('192.0.2.3'));
  t.equal((await ask(cache, fetch)).source, 'stale');
  await settle();
  t.same(unhandled, []);
  clock.advance(19_999); // past the 10 s stale-while-revalidate window, inside the recheck window
  const a = await ask(cache, fetch);
  t.same([a.source, a.ttl, fetch.calls], ['stale', 7, 2]);
  clock.advance(1);
  const b = await ask(cache, fetch);
  t.same([b.source, b.records[0]?.address, fetch.calls], ['dns', '192.0.2.3', 3]);
});

const refreshFailures: Array<{ what: string; error: Error }> = [
  { what: 'ETIMEOUT', error: fail('ETIMEOUT') },
  { what: 'ESERVFAIL', error: fail('ESERVFAIL') },
  { what: 'EREFUSED', error: fail('EREFUSED') },
  { what: 'ECONNREFUSED', error: fail('ECONNREFUSED') },
  { what: 'AbortError', error: new AbortError() },
  { what: 'a plain Error', error: new Error('network down') },
];
for (const c of refreshFailures) {
  t.test(`serve-stale (RFC 8767): a refresh failing with ${c.what} answers with the stale data`, async (t) => {
    const { cache, fetch } = await expired(15_000, {}, c.error);
    const got = await Promise.all([ask(cache, fetch), ask(cache, fetch)]);
    t.same(
      got.map((a) => [a.source, a.ttl, a.records[0]?.address]),
      [
        ['stale', 30, '192.0.2.1'],
        ['stale', 30, '192.0.2.1'],
      ],
    );
    t.match(cache.stats(), { refreshes: 1, coalesced: 1, staleServed: 2, entries: 1 });
  });
}

for (const code of ['ENOTFOUND', 'ENODATA'] as const) {
  t.test(`an authoritative ${code} during a refresh replaces the stale answer`, async (t) => {
    const { cache, fetch } = await expired(15_000, {}, fail(code));
    await t.rejects(ask(cache, fetch), { code });
    await t.rejects(ask(cache, fetch), { code, negativeTtl: 300 });
    t.match(cache.stats(), { negativeHits: 1, staleServed: 0 });
    t.equal(fetch.calls, 2);
  });
}

t.test('a refresh answering TTL 0 is handed out and drops the stale answer', async (t) => {
  const { cache, fetch } = await expired(15_000, {}, v4('192.0.2.5', 0), fail('ESERVFAIL'));
  const a = await ask(cache, fetch);
  t.same([a.source, a.ttl, a.records[0]?.address], ['dns', 0, '192.0.2.5']);
  await t.rejects(ask(cache, fetch), { code: 'ESERVFAIL' }, 'nothing stale left to serve');
});

t.test('RFC 8767 §5 client response timer: a slow refresh gives waiters the stale answer after staleRefreshTimeout', async (t) => {
  const { cache, fetch, clock } = await expired(15_000, { staleRefreshTimeout: 500 }, 'hold');
  const first = ask(cache, fetch);
  await settle();
  clock.advance(200);
  const second = ask(cache, fetch);
  let settled = 0;
  void Promise.all([first, second]).then(() => settled++);
  await clock.advanceAsync(299);
  t.equal(settled, 0, 'still waiting for the refresh');
  await clock.advanceAsync(1);
  t.equal(settled, 1, "both released by the first waiter's timer");
  t.same((await first).source, 'stale');
  t.same((await second).source, 'stale');
  const third = await ask(cache, fetch);
  t.equal(third.source, 'stale', 'once the timer fired, later askers get stale at once');
  t.same([fetch.calls, clock.pending()], [2, 0]);
  fetch.held[0]?.resolve(v4('192.0.2.9'));
  await settle();
  t.equal((await ask(cache, fetch)).records[0]?.address, '192.0.2.9', 'the refresh still fills the cache');
});

t.test('a refresh answering before staleRefreshTimeout is served fresh and leaves no timer', async (t) => {
  const { cache, fetch, clock } = await expired(15_000, {}, 'hold');
  const waiting = ask(cache, fetch);
  await settle();
  t.same(clock.dueTimes(), [60_000 + 15_000 + 1800]);
  fetch.held[0]?.resolve(v4('192.0.2.4'));
  const a = await waiting;
  t.same([a.source, a.records[0]?.address, clock.pending()], ['dns', '192.0.2.4', 0]);
});

t.test('after a failed refresh, stale answers come at once until the failure recheck timer passes', async (t) => {
  const { cache, fetch, clock } = await expired(15_000, { failureRecheck: 30 }, fail('ETIMEOUT'), 'hold');
  t.equal((await ask(cache, fetch)).source, 'stale');
  clock.advance(29_999);
  t.equal((await ask(cache, fetch)).source, 'stale');
  t.equal(fetch.calls, 2);
  clock.advance(1);
  const waiting = ask(cache, fetch);
  await settle();
  t.equal(fetch.calls, 3, 'recheck passed: one new refresh');
  await clock.advanceAsync(1800);
  t.equal((await waiting).source, 'stale');
});

t.test('maxStale bounds serving stale: past it the entry is gone', async (t) => {
  const inside = await expired(99_999, { maxStale: 100 }, fail('ESERVFAIL'));
  t.equal((await ask(inside.cache, inside.fetch)).source, 'stale');
  const outside = await expired(100_000, { maxStale: 100 }, fail('ESERVFAIL'));
  await t.rejects(ask(outside.cache, outside.fetch), { code: 'ESERVFAIL' });
  t.match(outside.cache.stats(), { misses: 2, refreshes: 0, staleServed: 0 });
  const never = await expired(0, { maxStale: 0 }, fail('ESERVFAIL'));
  await t.rejects(ask(never.cache, never.fetch), { code: 'ESERVFAIL' }, 'maxStale 0 serves nothing stale');
});

t.test('staleWhileRevalidate 0: the first asker after expiry waits for the refresh', async (t) => {
  const { cache, fetch } = await expired(0, { staleWhileRevalidate: 0 }, v4('192.0.2.6'));
  t.equal((await ask(cache, fetch)).source, 'dns');
  t.match(cache.stats(), { refreshes: 1, staleServed: 0 });
});

t.test('a waiter on a refresh gets the stale answer even if the entry was deleted meanwhile', async (t) => {
  const { cache, fetch } = await expired(15_000, {}, 'hold');
  const waiting = ask(cache, fetch);
  await settle();
  cache.delete('stale.test');
  fetch.held[0]?.reject(fail('ESERVFAIL'));
  t.equal((await waiting).source, 'stale');
  await t.rejects(ask(cache, fetch), { code: 'ESERVFAIL' }, 'the next asker finds the failure remembered');
  t.equal(fetch.calls, 2);
});
