/**
 * Invariants of the scheduler (fast-check, injected clock) when several races run at once
 * under a shared bound on attempts being started, and are cancelled, aborted or timed out
 * at random moments. For any DNS timing and attempt outcomes:
 * - each race ends once: one winner, or one error (all-attempts-failed with one error per
 *   attempt, DNS, cancel, abort or timeout);
 * - R11-R13/R17: no two starts of a race closer than its delay unless the earlier failed;
 * - R15: every loser is destroyed, the winner is not; no attempt starts after the end;
 * - each address is tried at most once, and only addresses DNS gave;
 * - at no moment do more attempts hold a slot than the bound, and nothing waits at the end;
 * - no timer is left behind.
 */
import fc from 'fast-check';
import { CancelError } from 'p-cancelable';
import t from 'tap';
import { AbortError, AllAttemptsFailedError, DnsError, TimeoutError } from '../../lib/errors.js';
import { AttemptSlots } from '../../lib/racer/attempt-slots.js';
import { RaceClock } from '../helpers/race-clock.js';
import { type AttemptStep, type DnsStep, plan } from '../helpers/race-fakes.js';
import { type RaceRun, eventsOf, runRace, starts } from '../helpers/race-harness.js';

const V6 = ['2001:db8::1', '2001:db8::2', '2001:db8::3'];
const V4 = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
const ALL = [...V6, ...V4];
const ms = fc.integer({ min: 0, max: 600 });

const dnsStep = (pool: string[]): fc.Arbitrary<DnsStep> =>
  fc.oneof(
    fc.record({ at: ms, addresses: fc.subarray(pool, { minLength: 1 }) }),
    fc.record({ at: ms, error: fc.constantFrom('ENODATA' as const, 'ENOTFOUND' as const, 'ETIMEOUT' as const) }),
    fc.constant('never' as const),
  );

const outcome: fc.Arbitrary<AttemptStep[]> = fc.oneof(
  fc.constant(plan.hang),
  ms.map(plan.ok),
  ms.map(plan.refused),
  fc.tuple(ms, ms).map(([a, b]) => plan.tls(a, a + b)),
  ms.map((a) => plan.tls(a)),
  fc.tuple(ms, ms).map(([a, b]) => plan.tlsFail(a, a + b)),
);

const raceScenario = fc.record({
  aaaa: dnsStep(V6),
  a: dnsStep(V4),
  outcomes: fc.tuple(...ALL.map(() => outcome)),
  delay: fc.integer({ min: 10, max: 600 }),
  resolutionDelay: fc.integer({ min: 0, max: 200 }),
  /** When the caller gives up, and how; 'none' leaves the race to its 20 s timeout. */
  end: fc.oneof(
    fc.constant({ how: 'none' as const, at: 0 }),
    fc.record({ how: fc.constantFrom('cancel' as const, 'abort' as const, 'timeout' as const), at: fc.integer({ min: 0, max: 3000 }) }),
  ),
});

const scenario = fc.record({
  limit: fc.constantFrom(1, 2, 3, Number.POSITIVE_INFINITY),
  races: fc.array(raceScenario, { minLength: 1, maxLength: 4 }),
});

type RaceScenario = typeof raceScenario extends fc.Arbitrary<infer S> ? S : never;

function start(s: RaceScenario, clock: RaceClock, slots: AttemptSlots): RaceRun {
  const controller = new AbortController();
  const attempts = Object.fromEntries(ALL.map((address, i) => [address, s.outcomes[i] ?? plan.hang]));
  const timeout = s.end.how === 'timeout' ? Math.max(1, s.end.at) : 20_000;
  const run = runRace({
    dns: { AAAA: s.aaaa, A: s.a },
    attempts,
    delay: s.delay,
    resolutionDelay: s.resolutionDelay,
    timeout,
    signal: controller.signal,
    clock,
    slots,
  });
  if (s.end.how === 'cancel') clock.setTimeout(() => run.control.cancel(), s.end.at);
  if (s.end.how === 'abort') clock.setTimeout(() => controller.abort(), s.end.at);
  return run;
}

