import t from 'tap';
import { DnsCache } from '../../lib/cache/index.js';
import type { Answer, AddressRecordType } from '../../lib/dns/types.js';
import { DnsError } from '../../lib/errors.js';
import { FakeClock, settle } from '../helpers/fake-clock.js';

const answer = (name: string, type: AddressRecordType, ttl = 600): Answer => ({
  name,
  type,
  records: [{ address: type === 'A' ? '192.0.2.1' : '2001:db8::1', ttl }],
  ttl,
  cnames: [],
  server: undefined,
  source: 'dns',
});

/** Fetches per (name, type), counted; each answers at once unless `hold` keeps it pending until released. */
function upstream(hold = false) {
  const calls: string[] = [];
  const held = new Map<string, () => void>();
  const fetchFor = (name: string, type: AddressRecordType) => (_signal: AbortSignal) => {
    calls.push(`${name}/${type}`);
    if (!hold) return Promise.resolve(answer(name, type));
    return new Promise<Answer>((resolve) => held.set(`${name}/${type}`, () => resolve(answer(name, type))));
  };
  return { calls, held, fetchFor };
}

t.test('LRU: the least recently used (name, type) goes first, over both types', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock(), maxEntries: 3 });
  const up = upstream();
  const get = (name: string, type: AddressRecordType) => cache.resolve(name, type, up.fetchFor(name, type));
  await get('a.test', 'A');
  await get('a.test', 'AAAA');
  await get('b.test', 'A');
  await get('a.test', 'A'); // a/A used again: a/AAAA is now the oldest
  await get('c.test', 'AAAA');
  t.match(cache.stats(), { entries: 3, evictions: 1 });
  up.calls.length = 0;
  await get('a.test', 'A');
  await get('b.test', 'A');
  await get('c.test', 'AAAA');
  t.same(up.calls, [], 'a/A, b/A, c/AAAA kept');
  await get('a.test', 'AAAA');
  t.same(up.calls, ['a.test/AAAA'], 'a/AAAA was evicted');
  t.equal(cache.stats().evictions, 2, 'and its return pushed out the next oldest, a/A');
  await get('b.test', 'A');
  await get('a.test', 'A');
  t.same(up.calls, ['a.test/AAAA', 'a.test/A']);
});

t.test('eviction never strands waiters: fetches in flight are not entries', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock(), maxEntries: 1 });
  const up = upstream(true);
  const asks = ['a.test', 'b.test', 'c.test'].flatMap((n) => [1, 2].map(() => cache.resolve(n, 'A', up.fetchFor(n, 'A'))));
  await settle();
  for (const release of up.held.values()) release();
  const got = await Promise.all(asks);
  t.same(
    got.map((a) => a.name),
    ['a.test', 'a.test', 'b.test', 'b.test', 'c.test', 'c.test'],
  );
  t.match(cache.stats(), { entries: 1, evictions: 2, upstreamQueries: 3 });
});

t.test('maxInFlight: extra fetches queue and start in order as slots free', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock(), maxInFlight: 2 });
  const up = upstream(true);
  const names = ['q1.test', 'q2.test', 'q3.test', 'q4.test', 'q5.test'];
  const asks = names.map((n) => cache.resolve(n, 'A', up.fetchFor(n, 'A')));
  const again = cache.resolve('q4.test', 'A', up.fetchFor('q4.test', 'A'));
  await settle();
  t.same(up.calls, ['q1.test/A', 'q2.test/A']);
  t.match(cache.stats(), { inFlight: 2, queued: 3, coalesced: 1 });
  up.held.get('q2.test/A')?.();
  await settle();
  t.same(up.calls, ['q1.test/A', 'q2.test/A', 'q3.test/A']);
  for (const n of names.slice(2)) {
    up.held.get(`${n}/A`)?.();
    await settle();
  }
  up.held.get('q1.test/A')?.();
  t.same(
    (await Promise.all([...asks, again])).map((a) => a.name),
    [...names, 'q4.test'],
  );
  t.same(
    up.calls,
    names.map((n) => `${n}/A`),
  );
  t.match(cache.stats(), { inFlight: 0, queued: 0, upstreamQueries: 5 });
});

