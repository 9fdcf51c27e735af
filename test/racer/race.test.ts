import t from 'tap';
import { AllAttemptsFailedError, AttemptError, TimeoutError } from '../../lib/errors.js';
import type { AttemptCallbacks } from '../../lib/racer/attempt.js';
import { createRace } from '../../lib/racer/race.js';
import { RaceClock } from '../helpers/race-clock.js';
import { type AttemptScript, type DnsStep, plan, ScriptedResolver, simpleOrder } from '../helpers/race-fakes.js';
import { A4, A6, B4, B6, C4, C6, eventsOf, runRace, starts } from '../helpers/race-harness.js';

interface Scenario {
  name: string;
  dns: { AAAA?: DnsStep; A?: DnsStep };
  attempts: AttemptScript;
  timeout?: number;
  /** Expected attempt starts, `[address, ms]`. */
  starts: Array<[string, number]>;
  winner?: [string, number];
  /** Expected failure: error code, when, and the attempt errors' codes. */
  error?: { code: string; at: number; attempts?: string[] };
}

const both = (aaaa: string[], a: string[], aaaaAt = 0, aAt = 0) => ({ AAAA: { at: aaaaAt, addresses: aaaa }, A: { at: aAt, addresses: a } });

const scenarios: Scenario[] = [
  {
    name: 'R3: a positive AAAA first starts IPv6 at once; the A arriving mid-race is merged (R6), then dropped by the win (R15)',
    dns: both([A6], [A4], 10, 30),
    attempts: { [A6]: plan.ok(100) },
    starts: [[A6, 10]],
    winner: [A6, 110],
  },
  {
    name: 'R4: a positive A first waits the Resolution Delay; an AAAA inside it leads the order',
    dns: both([A6], [A4], 40, 10),
    attempts: { [A6]: plan.hang, [A4]: plan.ok(10) },
    starts: [
      [A6, 40],
      [A4, 290],
    ],
    winner: [A4, 300],
  },
  {
    name: 'R5: the Resolution Delay over, IPv4 goes first; the late AAAA is tried as soon as it comes (R6)',
    dns: both([A6], [A4], 500, 10),
    attempts: { [A4]: plan.hang, [A6]: plan.ok(5) },
    starts: [
      [A4, 60],
      [A6, 500],
    ],
    winner: [A6, 505],
  },
  {
    name: 'R5: AAAA negative before A: IPv4 starts as A arrives, with no delay',
    dns: { AAAA: { at: 5, error: 'ENODATA' }, A: { at: 20, addresses: [A4] } },
    attempts: { [A4]: plan.ok(3) },
    starts: [[A4, 20]],
    winner: [A4, 23],
  },
  {
    name: 'R5: AAAA negative during the Resolution Delay releases IPv4 at once',
    dns: { AAAA: { at: 30, error: 'ESERVFAIL' }, A: { at: 10, addresses: [A4] } },
    attempts: { [A4]: plan.ok(3) },
    starts: [[A4, 30]],
    winner: [A4, 33],
  },
  {
    name: 'R6: a late A answer is sorted into the addresses not yet tried, where it would have been had it come first',
    dns: both([A6, B6, C6], [A4, B4], 0, 100),
    attempts: {},
    timeout: 1100,
    starts: [
      [A6, 0],
      [A4, 250],
      [B6, 500],
      [B4, 750],
      [C6, 1000],
    ],
    error: { code: 'ERR_HE_TIMEOUT', at: 1100 },
  },
  {
    name: 'R17: every attempt refused: the next starts at each refusal, no waiting',
    dns: both([A6, B6], [A4, B4]),
    attempts: { [A6]: plan.refused(1), [B6]: plan.refused(1), [A4]: plan.refused(1), [B4]: plan.refused(1) },
    starts: [
      [A6, 0],
      [A4, 1],
      [B6, 2],
      [B4, 3],
    ],
    error: { code: 'ERR_HE_ALL_ATTEMPTS_FAILED', at: 4, attempts: ['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED'] },
  },
  {
    name: 'R11/R17: the latest attempt failing starts the next at once while an earlier one keeps running',
    dns: both([A6, B6], [A4]),
    attempts: { [A6]: plan.hang, [A4]: plan.refused(5), [B6]: plan.ok(20) },
    starts: [
      [A6, 0],
      [A4, 250],
      [B6, 255],
    ],
    winner: [B6, 275],
  },
  {
    name: 'R11/R12: an older attempt failing does not hurry the next start',
    dns: both([A6, B6], [A4]),
    attempts: { [A6]: plan.refused(300) },
    timeout: 600,
    starts: [
      [A6, 0],
      [A4, 250],
      [B6, 500],
    ],
    error: { code: 'ERR_HE_TIMEOUT', at: 600 },
  },
  {
    name: 'R15: more addresses than attempts: the first success ends it and the rest are never tried',
    dns: both([A6, B6, C6], [A4, B4, C4]),
    attempts: { [B6]: plan.ok(10) },
    starts: [
      [A6, 0],
      [A4, 250],
      [B6, 500],
    ],
    winner: [B6, 510],
  },
  {
    name: 'V5: TCP up with the TLS handshake pending postpones the next start by one delay',
    dns: both([A6], [A4]),
    attempts: { [A6]: plan.tls(20), [A4]: plan.tls(5, 10) },
    starts: [
      [A6, 0],
      [A4, 500],
    ],
    winner: [A4, 510],
  },
  {
    name: 'V5: TCP coming up after the timer fired does not postpone that start',
    dns: both([A6], [A4]),
    attempts: { [A6]: plan.tls(260), [A4]: plan.tls(5, 10) },
    starts: [
      [A6, 0],
      [A4, 250],
    ],
    winner: [A4, 260],
  },
  {
    name: 'V5: each attempt postpones the schedule at most once',
    dns: both([A6, B6], [A4, B4]),
    attempts: { [A6]: plan.tls(20), [A4]: plan.tls(5), [B6]: plan.hang, [B4]: plan.tls(1, 2) },
    starts: [
      [A6, 0],
      [A4, 500],
      [B6, 1000],
      [B4, 1250],
    ],
    winner: [B4, 1252],
  },
  {
    name: 'V5/R17: a TLS failure starts the next attempt at once',
    dns: both([A6], [A4]),
    attempts: { [A6]: plan.tlsFail(10, 30), [A4]: plan.tls(1, 2) },
    starts: [
      [A6, 0],
      [A4, 30],
    ],
    winner: [A4, 32],
  },
  {
    name: 'R15: two successes at the same moment: the first reported wins',
    dns: both([A6], [A4]),
    attempts: { [A6]: plan.ok(300), [A4]: plan.ok(50) },
    starts: [
      [A6, 0],
      [A4, 250],
    ],
    winner: [A6, 300],
  },
  {
    name: 'R17: a factory that throws counts as a failed attempt and the next starts at once',
    dns: both([A6], [A4]),
    attempts: { [A6]: 'throw', [A4]: plan.ok(1) },
    starts: [
      [A6, 0],
      [A4, 0],
    ],
    winner: [A4, 1],
  },
  {
    name: 'a failure reported from inside the factory call is handled once the call returns',
    dns: both([A6], [A4]),
    attempts: { [A6]: 'sync-fail', [A4]: plan.ok(1) },
    starts: [
      [A6, 0],
      [A4, 0],
    ],
    winner: [A4, 1],
  },
  {
    name: 'a factory that reports a failure and then throws fails that attempt once',
    dns: both([A6], [A4]),
    attempts: { [A6]: 'sync-fail-then-throw', [A4]: plan.refused(2) },
    starts: [
      [A6, 0],
      [A4, 0],
    ],
    error: { code: 'ERR_HE_ALL_ATTEMPTS_FAILED', at: 2, attempts: ['EFAKESTART', 'ECONNREFUSED'] },
  },
];

