import diagnostics from 'node:diagnostics_channel';
import t from 'tap';
import { channelNames } from '../../lib/diagnostics.js';
import type { RaceMessage } from '../../lib/racer/timeline.js';
import { createRace } from '../../lib/racer/race.js';
import { RaceClock } from '../helpers/race-clock.js';
import { FakeAttempts, plan, ScriptedResolver, simpleOrder } from '../helpers/race-fakes.js';
import { A4, A6, runRace } from '../helpers/race-harness.js';

t.test('every race event kind is published on its happy-eyeballs:* channel', async (t) => {
  const seen: Array<[string, RaceMessage]> = [];
  const subscriptions = Object.values(channelNames).map((name) => {
    const listener = (message: unknown): void => void seen.push([name, message as RaceMessage]);
    diagnostics.subscribe(name, listener);
    return () => diagnostics.unsubscribe(name, listener);
  });
  t.teardown(() => subscriptions.forEach((off) => off()));
  const run = runRace({
    dns: { AAAA: { at: 0, addresses: [A6] }, A: { at: 1, addresses: [A4] } },
    attempts: { [A6]: plan.tls(5), [A4]: plan.tls(1, 2) },
  });
  await run.clock.advance(1000);
  t.same(
    seen.map(([name, m]) => [name, m.type, 'address' in m ? m.address : '']),
    [
      [channelNames.dns, 'dns', ''],
      [channelNames.attemptStart, 'attempt:start', A6],
      [channelNames.dns, 'dns', ''],
      [channelNames.attemptConnected, 'attempt:connected', A6],
      [channelNames.attemptStart, 'attempt:start', A4],
      [channelNames.attemptConnected, 'attempt:connected', A4],
      [channelNames.attemptSuccess, 'attempt:success', A4],
      [channelNames.attemptAbandoned, 'attempt:abandoned', A6],
      [channelNames.raceEnd, 'race:end', ''],
    ],
  );
  const ids = new Set(seen.map(([, m]) => m.raceId));
  t.equal(ids.size, 1, 'one race id');
  t.match(seen[0]?.[1], { host: 'dual.test', port: 443, family: 6, addresses: [A6], ms: 0 });
  const raceId = seen[0]?.[1].raceId;
  t.same(
    seen.map(([, m]) => m),
    run.events.filter((e) => e.type !== 'attempt:delay-extended').map((e) => ({ raceId, host: 'dual.test', port: 443, ...e })),
    'the channels carry the timeline events, timer-only ones aside',
  );
});

t.test('a throwing onEvent surfaces as an uncaught exception and the race goes on', async (t) => {
  const clock = new RaceClock();
  const boom = new Error('listener bug');
  const uncaught: unknown[] = [];
  const catcher = (err: unknown): void => void uncaught.push(err);
  process.on('uncaughtException', catcher);
  t.teardown(() => process.off('uncaughtException', catcher));
  let calls = 0;
  let won: string | undefined;
  const attempts = new FakeAttempts(clock, { [A6]: plan.ok(5) });
  createRace(
    {
      host: 'dual.test',
      port: 80,
      families: [6],
      resolver: new ScriptedResolver(clock, { AAAA: { at: 0, addresses: [A6] } }),
      resolutionDelay: 50,
      connectionAttemptDelay: 250,
      order: simpleOrder,
      connectAttempt: attempts.factory,
      clock,
      onEvent: () => {
        calls++;
        throw boom;
      },
    },
    { resolve: (r) => (won = r.winner.address), reject: () => t.fail('rejected') },
  ).start();
  await clock.advance(100);
  t.equal(won, A6);
  t.equal(calls, 4, 'dns, start, success, end: each delivered despite the throws');
  t.same(uncaught, [boom, boom, boom, boom]);
});

t.test('wants(): an event is built only for a listener or a subscriber of its channel', async (t) => {
  const { Timeline } = await import('../../lib/racer/timeline.js');
  const clock = new RaceClock();
  const quiet = new Timeline(clock, 'quiet.test', 443);
  t.equal(quiet.wants('attempt:start'), false, 'no listener, no subscriber');
  t.equal(quiet.wants('dns:wait'), false, 'a timer-only event has no channel');
  const input = { type: 'attempt:start' as const, attempt: 1, address: A6, family: 6 as const, port: 443 };
  quiet.emit(input);
  t.notOk('ms' in input, 'nothing stamped when nobody listens');
  const seen: unknown[] = [];
  const listener = (message: unknown): void => void seen.push(message);
  diagnostics.subscribe(channelNames.attemptStart, listener);
  t.teardown(() => diagnostics.unsubscribe(channelNames.attemptStart, listener));
  t.equal(quiet.wants('attempt:start'), true, 'a subscriber of attempt:start');
  t.equal(quiet.wants('race:end'), false, 'but not of race:end');
  quiet.emit(input);
  t.match(seen, [{ type: 'attempt:start', address: A6, host: 'quiet.test', ms: 0 }]);
  const listening = new Timeline(clock, 'listening.test', 443, () => {});
  t.equal(listening.wants('dns:wait'), true, 'an onEvent listener gets every event');
});