/** Every invariant of one race; throws naming the first broken one. */
function checkRace(s: RaceScenario, run: RaceRun): void {
  const { events, outcome: result } = run;
  const started = starts(events);
  const ends = eventsOf(events, 'race:end');
  const wins = eventsOf(events, 'attempt:success');
  const failures = eventsOf(events, 'attempt:failure');
  if (result.settled !== 1 || ends.length !== 1) throw new Error('must settle exactly once');
  if (events[events.length - 1]!.type !== 'race:end') throw new Error('an event came after the end');
  const given = new Set([s.aaaa, s.a].flatMap((step) => (step !== 'never' && 'addresses' in step ? step.addresses : [])));
  if (new Set(started.map(([a]) => a)).size !== started.length) throw new Error('an address was tried twice');
  if (started.some(([a]) => !given.has(a))) throw new Error('an address DNS never gave was tried');
  if (s.end.how !== 'none' && started.some(([, at]) => at > s.end.at)) throw new Error(`an attempt started after the ${s.end.how}`);
  if (run.attempts.live.length !== 0) throw new Error('a loser was left open');
  if (result.value) {
    if (wins.length !== 1 || wins[0]!.address !== result.value.socket.address) throw new Error('one winner, the one handed back');
    if (result.value.socket.destroyed || !result.value.socket.detached) throw new Error('the winner must be handed over, not destroyed');
    if (run.attempts.sockets.some((socket) => socket !== result.value!.socket && !socket.destroyed)) throw new Error('a loser was not destroyed');
  } else {
    if (wins.length !== 0) throw new Error('a success without a winner');
    const error = result.error;
    const expected =
      error instanceof CancelError
        ? s.end.how === 'cancel'
        : error instanceof AbortError
          ? s.end.how === 'abort'
          : error instanceof TimeoutError
            ? true
            : error instanceof AllAttemptsFailedError
              ? error.errors.length === started.length && failures.length === started.length
              : error instanceof DnsError
                ? started.length === 0
                : false;
    if (!expected) throw new Error(`unexpected error ${String(error)} for end ${s.end.how}`);
  }
  for (let i = 1; i < started.length; i++) {
    const [prev, prevAt] = started[i - 1]!;
    const at = started[i]![1];
    const prevFailed = failures.some((f) => f.address === prev && f.ms <= at);
    if (at - prevAt < s.delay && !prevFailed) throw new Error(`start ${i + 1} came ${at - prevAt} ms after the previous one`);
  }
}

/**
 * An attempt holds its slot from its start until it ends or its attempt timer fires
 * (start + delay): the most such intervals open at once, over every race.
 */
function mostSlotsHeld(scenarios: RaceScenario[], runs: RaceRun[]): number {
  const edges: Array<[number, number]> = [];
  runs.forEach((run, r) => {
    const ended = eventsOf(run.events, 'attempt:success').concat(
      eventsOf(run.events, 'attempt:failure') as never[],
      eventsOf(run.events, 'attempt:abandoned') as never[],
    );
    for (const [address, at] of starts(run.events)) {
      const end = ended.find((e) => e.address === address)?.ms ?? Infinity;
      edges.push([at, 1], [Math.min(end, at + scenarios[r]!.delay), -1]);
    }
  });
  // Half-open intervals: at equal times releases come before grants.
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let held = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (held += step));
  return most;
}

t.test('races under a shared bound keep every invariant, for any timing, outcome and ending', async (t) => {
  let races = 0;
  let binding = 0;
  await fc.assert(
    fc.asyncProperty(scenario, async ({ limit, races: scenarios }) => {
      const clock = new RaceClock();
      const slots = new AttemptSlots(limit);
      const runs = scenarios.map((s) => start(s, clock, slots));
      await clock.advance(25_000);
      races += runs.length;
      runs.forEach((run, i) => checkRace(scenarios[i]!, run));
      const most = mostSlotsHeld(scenarios, runs);
      if (most > limit) throw new Error(`${most} attempts held slots at once, bound ${limit}`);
      if (most === limit) binding++;
      if (slots.held !== 0 || slots.waiting !== 0) throw new Error(`slots left: ${slots.held} held, ${slots.waiting} waiting`);
      if (clock.pending !== 0) throw new Error('a timer was left behind');
    }),
    { numRuns: 400, seed: 0x8305 },
  );
  t.ok(races >= 400, `${races} races checked`);
  t.ok(binding >= 50, `the bound was reached in ${binding} scenarios`);
});
