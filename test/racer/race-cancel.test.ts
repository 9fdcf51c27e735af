import { getEventListeners } from 'node:events';
import t, { type Test } from 'tap';
import { CancelError } from 'p-cancelable';
import { AbortError } from '../../lib/errors.js';
import type { Candidate } from '../../lib/address/types.js';
import { settle } from '../helpers/race-clock.js';
import { plan, type QueryCall, simpleOrder } from '../helpers/race-fakes.js';
import { A4, A6, B6, eventsOf, type RaceRun, runRace, starts } from '../helpers/race-harness.js';

const dns = { AAAA: { at: 100, addresses: [A6, B6] }, A: { at: 20, addresses: [A4] } };

interface Phase {
  name: string;
  /** When to stop the race, ms. */
  at: number;
  /** Attempt starts expected before the stop. */
  started: string[];
  /** Sockets open at the stop, abandoned by it. */
  abandoned: string[];
}

const phases: Phase[] = [
  { name: 'during DNS', at: 10, started: [], abandoned: [] },
  { name: 'during the Resolution Delay', at: 40, started: [], abandoned: [] },
  { name: 'mid-race', at: 400, started: [A4, A6], abandoned: [A4, A6] },
];

const calls = (run: RaceRun): QueryCall[] => (run.resolver as unknown as { calls: QueryCall[] }).calls;

async function stopsCleanly(t: Test, run: RaceRun, phase: Phase, reason: 'cancelled' | 'aborted'): Promise<void> {
  await settle(); // events reach onEvent on a microtask
  t.same(
    starts(run.events).map(([a]) => a),
    phase.started,
    'started before the stop',
  );
  t.equal(run.outcome.settled, 1);
  t.equal(run.outcome.at, phase.at, 'settled at once');
  t.same(run.attempts.live, [], 'no socket left');
  t.equal(run.clock.pending, 0, 'no timer left');
  t.ok(
    calls(run).every((c) => c.settled || c.signal?.aborted),
    'every DNS wait still pending released',
  );
  t.same(
    eventsOf(run.events, 'attempt:abandoned').map((e) => [e.address, e.reason]),
    phase.abandoned.map((a) => [a, reason]),
  );
  t.match(eventsOf(run.events, 'race:end'), [{ outcome: reason, ms: phase.at }]);
  await run.clock.advance(10_000);
  t.equal(run.attempts.sockets.length, phase.started.length, 'no attempt after the stop');
}

for (const phase of phases) {
  t.test(`cancel() ${phase.name}: CancelError, nothing left behind`, async (t) => {
    const run = runRace({ dns });
    await run.clock.advance(phase.at);
    run.control.cancel();
    t.type(run.outcome.error, CancelError);
    await stopsCleanly(t, run, phase, 'cancelled');
    run.control.cancel();
    t.equal(run.outcome.settled, 1, 'a second cancel does nothing');
  });

  t.test(`signal aborted ${phase.name}: AbortError carrying the reason, nothing left behind`, async (t) => {
    const controller = new AbortController();
    const run = runRace({ dns, signal: controller.signal });
    await run.clock.advance(phase.at);
    controller.abort(new Error('user left'));
    t.type(run.outcome.error, AbortError);
    t.match(run.outcome.error, { name: 'AbortError', code: 'ABORT_ERR', cause: { message: 'user left' } });
    t.equal(getEventListeners(controller.signal, 'abort').length, 0, 'listener removed');
    await stopsCleanly(t, run, phase, 'aborted');
  });
}

t.test('an already aborted signal rejects at once: no query, no socket, no timer', async (t) => {
  const controller = new AbortController();
  controller.abort();
  const run = runRace({ dns, signal: controller.signal, timeout: 1000 });
  t.type(run.outcome.error, AbortError);
  t.equal(run.outcome.at, 0);
  t.same(calls(run), []);
  t.equal(run.clock.pending, 0);
  t.equal(getEventListeners(controller.signal, 'abort').length, 0);
  t.match(run.events, []);
  await run.clock.advance(1);
  t.match(run.events, [{ type: 'race:end', outcome: 'aborted' }]);
});

t.test('after the win, cancel() and abort change nothing and the winner stays open', async (t) => {
  const controller = new AbortController();
  const run = runRace({ dns, signal: controller.signal, attempts: { [A4]: plan.hang, [A6]: plan.ok(10) } });
  await run.clock.advance(400);
  t.equal(run.outcome.value?.winner.address, A6);
  t.equal(getEventListeners(controller.signal, 'abort').length, 0, 'listener removed at the win');
  run.control.cancel();
  controller.abort();
  t.equal(run.outcome.settled, 1);
  t.equal(run.outcome.value?.socket.destroyed, false);
  t.equal(run.clock.pending, 0);
});

t.test('cancel while the order function is still working: its result is ignored', async (t) => {
  let finish: (() => void) | undefined;
  const order = (candidates: Candidate[]): Promise<Candidate[]> =>
    new Promise((resolve) => {
      finish = () => resolve(simpleOrder(candidates));
    });
  const run = runRace({ dns: { AAAA: { at: 0, addresses: [A6, B6] }, A: { at: 0, error: 'ENODATA' } }, order });
  await run.clock.advance(5);
  t.same(starts(run.events), [], 'nothing starts before the order is known');
  run.control.cancel();
  finish?.();
  await run.clock.advance(1000);
  t.same(run.attempts.sockets, []);
  t.type(run.outcome.error, CancelError);
});
