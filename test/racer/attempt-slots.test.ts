/**
 * The process-wide bound on attempts being started (lib/racer/attempt-slots.ts): the
 * slot bookkeeping alone, then races sharing a bound on one fake clock. A waiting attempt
 * has not started: RFC 8305 §5 spacing (R11-R13, R17) counts from its real start.
 */
import t from 'tap';
import { AttemptSlots, DEFAULT_MAX_CONCURRENT_ATTEMPTS, setMaxConcurrentAttempts, sharedAttemptSlots } from '../../lib/racer/attempt-slots.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import * as api from '../../lib/index.js';
import { RaceClock } from '../helpers/race-clock.js';
import { plan } from '../helpers/race-fakes.js';
import { A4, A6, B4, B6, eventsOf, type RaceSetup, runRace, starts } from '../helpers/race-harness.js';

const tick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

t.test('slots: held at once while free, then a FIFO line; release hands the slot on', async (t) => {
  const slots = new AttemptSlots(2);
  const granted: string[] = [];
  const a = slots.request(() => granted.push('a'), false);
  const b = slots.request(() => granted.push('b'), false);
  const c = slots.request(() => granted.push('c'), false);
  const d = slots.request(() => granted.push('d'), false);
  t.same([a.state, b.state, c.state, d.state], ['held', 'held', 'waiting', 'waiting']);
  t.same([slots.held, slots.waiting], [2, 2]);
  a.release();
  t.equal(c.state, 'held', "the freed slot is the first waiter's at once");
  t.same(granted, [], 'it hears of it on a later tick, never from inside the release');
  await tick();
  t.same(granted, ['c'], 'first come first served');
  a.release();
  t.same([slots.held, slots.waiting], [2, 1], 'a second release of the same ticket changes nothing');
  d.release();
  t.same([slots.held, slots.waiting, d.state], [2, 0, 'done'], 'a waiting ticket leaves the line');
  b.release();
  c.release();
  await tick();
  t.same([slots.held, granted], [0, ['c']]);
});

t.test("slots: a grant never runs inside the release that freed it (another race's socket code), and not at all once released", async (t) => {
  const slots = new AttemptSlots(1);
  const holder = slots.request(() => {}, false);
  let inside = false;
  const heard: boolean[] = [];
  const waiter = slots.request(() => heard.push(inside), false);
  inside = true;
  holder.release();
  inside = false;
  await tick();
  t.same(heard, [false], 'granted after the release returned');
  const next = slots.request(() => heard.push(true), false);
  waiter.release();
  t.equal(next.state, 'held');
  next.release();
  await tick();
  t.same([heard, slots.held], [[false], 0], 'a ticket released before it heard of its grant is never told');
});

t.test('slots: the next attempts of races under way go before the first attempts of new races', async (t) => {
  const slots = new AttemptSlots(1);
  const order: string[] = [];
  const tickets = new Map<string, ReturnType<AttemptSlots['request']>>();
  const ask = (name: string, followUp: boolean): void => {
    tickets.set(
      name,
      slots.request(() => order.push(name), followUp),
    );
  };
  ask('holder', false);
  ask('new 1', false);
  ask('next 1', true);
  ask('new 2', false);
  ask('next 2', true);
  t.equal(slots.request(() => {}, false).state, 'waiting', 'nobody jumps a line that is not empty');
  // Each holder in turn lets go: the lines drain in their order.
  for (let holder = 'holder'; tickets.get(holder)?.state === 'held'; holder = order[order.length - 1]!) {
    tickets.get(holder)!.release();
    await tick();
    if (order.length === 4) break;
  }
  t.same(order, ['next 1', 'next 2', 'new 1', 'new 2']);
});

t.test('slots: raising the bound grants waiting tickets at once; lowering it lets held ones drain', async (t) => {
  const slots = new AttemptSlots(1);
  const granted: number[] = [];
  const held = [slots.request(() => {}, false)];
  for (let i = 1; i <= 3; i++) slots.request(() => granted.push(i), false);
  slots.limit = 3;
  await tick();
  t.same(granted, [1, 2], 'two more slots, two grants, in order');
  t.same([slots.held, slots.waiting], [3, 1]);
  slots.limit = 1;
  t.equal(slots.held, 3, 'nobody is taken off a slot');
  held[0]!.release();
  t.same([granted, slots.held], [[1, 2], 2], 'still above the bound: no grant');
  slots.limit = Number.POSITIVE_INFINITY;
  await tick();
  t.same([granted, slots.held, slots.waiting], [[1, 2, 3], 3, 0]);
});

