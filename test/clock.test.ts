import t from 'tap';
import { systemClock } from '../lib/clock.js';

t.test('systemClock: monotonic now, real timers that can be cleared', async (t) => {
  const a = systemClock.now();
  let fired = false;
  const cleared = systemClock.setTimeout(() => t.fail('cleared timer fired'), 5);
  systemClock.clearTimeout(cleared);
  await new Promise<void>((resolve) => systemClock.setTimeout(() => ((fired = true), resolve()), 10));
  t.ok(fired);
  t.ok(systemClock.now() - a >= 9, 'time moved forward by about the delay');
});
