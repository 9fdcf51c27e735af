/**
 * The long fuzz run: every parser of network and user input, `--inputs` in all (default
 * 1,000,000), shared by weight, the wire targets (real sockets on loopback) a small part.
 *
 *   node build/scripts/fuzz.js [--inputs N] [--seed S] [--target NAME] [--index I] [--json FILE]
 *
 * The seed is printed first; a failure prints the command that replays that one input
 * (`--seed S --target T --index I`). Exits 1 on any failure or unhandled rejection.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeFailure, fuzz, type FuzzReport, type FuzzTarget } from './harness/fuzz-run.js';
import { framesTarget, replyTarget, svcbTarget, udpTarget } from './harness/fuzz-targets-dns.js';
import { cliTarget, hostsTarget, namesTarget, resolvConfTarget } from './harness/fuzz-targets-text.js';
import { fuzzWire } from './harness/fuzz-wire.js';

/** Share of the inputs per target; the wire ones cost a round trip each. */
const WEIGHTS: Array<[FuzzTarget | 'dns-wire', number]> = [
  [replyTarget, 0.35],
  [svcbTarget, 0.05],
  [udpTarget, 0.1],
  [framesTarget, 0.08],
  [resolvConfTarget, 0.1],
  [hostsTarget, 0.1],
  [cliTarget, 0.1],
  [namesTarget, 0.1],
  ['dns-wire', 0.02],
];

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '1000000' },
    seed: { type: 'string' },
    target: { type: 'string' },
    index: { type: 'string' },
    json: { type: 'string' },
  },
});
const total = Number(values.inputs);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => void unhandled.push(reason));
console.log(`fuzz: seed ${seed}, ${values.index === undefined ? `${total.toLocaleString('en')} inputs` : `input ${values.index}`}`);

const reports: FuzzReport[] = [];
const started = performance.now();
for (const [target, weight] of WEIGHTS) {
  const name = target === 'dns-wire' ? target : target.name;
  if (values.target !== undefined && values.target !== name) continue;
  const first = values.index === undefined ? 0 : Number(values.index);
  const count = values.index === undefined ? Math.round(total * (values.target === undefined ? weight : 1)) : 1;
  const t0 = performance.now();
  const report = target === 'dns-wire' ? await fuzzWire({ seed, inputs: count, first }) : runInBatches(target, count, first);
  reports.push(report);
  const results = Object.entries(report.results)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(
    `${name.padEnd(12)} ${report.inputs.toString().padStart(9)} inputs ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s  failures ${report.failures.length}  slowest ${report.slowestMs.toFixed(1)} ms  [${results}]`,
  );
  for (const failure of report.failures.slice(0, 20)) console.log(`  FAIL ${describeFailure(failure)}`);
}
const inputs = reports.reduce((n, r) => n + r.inputs, 0);
const failures = reports.reduce((n, r) => n + r.failures.length, 0);
console.log(
  `total ${inputs.toLocaleString('en')} inputs in ${((performance.now() - started) / 1000).toFixed(1)} s: ${failures} failures, ${unhandled.length} unhandled rejections`,
);
if (values.json) writeFileSync(values.json, JSON.stringify({ seed, inputs, failures, unhandled: unhandled.length, reports }, null, 2));
process.exitCode = failures > 0 || unhandled.length > 0 ? 1 : 0;

/** Large counts in slices, so progress shows and the event loop turns between them. */
function runInBatches(target: FuzzTarget, count: number, first: number): FuzzReport {
  const all: FuzzReport = { target: target.name, inputs: 0, results: {}, failures: [], slowestMs: 0 };
  for (let from = first; from < first + count; from += 50_000) {
    const part = fuzz(target, seed, Math.min(50_000, first + count - from), from);
    all.inputs += part.inputs;
    for (const [k, v] of Object.entries(part.results)) all.results[k] = (all.results[k] ?? 0) + v;
    all.failures.push(...part.failures);
    all.slowestMs = Math.max(all.slowestMs, part.slowestMs);
  }
  return all;
}