for (const s of scenarios) {
  t.test(s.name, async (t) => {
    const run = runRace({ dns: s.dns, attempts: s.attempts, timeout: s.timeout });
    await run.clock.advance(30_000);
    const { outcome, attempts, clock, events } = run;
    t.same(starts(events), s.starts, 'attempt starts');
    t.equal(outcome.settled, 1, 'settled exactly once');
    t.equal(clock.pending, 0, 'no timer left');
    if (s.winner) {
      t.equal(outcome.value?.winner.address, s.winner[0], 'winner');
      t.equal(outcome.at, s.winner[1], 'won at');
      t.equal(outcome.value?.socket.detached, true, 'winner handed over');
      t.equal(outcome.value?.socket.destroyed, false, 'winner kept');
      t.same(
        outcome.value?.attemptedAddresses,
        s.starts.map(([a]) => `${a}:443`),
      );
      t.same(attempts.live, [], 'every loser destroyed');
      t.equal(eventsOf(events, 'attempt:success').length, 1, 'one success event');
    }
    if (s.error) {
      t.match(outcome.error, { code: s.error.code });
      t.equal(outcome.at, s.error.at, 'failed at');
      if (s.error.attempts)
        t.same(
          (outcome.error as AllAttemptsFailedError).errors.map((e) => e.code),
          s.error.attempts,
        );
      t.same(attempts.live, [], 'no socket left');
    }
    t.equal(eventsOf(events, 'race:end').length, 1, 'one race:end');
  });
}

t.test('R15: losers are abandoned with reason "lost" and their sockets destroyed at the win', async (t) => {
  const run = runRace({ dns: both([A6, B6], [A4]), attempts: { [B6]: plan.ok(30) } });
  await run.clock.advance(600);
  t.same(
    starts(run.events).map(([a]) => a),
    [A6, A4, B6],
  );
  const abandoned = eventsOf(run.events, 'attempt:abandoned');
  t.same(
    abandoned.map((e) => [e.address, e.reason, e.ms]),
    [
      [A6, 'lost', 530],
      [A4, 'lost', 530],
    ],
  );
  t.same(
    run.attempts.sockets.map((s) => s.destroyed),
    [true, true, false],
  );
  const end = eventsOf(run.events, 'race:end')[0];
  t.match(end, { outcome: 'connected', winner: { address: B6, family: 6, attempt: 3, port: 443 }, ms: 530 });
  await run.clock.advance(10_000);
  t.equal(run.attempts.sockets.length, 3, 'no attempt after the win');
});

