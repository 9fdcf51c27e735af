/**
 * Leaks: races against a black-holed IPv6 address (each hangs on ::1, wins on 127.0.0.1),
 * and races cancelled at random moments, leave no socket, timer, slot or heap behind.
 * 1,000 of each here; `node --expose-gc build/scripts/soak-leaks.js` runs 10,000.
 */
import t from 'tap';
import { sharedAttemptSlots } from '../../lib/racer/attempt-slots.js';
import { heapAfterGc, resourcesBackTo, runRaces, settledResources, startLeakLab } from '../../scripts/harness/leak-races.js';

const lab = await startLeakLab();
t.teardown(() => lab.close());

// Warm up (JIT, the cache entry, lazy module state) before the baseline.
await runRaces(lab, 100, 50);
await runRaces(lab, 100, 50, 20);
const baseline = await settledResources();

t.test('R15: 1,000 races with a black-holed IPv6 all win on IPv4 and leave nothing behind', async (t) => {
  t.same(await runRaces(lab, 1000, 100), { 'won on 127.0.0.1': 1000 });
  t.same(await resourcesBackTo(baseline), baseline, 'active handles and timers back to the baseline');
  t.same([sharedAttemptSlots.held, sharedAttemptSlots.waiting], [0, 0], 'no attempt slot held or waited for');
});

t.test('1,000 races cancelled at random moments leave nothing behind', async (t) => {
  const counts = await runRaces(lab, 1000, 100, 30);
  const { 'rejected: CancelError': cancelled = 0, 'won on 127.0.0.1': won = 0, ...other } = counts;
  t.same(other, {}, 'each race was cancelled or won on IPv4');
  t.equal(cancelled + won, 1000);
  t.ok(cancelled >= 500, `${cancelled} cancelled (before DNS, during the IPv6 attempt, or while IPv4 connected), ${won} won first`);
  t.same(await resourcesBackTo(baseline), baseline, 'active handles and timers back to the baseline');
  t.same([sharedAttemptSlots.held, sharedAttemptSlots.waiting], [0, 0]);
});

t.test('the heap: 2,000 more races (1,000 of each) leave it where the first 2,000 did', async (t) => {
  // Measured after the runs above, so what only grows once (JIT code, lazy state) is in,
  // and each time once every socket has closed.
  const before = await heapAfterGc();
  await runRaces(lab, 1000, 100);
  await runRaces(lab, 1000, 100, 30);
  t.same(await resourcesBackTo(baseline), baseline);
  const growth = (await heapAfterGc()) - before;
  t.comment(`heap after GC: ${(before / 1e6).toFixed(2)} MB, then ${growth >= 0 ? '+' : ''}${(growth / 1024).toFixed(0)} KiB`);
  // A leak of 512 bytes per race would show as 1 MiB.
  t.ok(growth < 1024 * 1024, `grew ${(growth / 1024).toFixed(0)} KiB (< 1 MiB)`);
});
