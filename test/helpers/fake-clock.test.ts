// The fake clock the cache tests (and others) run on: it must itself be right.
import t from 'tap';
import { FakeClock, settle } from './fake-clock.js';

t.test('advance() fires due timers in order of due time, then of creation, each at its own time', async (t) => {
  const clock = new FakeClock(1000);
  const fired: Array<[string, number]> = [];
  const at = (label: string) => () => fired.push([label, clock.now()]);
  clock.setTimeout(at('c'), 30);
  clock.setTimeout(at('a'), 10);
  clock.setTimeout(at('b1'), 20);
  clock.setTimeout(at('b2'), 20);
  clock.setTimeout(at('late'), 31);
  clock.advance(30);
  t.same(fired, [
    ['a', 1010],
    ['b1', 1020],
    ['b2', 1020],
    ['c', 1030],
  ]);
  t.same([clock.now(), clock.pending(), clock.dueTimes()], [1030, 1, [1031]]);
  clock.advance(0);
  t.equal(fired.length, 4, 'advance(0) fires nothing not yet due');
  clock.advance(1);
  t.same(fired.at(-1), ['late', 1031]);
});

t.test('timers armed while advancing fire in the same advance when due within it', async (t) => {
  const clock = new FakeClock();
  const fired: number[] = [];
  clock.setTimeout(() => {
    fired.push(clock.now());
    clock.setTimeout(() => fired.push(clock.now()), 5);
    clock.setTimeout(() => fired.push(clock.now()), 50);
  }, 10);
  clock.advance(20);
  t.same(fired, [10, 15]);
  t.same([clock.now(), clock.pending()], [20, 1]);
});

t.test('clearTimeout() cancels; unknown handles are ignored', async (t) => {
  const clock = new FakeClock();
  let fired = 0;
  const handle = clock.setTimeout(() => fired++, 10);
  clock.setTimeout(() => fired++, 10);
  clock.clearTimeout(handle);
  clock.clearTimeout(handle);
  clock.clearTimeout(42);
  clock.clearTimeout({});
  t.equal(clock.pending(), 1);
  clock.advance(10);
  t.same([fired, clock.pending()], [1, 0]);
});

t.test('delays: bad or sub-millisecond delays act as 1 ms, like Node; every asked delay is recorded', async (t) => {
  const clock = new FakeClock();
  for (const ms of [0, -5, NaN, 0.5, 2]) clock.setTimeout(() => {}, ms);
  t.same(clock.dueTimes(), [1, 1, 1, 1, 2]);
  t.same(clock.delays, [0, -5, NaN, 0.5, 2]);
});

t.test('handles support unref()/ref()/hasRef() as Node timers do', async (t) => {
  const clock = new FakeClock();
  const handle = clock.setTimeout(() => {}, 1) as { unref(): unknown; ref(): unknown; hasRef(): boolean };
  t.equal(handle.hasRef(), true);
  t.equal(handle.unref(), handle);
  t.equal(handle.hasRef(), false);
  t.equal(handle.ref(), handle);
  t.equal(handle.hasRef(), true);
});

t.test('advanceAsync() lets promise chains arm timers that then fire within the step', async (t) => {
  const clock = new FakeClock();
  const fired: number[] = [];
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
  void (async () => {
    await sleep(10);
    fired.push(clock.now());
    await sleep(10);
    fired.push(clock.now());
  })();
  await clock.advanceAsync(25);
  t.same([fired, clock.now()], [[10, 20], 25]);
  clock.advance(5);
  await settle();
  t.equal(clock.now(), 30);
});

t.test('advance() rejects a negative or non-finite step', async (t) => {
  const clock = new FakeClock();
  t.throws(() => clock.advance(-1), RangeError);
  t.throws(() => clock.advance(Infinity), RangeError);
  await t.rejects(clock.advanceAsync(NaN), RangeError);
  t.equal(clock.now(), 0);
});