t.test('failures carry address, port, family, phase, code and duration', async (t) => {
  const run = runRace({ dns: both([A6], [A4]), attempts: { [A6]: plan.tlsFail(10, 30), [A4]: plan.refused(7) } });
  await run.clock.advance(100);
  const err = run.outcome.error as AllAttemptsFailedError;
  t.type(err, AllAttemptsFailedError);
  t.equal(err.hostname, 'dual.test');
  t.equal(err.port, 443);
  t.match(err.message, /\[2001:db8::1\]:443 TLS DEPTH_ZERO_SELF_SIGNED_CERT after 30 ms, 192\.0\.2\.1:443 ECONNREFUSED after 7 ms/);
  t.type(err.errors[0], AttemptError);
  t.match(err.errors[0], { address: A6, port: 443, family: 6, phase: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT', durationMs: 30 });
  t.match(err.errors[1], { address: A4, port: 443, family: 4, phase: 'tcp', code: 'ECONNREFUSED', durationMs: 7 });
  t.same(
    eventsOf(run.events, 'attempt:failure').map((e) => e.error),
    err.errors,
  );
  t.same(
    eventsOf(run.events, 'attempt:connected').map((e) => [e.address, e.ms]),
    [[A6, 10]],
  );
});

t.test('V5: the timeline shows each postponement', async (t) => {
  const run = runRace({ dns: both([A6], [A4]), attempts: { [A6]: plan.tls(20), [A4]: plan.tls(5, 10) } });
  await run.clock.advance(1000);
  t.same(
    eventsOf(run.events, 'attempt:delay-extended').map((e) => [e.ms, e.attempts, e.delay]),
    [[250, [1], 250]],
  );
});

t.test('R13: attempt starts are spaced by the Connection Attempt Delay in use', async (t) => {
  for (const delay of [10, 100, 2000]) {
    const run = runRace({ dns: both([A6, B6], [A4, B4]), delay, timeout: 10 * delay });
    await run.clock.advance(20 * delay);
    t.same(
      starts(run.events).map(([, ms]) => ms),
      [0, delay, 2 * delay, 3 * delay],
      `delay ${delay}`,
    );
  }
});

t.test('timeout: TimeoutError with the attempt errors so far as its cause', async (t) => {
  const run = runRace({ dns: both([A6], [A4]), attempts: { [A6]: plan.refused(5) }, timeout: 400 });
  await run.clock.advance(1000);
  const err = run.outcome.error as TimeoutError;
  t.type(err, TimeoutError);
  t.equal(err.timeout, 400);
  t.equal(run.outcome.at, 400);
  t.match(err.cause, { code: 'ERR_HE_ALL_ATTEMPTS_FAILED', errors: [{ address: A6 }] });
  t.same(
    eventsOf(run.events, 'attempt:abandoned').map((e) => [e.address, e.reason]),
    [[A4, 'timeout']],
  );
  t.same(run.attempts.live, []);
  t.equal(run.clock.pending, 0);
});

t.test('timeout during DNS: no cause, queries aborted', async (t) => {
  const run = runRace({ timeout: 100 });
  await run.clock.advance(1000);
  t.type(run.outcome.error, TimeoutError);
  t.equal((run.outcome.error as Error).cause, undefined);
  t.match(eventsOf(run.events, 'race:end'), [{ outcome: 'timeout', ms: 100 }]);
  t.equal(run.clock.pending, 0);
});

t.test('an attempt that reports out of turn is heard once, and not after the race is over', async (t) => {
  const calls: AttemptCallbacks[] = [];
  const destroyed: number[] = [];
  const clock = new RaceClock();
  let result: string | undefined;
  createRace(
    {
      host: 'dual.test',
      port: 1,
      families: [6],
      resolutionDelay: 50,
      connectionAttemptDelay: 250,
      clock,
      order: simpleOrder,
      resolver: new ScriptedResolver(clock, { AAAA: { at: 0, addresses: [A6, B6] } }),
      connectAttempt: (_target, callbacks) => {
        const index = calls.push(callbacks) - 1;
        return { socket: index, destroy: () => destroyed.push(index), detach: () => {} };
      },
    },
    { resolve: (r) => (result = `won ${r.socket}`), reject: (e) => (result = `failed ${String(e)}`) },
  ).start();
  await clock.advance(1);
  calls[0]?.failed(new Error('first'), 'tcp');
  calls[0]?.connected();
  calls[0]?.succeeded();
  calls[0]?.failed(new Error('again'), 'tcp');
  t.same(destroyed, [0], 'the failed attempt destroyed once');
  t.equal(result, undefined, 'a success after its own failure is ignored');
  calls[1]?.succeeded();
  calls[1]?.succeeded();
  calls[1]?.failed(new Error('late'), 'tcp');
  calls[1]?.connected();
  t.equal(result, 'won 1');
  t.same(destroyed, [0], 'the winner is not destroyed');
});