t.test('slots: the bound must be an integer >= 1 or Infinity', async (t) => {
  for (const bad of [0, -1, 1.5, Number.NaN, '3', null, Number.NEGATIVE_INFINITY]) {
    t.throws(() => new AttemptSlots(bad as number), InvalidArgumentError, String(bad));
    t.throws(() => setMaxConcurrentAttempts(bad as number), { name: 'InvalidArgumentError', option: 'maxConcurrentAttempts' } as unknown as Error);
  }
  t.equal(sharedAttemptSlots.limit, DEFAULT_MAX_CONCURRENT_ATTEMPTS, 'bad values leave the bound as it was');
  t.equal(DEFAULT_MAX_CONCURRENT_ATTEMPTS, 256);
  t.equal(api.setMaxConcurrentAttempts(64), 256, 'exported; returns the previous bound');
  t.equal(sharedAttemptSlots.limit, 64);
  t.equal(setMaxConcurrentAttempts(256), 64);
});

/** Two races on one clock sharing a bound of one slot. */
function twoRaces(a: RaceSetup, b: RaceSetup) {
  const clock = new RaceClock();
  const slots = new AttemptSlots(1);
  const first = runRace({ ...a, clock, slots });
  const second = runRace({ ...b, clock, slots });
  return { clock, slots, first, second };
}

const both: RaceSetup['dns'] = { AAAA: { at: 0, addresses: [A6, B6] }, A: { at: 0, addresses: [A4, B4] } };

t.test("R12 with a bound of 1: a waiting race starts when the holder's timer fires, and spacing counts from real starts", async (t) => {
  const { clock, slots, first, second } = twoRaces({ dns: both }, { dns: both });
  await clock.advance(1_600);
  // first: A6 at 0; second waits, starts A6 at 250 (first's timer). first's follow-up waits
  // for second's timer (500), second's follow-up for first's (750), and so on.
  t.same(starts(first.events), [
    [A6, 0],
    [A4, 500],
    [B6, 1000],
    [B4, 1500],
  ]);
  t.same(starts(second.events), [
    [A6, 250],
    [A4, 750],
    [B6, 1250],
  ]);
  t.same([slots.held, slots.waiting], [1, 1], "first's B4 holds the slot until its timer; second's B4 waits");
  first.control.cancel();
  second.control.cancel();
  t.same([slots.held, slots.waiting], [0, 0], 'cancelling releases held and waiting slots');
});

t.test('R15/R17: a win or a failure hands the slot on at once', async (t) => {
  const { clock, first, second } = twoRaces(
    { dns: both, attempts: { [A6]: plan.refused(30), [A4]: plan.ok(40) } },
    { dns: both, attempts: { [A6]: plan.ok(5) } },
  );
  await clock.advance(1_000);
  t.same(
    starts(first.events),
    [
      [A6, 0],
      [A4, 35],
    ],
    'A6 failed at 30 → second ran A6 (won at 35) → first A4 at 35',
  );
  t.same(starts(second.events), [[A6, 30]]);
  t.equal(first.outcome.value?.socket.address, A4);
  t.equal(second.outcome.value?.socket.address, A6);
});

t.test('a cancelled race leaves the line: it never starts an attempt', async (t) => {
  const { clock, slots, first, second } = twoRaces({ dns: both }, { dns: both });
  await clock.advance(100);
  t.equal(slots.waiting, 1);
  second.control.cancel();
  t.equal(slots.waiting, 0);
  await clock.advance(1_000);
  t.same(starts(second.events), []);
  t.equal(second.outcome.error?.constructor.name, 'CancelError');
  t.same(
    starts(first.events).map(([, ms]) => ms),
    [0, 250, 500, 750],
    'the holder is not held back by a race that left',
  );
  first.control.cancel();
});

t.test('an attempt that cannot start (factory throws) gives its slot back; the next address asks again', async (t) => {
  const slots = new AttemptSlots(1);
  const dns: RaceSetup['dns'] = { AAAA: { at: 0, addresses: [A6] }, A: { at: 0, addresses: [A4] } };
  const run = runRace({ dns, attempts: { [A6]: 'throw', [A4]: plan.ok(10) }, slots });
  await run.clock.advance(100);
  t.same(
    starts(run.events),
    [
      [A6, 0],
      [A4, 0],
    ],
    'R17: the next at once',
  );
  t.equal(run.outcome.value?.socket.address, A4);
  t.same([slots.held, slots.waiting], [0, 0]);
});

t.test('V5: the slot goes when the attempt timer fires, even while TLS postpones the next start', async (t) => {
  const slots = new AttemptSlots(1);
  const run = runRace({ dns: both, attempts: { [A6]: plan.tls(100) }, slots });
  const other = runRace({ dns: both, clock: run.clock, slots });
  await run.clock.advance(260);
  t.equal(eventsOf(run.events, 'attempt:delay-extended').length, 1, 'the race waits one more delay');
  t.same(starts(other.events), [[A6, 250]], 'but the slot went to the other race at 250');
  run.control.cancel();
  other.control.cancel();
  t.same([slots.held, slots.waiting], [0, 0]);
});
