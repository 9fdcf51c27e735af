/**
 * Leaks, the long run: 10,000 races against a black-holed IPv6 address (each hangs on ::1
 * and wins on 127.0.0.1) and 10,000 races cancelled at random moments, in rounds of 1,000,
 * through a real Resolver, its cache and a loopback DNS server. After each round: the heap
 * after a full GC; at the end, process.getActiveResourcesInfo() against the baseline and
 * the attempt slots.
 *
 *   node --expose-gc build/scripts/soak-leaks.js [--races 10000] [--concurrency 100] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sharedAttemptSlots } from '../lib/racer/attempt-slots.js';
import { heapAfterGc, resourcesBackTo, runRaces, settledResources, startLeakLab } from './harness/leak-races.js';

const { values } = parseArgs({
  options: {
    races: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '100' },
    json: { type: 'string' },
  },
});
const races = Number(values.races);
const concurrency = Number(values.concurrency);
const lab = await startLeakLab();
await runRaces(lab, 500, concurrency);
await runRaces(lab, 500, concurrency, 30);
const baseline = await settledResources();
const heapBefore = await heapAfterGc();
console.log(`baseline: ${baseline.length} handles [${baseline.join(', ')}], heap ${(heapBefore / 1e6).toFixed(2)} MB`);

const rounds: Array<{ kind: string; races: number; counts: Record<string, number>; heapMB: number; seconds: number }> = [];
let failed = false;
for (const kind of ['black-holed IPv6', 'cancelled'] as const) {
  const totals: Record<string, number> = {};
  for (let done = 0; done < races; done += 1000) {
    const t0 = performance.now();
    const counts = await runRaces(lab, Math.min(1000, races - done), concurrency, kind === 'cancelled' ? 30 : undefined);
    for (const [k, v] of Object.entries(counts)) totals[k] = (totals[k] ?? 0) + v;
    const heap = await heapAfterGc();
    const seconds = (performance.now() - t0) / 1000;
    rounds.push({ kind, races: done + 1000, counts, heapMB: heap / 1e6, seconds });
    console.log(
      `${kind}: ${done + 1000} races, heap ${(heap / 1e6).toFixed(2)} MB (${((heap - heapBefore) / 1024).toFixed(0)} KiB over the baseline), round ${seconds.toFixed(1)} s`,
    );
  }
  console.log(`${kind}: ${JSON.stringify(totals)}`);
  const { 'won on 127.0.0.1': won = 0, 'rejected: CancelError': cancelled = 0, ...other } = totals;
  if (Object.keys(other).length > 0 || (kind === 'black-holed IPv6' && won !== races) || won + cancelled !== races) failed = true;
}
const after = await resourcesBackTo(baseline);
const heapAfter = await heapAfterGc();
const resourcesOk = JSON.stringify(after) === JSON.stringify(baseline);
const slots = { held: sharedAttemptSlots.held, waiting: sharedAttemptSlots.waiting };
console.log(
  `after: ${after.length} handles [${after.join(', ')}] (${resourcesOk ? 'same as' : 'DIFFERENT FROM'} the baseline), slots ${JSON.stringify(slots)}`,
);
console.log(
  `heap: ${(heapBefore / 1e6).toFixed(2)} MB before, ${(heapAfter / 1e6).toFixed(2)} MB after ${2 * races} races (${((heapAfter - heapBefore) / 1024).toFixed(0)} KiB)`,
);
await lab.close();
if (values.json) writeFileSync(values.json, JSON.stringify({ races, baseline, after, heapBefore, heapAfter, slots, rounds }, null, 2));
process.exitCode = failed || !resourcesOk || slots.held !== 0 || slots.waiting !== 0 ? 1 : 0;