t.test('queueTimeout: a fetch waiting too long for a slot fails with ETIMEOUT, one timer for the whole queue', async (t) => {
  const clock = new FakeClock();
  const cache = new DnsCache({ clock, maxInFlight: 1, queueTimeout: 100 });
  const up = upstream(true);
  const ask = (n: string) => cache.resolve(n, 'AAAA', up.fetchFor(n, 'AAAA')).catch((e: unknown) => e);
  const busy = ask('busy.test');
  const first = ask('w1.test');
  const firstAgain = ask('w1.test');
  clock.advance(50);
  const second = ask('w2.test');
  await settle();
  t.same([clock.pending(), cache.stats().queued], [1, 2], 'one queue timer for two waiting fetches');
  await clock.advanceAsync(50);
  const err = await first;
  t.ok(err instanceof DnsError);
  t.match(err, { code: 'ETIMEOUT', hostname: 'w1.test', rrtype: 'AAAA', message: /waited 100 ms for an upstream slot/ });
  t.equal(await firstAgain, err, 'its waiters share the one error');
  t.same([cache.stats().queued, clock.pending()], [1, 1]);
  await clock.advanceAsync(49);
  t.equal(cache.stats().queued, 1, 'the second waits its own 100 ms');
  await clock.advanceAsync(1);
  t.match(await second, { code: 'ETIMEOUT', hostname: 'w2.test' });
  t.same(up.calls, ['busy.test/AAAA'], 'timed-out fetches were never called');
  t.match(cache.stats(), { queueTimeouts: 2, queued: 0, entries: 0 });
  t.equal(clock.pending(), 0);
  const retry = ask('w1.test');
  await settle();
  t.equal(cache.stats().queued, 1, 'a queue timeout is not remembered: the next asker queues again');
  up.held.get('busy.test/AAAA')?.();
  await settle();
  t.same(up.calls, ['busy.test/AAAA', 'w1.test/AAAA']);
  up.held.get('w1.test/AAAA')?.();
  t.match(await retry, { name: 'w1.test' });
  t.match(await busy, { name: 'busy.test' });
  t.equal(clock.pending(), 0, 'the queue timer is gone once the queue is empty');
});

t.test('maxQueued: beyond it a fetch fails at once with EQUEUEFULL (not ETIMEOUT: no server was asked) instead of piling up', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock(), maxInFlight: 1, maxQueued: 1 });
  const up = upstream(true);
  const ask = (n: string) => cache.resolve(n, 'A', up.fetchFor(n, 'A'));
  const closed = [ask('busy.test'), ask('queued.test')];
  await t.rejects(ask('over.test'), { code: 'EQUEUEFULL', hostname: 'over.test', message: /1 queries already wait/ });
  t.match(cache.stats(), { queueOverflows: 1, queued: 1, inFlight: 1 });
  const none = new DnsCache({ clock: new FakeClock(), maxInFlight: 1, maxQueued: 0 });
  closed.push(none.resolve('busy.test', 'A', up.fetchFor('busy.test', 'A')));
  await t.rejects(none.resolve('x.test', 'A', up.fetchFor('x.test', 'A')), { code: 'EQUEUEFULL' });
  cache.close();
  none.close();
  for (const p of closed) await t.rejects(p, { code: 'ECANCELLED' });
});

t.test('a refresh that times out in the queue serves the stale answer (RFC 8767)', async (t) => {
  const clock = new FakeClock();
  const cache = new DnsCache({ clock, maxInFlight: 1, queueTimeout: 300, staleWhileRevalidate: 0 });
  const up = upstream();
  await cache.resolve('old.test', 'A', up.fetchFor('old.test', 'A'));
  clock.advance(600_000);
  const hold = upstream(true);
  const busy = cache.resolve('busy.test', 'A', hold.fetchFor('busy.test', 'A'));
  const waiting = cache.resolve('old.test', 'A', up.fetchFor('old.test', 'A'));
  await clock.advanceAsync(300);
  const a = await waiting;
  t.same([a.source, a.ttl, a.records[0]?.address], ['stale', 30, '192.0.2.1']);
  t.match(cache.stats(), { queueTimeouts: 1, staleServed: 1 });
  cache.close();
  await t.rejects(busy, { code: 'ECANCELLED' });
});

t.test('a refresh refused by a full queue serves the stale answer at once and arms no timer', async (t) => {
  const clock = new FakeClock();
  const cache = new DnsCache({ clock, maxInFlight: 1, maxQueued: 0, staleWhileRevalidate: 0 });
  const up = upstream();
  await cache.resolve('old.test', 'A', up.fetchFor('old.test', 'A'));
  clock.advance(600_000);
  const busy = cache.resolve('busy.test', 'A', upstream(true).fetchFor('busy.test', 'A'));
  const a = await cache.resolve('old.test', 'A', up.fetchFor('old.test', 'A'));
  t.same([a.source, clock.pending()], ['stale', 0]);
  t.match(cache.stats(), { queueOverflows: 1, staleServed: 1 });
  cache.close();
  await t.rejects(busy, { code: 'ECANCELLED' });
});

t.test('hundreds of fetches listening on the close signal raise no MaxListeners warning', async (t) => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));
  const cache = new DnsCache();
  t.teardown(() => cache.close());
  const fetch = (signal: AbortSignal) =>
    new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
  const pending = Array.from({ length: 100 }, (_, i) => cache.resolve(`n${i}.test`, 'A', fetch).catch(() => undefined));
  await new Promise((resolve) => setImmediate(resolve));
  cache.close();
  await Promise.all(pending);
  await new Promise((resolve) => setImmediate(resolve));
  t.same(
    warnings.filter((w) => w.name === 'MaxListenersExceededWarning'),
    [],
  );
});
