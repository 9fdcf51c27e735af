import t from 'tap';
import { DnsError } from '../../lib/errors.js';
import { SystemBackend, type SystemAddress, type SystemLookup } from '../../lib/system/system-backend.js';
import { processSystemPool, SystemLookupPool } from '../../lib/system/system-pool.js';
import { ManualClock } from '../helpers/manual-clock.js';

interface Call {
  name: string;
  family: number;
  answer(addresses: SystemAddress[]): void;
  fail(code: string): void;
}

/** A lookup that holds every call until the test answers it. */
function heldLookup(): { lookup: SystemLookup; calls: Call[] } {
  const calls: Call[] = [];
  const lookup: SystemLookup = (name, options, callback) => {
    calls.push({
      name,
      family: options.family,
      answer: (addresses) => callback(null, addresses),
      fail: (code) => callback(Object.assign(new Error(`getaddrinfo ${code} ${name}`), { code, hostname: name, syscall: 'getaddrinfo' }), []),
    });
  };
  return { lookup, calls };
}

const V6 = { address: '2001:db8::1', family: 6 };
const V4 = { address: '192.0.2.1', family: 4 };

t.test('AAAA and A are two lookups, family 6 and family 4, answered as source system', async (t) => {
  const { lookup, calls } = heldLookup();
  const backend = new SystemBackend({ lookup, pool: new SystemLookupPool() });
  const aaaa = backend.query('Host.Example', 'AAAA');
  const a = backend.query('Host.Example', 'A');
  t.same(
    calls.map((c) => [c.name, c.family]),
    [
      ['Host.Example', 6],
      ['Host.Example', 4],
    ],
    'both started at once, name as asked',
  );
  calls[1]!.answer([V4, V4]);
  t.same(await a, { name: 'Host.Example', type: 'A', records: [{ address: '192.0.2.1', ttl: 0 }], ttl: 0, cnames: [], source: 'system' }, 'duplicates dropped');
  calls[0]!.answer([V6]);
  t.same((await aaaa).records, [{ address: '2001:db8::1', ttl: 0 }]);
  t.same(backend.stats(), { queries: 2, lookups: 2 });
  const signal = new AbortController().signal;
  const ok = backend.query('with.signal', 'A', { signal });
  const bad = backend.query('with.signal', 'AAAA', { signal });
  calls[2]!.answer([V4]);
  calls[3]!.fail('ENOTFOUND');
  t.equal((await ok).records.length, 1, 'a signal that never aborts');
  await t.rejects(bad, { code: 'ENOTFOUND' });
});

t.test('allFamilies: one family-0 lookup serves both types; a type it lacks is ENODATA', async (t) => {
  const { lookup, calls } = heldLookup();
  const backend = new SystemBackend({ lookup, pool: new SystemLookupPool() });
  const aaaa = backend.query('printer.local', 'AAAA', {}, true);
  const a = backend.query('printer.local', 'A', {}, true);
  t.same(
    calls.map((c) => c.family),
    [0],
    'one lookup',
  );
  calls[0]!.answer([V4]);
  t.same((await a).records, [{ address: '192.0.2.1', ttl: 0 }]);
  const err = await aaaa.catch((e: unknown) => e);
  t.match(err, { name: 'DnsError', code: 'ENODATA', hostname: 'printer.local', rrtype: 'AAAA' });
  t.same(backend.stats(), { queries: 2, lookups: 1 });
});

t.test('identical lookups in flight are one lookup (case and trailing dot ignored)', async (t) => {
  const { lookup, calls } = heldLookup();
  const backend = new SystemBackend({ lookup, pool: new SystemLookupPool() });
  const answers = [backend.query('a.example', 'A'), backend.query('A.EXAMPLE.', 'A'), backend.query('a.example', 'A')];
  t.equal(calls.length, 1);
  calls[0]!.answer([V4]);
  t.same(
    (await Promise.all(answers)).map((x) => x.records[0]!.address),
    ['192.0.2.1', '192.0.2.1', '192.0.2.1'],
  );
  backend.query('a.example', 'A');
  t.equal(calls.length, 2, 'nothing kept with ttl 0: the next query looks up again');
});

