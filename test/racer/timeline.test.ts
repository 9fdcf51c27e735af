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
