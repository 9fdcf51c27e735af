/**
 * Invariants of the scheduler over random scenarios (fast-check): whatever DNS and the
 * sockets do, the race settles once, tries each address at most once, leaves nothing
 * behind, keeps the start spacing and starts first where R3–R5 say.
 */
import fc from 'fast-check';
import t from 'tap';
import { AllAttemptsFailedError } from '../../lib/errors.js';
import { type AttemptStep, type DnsStep, plan } from '../helpers/race-fakes.js';
import { eventsOf, runRace, starts } from '../helpers/race-harness.js';

const V6 = ['2001:db8::1', '2001:db8::2', '2001:db8::3'];
const V4 = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
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

const scenario = fc.record({
  aaaa: dnsStep(V6),
  a: dnsStep(V4),
  outcomes: fc.tuple(...[...V6, ...V4].map(() => outcome)),
  delay: fc.integer({ min: 10, max: 2000 }),
  resolutionDelay: fc.integer({ min: 0, max: 200 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

/** R3–R5: when the first attempt starts, and with which family. */
function expectedFirst(s: Scenario): [number, 4 | 6] | undefined {
  const six = s.aaaa !== 'never' && 'addresses' in s.aaaa ? s.aaaa.at : undefined;
  const four = s.a !== 'never' && 'addresses' in s.a ? s.a.at : undefined;
  if (six !== undefined && (four === undefined || six <= four + s.resolutionDelay)) return [Math.max(six, 0), 6];
  if (four === undefined) return undefined;
  const sixFails = s.aaaa !== 'never' && 'error' in s.aaaa ? s.aaaa.at : Infinity;
  return [sixFails <= four ? four : Math.min(sixFails, four + s.resolutionDelay), 4];
}

t.test('scheduler invariants hold for random scenarios', async (t) => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      runs++;
      const script = Object.fromEntries([...V6, ...V4].map((address, i) => [address, s.outcomes[i] ?? plan.hang]));
      const run = runRace({ dns: { AAAA: s.aaaa, A: s.a }, attempts: script, delay: s.delay, resolutionDelay: s.resolutionDelay, timeout: 20_000 });
      await run.clock.advance(25_000);
      const started = starts(run.events);
      const failures = eventsOf(run.events, 'attempt:failure');
      const end = eventsOf(run.events, 'race:end');

      if (run.outcome.settled !== 1 || end.length !== 1) throw new Error('must settle exactly once');
      if (new Set(started.map(([a]) => a)).size !== started.length) throw new Error('an address was tried twice');
      if (run.clock.pending !== 0) throw new Error('a timer was left behind');
      if (run.attempts.live.length !== 0) throw new Error('a socket was left open');
      if (started.some(([, at]) => at > (end[0]?.ms ?? 0))) throw new Error('an attempt started after the end');
      if (eventsOf(run.events, 'attempt:success').length > 1) throw new Error('two winners');
      if (run.outcome.value?.socket.destroyed) throw new Error('the winner was destroyed');
      if (run.outcome.error instanceof AllAttemptsFailedError && run.outcome.error.errors.length !== started.length) {
        throw new Error('AllAttemptsFailedError must hold one error per attempt');
      }
      // R11-R13/R17: a start within the delay of the previous one only follows that one's failure.
      for (let i = 1; i < started.length; i++) {
        const [prev, prevAt] = started[i - 1] as [string, number];
        const at = (started[i] as [string, number])[1];
        const prevFailed = failures.some((f) => f.address === prev && f.ms <= at);
        if (at - prevAt < s.delay && !prevFailed) throw new Error(`start ${i + 1} came ${at - prevAt} ms after the previous one`);
      }
      const first = expectedFirst(s);
      const got = started[0] === undefined ? undefined : [started[0][1], started[0][0].includes(':') ? 6 : 4];
      if (JSON.stringify(got) !== JSON.stringify(first)) throw new Error(`first start ${JSON.stringify(got)}, expected ${JSON.stringify(first)}`);
    }),
    { numRuns: 300, seed: 8305 },
  );
  t.equal(runs >= 300, true, `${runs} scenarios checked`);
});