t.test('at most `max` lookups at once per pool; the rest start first in, first out', async (t) => {
  const { lookup, calls } = heldLookup();
  const pool = new SystemLookupPool(2);
  const one = new SystemBackend({ lookup, pool });
  const two = new SystemBackend({ lookup, pool });
  const pending = ['n1', 'n2', 'n3', 'n4', 'n5'].map((name, i) => (i % 2 === 0 ? one : two).query(`${name}.example`, 'A'));
  t.same(
    calls.map((c) => c.name),
    ['n1.example', 'n2.example'],
    'two running',
  );
  t.equal(pool.running, 2);
  t.equal(pool.queued, 3);
  calls[1]!.answer([V4]);
  t.same(
    calls.map((c) => c.name),
    ['n1.example', 'n2.example', 'n3.example'],
    'the head of the queue, across backends',
  );
  calls[0]!.fail('ENOTFOUND');
  calls[2]!.answer([V4]);
  t.same(calls.map((c) => c.name).slice(3), ['n4.example', 'n5.example']);
  calls[3]!.answer([V4]);
  calls[4]!.answer([V4]);
  const outcomes = await Promise.allSettled(pending);
  t.same(
    outcomes.map((o) => o.status),
    ['rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'],
  );
  t.equal(pool.running, 0);
});

t.test('1,000 lookups pending: 2 run, the rest wait in order, and one more is served after them, in turn', async (t) => {
  const { lookup, calls } = heldLookup();
  const pool = new SystemLookupPool();
  const backend = new SystemBackend({ lookup, pool, queueTimeout: 60_000 });
  const pending = Array.from({ length: 1000 }, (_, i) => backend.query(`n${i}.example`, 'A'));
  const further = backend.query('fresh.example', 'A');
  t.equal(calls.length, 2, 'the bound holds: two on the threadpool');
  t.equal(pool.queued, 999);
  for (let i = 0; calls.length > i; i++) calls[i]!.answer([V4]);
  t.equal(calls.length, 1001);
  t.same(
    calls.map((c) => c.name),
    [...Array.from({ length: 1000 }, (_, i) => `n${i}.example`), 'fresh.example'],
    'first in, first out',
  );
  t.equal((await further).records[0]!.address, '192.0.2.1');
  t.equal((await Promise.all(pending)).length, 1000);
  t.equal(pool.running, 0);
});

t.test('the default pool is the one of the process, 2 lookups', async (t) => {
  const { lookup, calls } = heldLookup();
  const backends = [new SystemBackend({ lookup }), new SystemBackend({ lookup })];
  const pending = [backends[0]!.query('x.example', 'A'), backends[1]!.query('y.example', 'A'), backends[1]!.query('z.example', 'A')];
  t.equal(calls.length, 2);
  t.equal(processSystemPool.max, 2);
  t.equal(processSystemPool.queued, 1);
  for (let i = 0; i < 3; i++) calls[i]!.answer([V4]);
  await Promise.all(pending);
  t.equal(processSystemPool.running, 0);
});

t.test('an aborted caller stops waiting: a queued lookup leaves the queue, a running one finishes unheard', async (t) => {
  const { lookup, calls } = heldLookup();
  const pool = new SystemLookupPool(1);
  const backend = new SystemBackend({ lookup, pool });
  const running = new AbortController();
  const queued = new AbortController();
  const first = backend.query('run.example', 'A', { signal: running.signal });
  const second = backend.query('queued.example', 'A', { signal: queued.signal });
  const third = backend.query('later.example', 'A');
  queued.abort();
  await t.rejects(second, { name: 'AbortError' });
  t.equal(pool.queued, 1, 'the aborted lookup left the queue');
  running.abort();
  await t.rejects(first, { name: 'AbortError' }, 'rejected at once, the lookup still runs');
  t.equal(pool.running, 1);
  calls[0]!.answer([V4]);
  t.same(
    calls.map((c) => c.name),
    ['run.example', 'later.example'],
    'queued.example never looked up',
  );
  calls[1]!.answer([V4]);
  t.equal((await third).records[0]!.address, '192.0.2.1');
  await t.rejects(backend.query('x.example', 'A', { signal: AbortSignal.abort() }), { name: 'AbortError' }, 'aborted before asking');
  t.equal(calls.length, 2);
});

t.test('a lookup others still wait for is not dropped when one caller aborts', async (t) => {
  const { lookup, calls } = heldLookup();
  const pool = new SystemLookupPool(1);
  const backend = new SystemBackend({ lookup, pool });
  const blocker = backend.query('blocker.example', 'A');
  const ac = new AbortController();
  const leaving = backend.query('shared.example', 'A', { signal: ac.signal });
  const staying = backend.query('shared.example', 'A');
  ac.abort();
  await t.rejects(leaving, { name: 'AbortError' });
  calls[0]!.answer([V4]);
  await blocker;
  t.same(
    calls.map((c) => c.name),
    ['blocker.example', 'shared.example'],
  );
  calls[1]!.answer([V4]);
  t.equal((await staying).records[0]!.address, '192.0.2.1');
});

t.test('queue bounds: at most maxQueued wait, each at most queueTimeout', async (t) => {
  const { lookup, calls } = heldLookup();
  const clock = new ManualClock();
  const pool = new SystemLookupPool(1);
  const backend = new SystemBackend({ lookup, pool, clock, maxQueued: 2, queueTimeout: 1000 });
  const running = backend.query('r.example', 'A');
  const q1 = backend.query('q1.example', 'A');
  clock.advance(400);
  const q2 = backend.query('q2.example', 'A');
  const over = backend.query('q3.example', 'A');
  const overErr = (await over.catch((e: unknown) => e)) as DnsError;
  t.match(overErr, { name: 'DnsError', code: 'ETIMEOUT', hostname: 'q3.example' });
  t.match(overErr.message, /2 system lookups already wait/);
  t.same(clock.pending, [1000], 'one timer, for the oldest');
  clock.advance(600);
  await t.rejects(q1, { code: 'ETIMEOUT', message: /waited 1000 ms for a system lookup slot/ });
  t.equal(pool.queued, 1);
  calls[0]!.answer([V4]);
  await running;
  t.same(
    calls.map((c) => c.name),
    ['r.example', 'q2.example'],
    'the expired one never started',
  );
  t.same(clock.pending, [], 'no timer while nothing waits');
  calls[1]!.answer([V4]);
  await q2;
  const zero = new SystemBackend({ lookup, pool: new SystemLookupPool(1), clock, maxQueued: 0 });
  const ran = zero.query('z1.example', 'A');
  await t.rejects(zero.query('z2.example', 'A'), { code: 'ETIMEOUT' }, 'maxQueued 0: no waiting at all');
  calls[2]!.answer([V4]);
  await ran;
});

t.test("errors keep Node's codes; any other is EAI_FAIL with the cause", async (t) => {
  const codes: Array<[string, string]> = [
    ['ENOTFOUND', 'ENOTFOUND'],
    ['EAI_AGAIN', 'EAI_AGAIN'],
    ['EAI_FAIL', 'EAI_FAIL'],
    ['EAI_MEMORY', 'EAI_MEMORY'],
    ['EAI_SYSTEM', 'EAI_SYSTEM'],
    ['EAI_BADFLAGS', 'EAI_FAIL'],
  ];
  for (const [given, kept] of codes) {
    const { lookup, calls } = heldLookup();
    const backend = new SystemBackend({ lookup, pool: new SystemLookupPool() });
    const pending = backend.query('gone.example', 'AAAA');
    calls[0]!.fail(given);
    const err = (await pending.catch((e: unknown) => e)) as DnsError;
    t.ok(err instanceof DnsError, given);
    t.match(err, { code: kept, hostname: 'gone.example', syscall: 'getaddrinfo', message: `getaddrinfo ${kept} gone.example` }, given);
    t.match(err.cause, { code: given });
  }
  const throwing = new SystemBackend({
    pool: new SystemLookupPool(),
    lookup: () => {
      throw new TypeError('bad');
    },
  });
  await t.rejects(throwing.query('x.example', 'A'), { code: 'EAI_FAIL', cause: { name: 'TypeError' } }, 'a synchronous throw');
  const twice = new SystemBackend({
    pool: new SystemLookupPool(),
    lookup: (_n, _o, cb) => {
      cb(null, [V4]);
      cb(null, [{ address: '192.0.2.99', family: 4 }]);
    },
  });
  t.equal((await twice.query('x.example', 'A')).records[0]!.address, '192.0.2.1', 'a second callback is ignored');
});

t.test('ttl keeps answers that long, counting down; peek gives them at once', async (t) => {
  const { lookup, calls } = heldLookup();
  const clock = new ManualClock();
  const backend = new SystemBackend({ lookup, pool: new SystemLookupPool(), clock, ttl: 30, maxEntries: 2 });
  t.equal(backend.peek('a.example', 'A'), undefined);
  const first = backend.query('a.example', 'A');
  calls[0]!.answer([V4]);
  t.same((await first).records, [{ address: '192.0.2.1', ttl: 30 }]);
  clock.advance(10_500);
  t.same((await backend.query('A.example', 'A')).records, [{ address: '192.0.2.1', ttl: 20 }], 'kept, case ignored');
  t.match(backend.peek('a.example', 'A'), { source: 'system', ttl: 20 });
  t.equal(backend.peek('a.example', 'AAAA'), undefined, 'per family');
  const mdns = backend.query('p.local', 'A', {}, true);
  calls[1]!.answer([V4]);
  await mdns;
  t.match(backend.peek('p.local', 'AAAA', true), { code: 'ENODATA' }, 'a kept family-0 answer without AAAA');
  t.equal(calls.length, 2);
  const third = backend.query('c.example', 'A');
  calls[2]!.answer([V4]);
  await third;
  t.equal(backend.peek('a.example', 'A'), undefined, 'maxEntries 2: the oldest went');
  clock.advance(29_000);
  t.ok(backend.peek('c.example', 'A'), 'fresh until its ttl is over');
  clock.advance(1000);
  t.equal(backend.peek('c.example', 'A'), undefined, 'expired');
  backend.query('c.example', 'A');
  t.equal(calls.length, 4, 'looked up again');
  t.same(backend.stats().lookups, 4);
});

t.test('close: every waiter gets ECANCELLED, queued lookups never start, running ones free their slot', async (t) => {
  const { lookup, calls } = heldLookup();
  const pool = new SystemLookupPool(1);
  const backend = new SystemBackend({ lookup, pool, ttl: 10 });
  const running = backend.query('r.example', 'A');
  const queued = backend.query('q.example', 'A');
  backend.close();
  await t.rejects(running, { code: 'ECANCELLED' });
  await t.rejects(queued, { code: 'ECANCELLED' });
  await t.rejects(backend.query('x.example', 'A'), { code: 'ECANCELLED' });
  t.equal(backend.peek('r.example', 'A'), undefined);
  t.equal(pool.queued, 0);
  calls[0]!.answer([V4]);
  t.equal(pool.running, 0, 'the slot came back');
  t.equal(calls.length, 1);
  backend.close();
});

t.test('the default lookup is dns.lookup (an IP literal: no query leaves the machine)', async (t) => {
  const backend = new SystemBackend();
  t.same((await backend.query('127.0.0.1', 'A')).records, [{ address: '127.0.0.1', ttl: 0 }]);
  await t.rejects(backend.query('127.0.0.1', 'AAAA'), { code: 'ENODATA' }, 'an IPv4 literal has no IPv6 address');
});
