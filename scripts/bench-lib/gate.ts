/**
 * The benchmark gate: every metric with a target, met or missed, and every metric more
 * than 10 % worse than the committed baseline (docs/bench-baseline.json, written by
 * `npm run bench -- --save-baseline`; one section per mode, quick runs being smaller).
 * On this kind of machine one quick run of a benchmark can be 20 % off the next, so a
 * metric past the limit is measured again (the runner reruns its benchmark) and counts as
 * a regression only when the rerun is past the limit too.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type Metric, meetsTarget, readMetrics, regression } from './metrics.js';

/** Worse than the baseline by more than this fraction: called out. */
export const REGRESSION_LIMIT = 0.1;

interface BaselineEntry {
  value: number;
  unit: string;
  better: 'higher' | 'lower';
}

/** Per mode, per benchmark, per metric name. */
export interface Baseline {
  [mode: string]: { date: string; node: string; benchmarks: Record<string, Record<string, BaselineEntry>> };
}

export interface BenchMetrics {
  bench: string;
  metrics: Metric[];
}

/** The metrics of each benchmark that wrote some. */
export function collect(outcomes: ReadonlyArray<{ name: string; results?: unknown }>): BenchMetrics[] {
  return outcomes.map((o) => ({ bench: o.name, metrics: readMetrics(o.results) })).filter((b) => b.metrics.length > 0);
}

export function readBaseline(file: string): Baseline {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Baseline) : {};
}

/** Replaces `mode`'s section of the baseline file with this run's metrics (other benchmarks' entries are kept). */
export function saveBaseline(file: string, mode: string, node: string, all: BenchMetrics[]): void {
  const baseline = readBaseline(file);
  const section = baseline[mode] ?? { date: '', node, benchmarks: {} };
  for (const { bench, metrics } of all) {
    section.benchmarks[bench] = Object.fromEntries(metrics.map((m) => [m.name, { value: m.value, unit: m.unit, better: m.better }]));
  }
  baseline[mode] = { ...section, date: new Date().toISOString(), node };
  writeFileSync(file, `${JSON.stringify(baseline, null, 2)}\n`);
}

const show = (value: number, unit: string): string =>
  `${Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 10 ? 1 : 3)}${unit === 'x' ? '×' : ` ${unit}`}`;

/** The benchmarks with a metric more than the limit worse than the baseline: the ones to run again. */
export function suspects(all: BenchMetrics[], baseline: Baseline, mode: string): string[] {
  const base = baseline[mode]?.benchmarks ?? {};
  return all
    .filter(({ bench, metrics }) => metrics.some((m) => base[bench]?.[m.name] !== undefined && regression(m, base[bench]![m.name]!.value) > REGRESSION_LIMIT))
    .map((b) => b.bench);
}

/**
 * The gate's lines, and whether any target was missed or any metric regressed. `reruns`:
 * the metrics of the suspects run again; a metric past the limit whose benchmark was rerun
 * is a regression only if its rerun is past the limit too.
 */
export function gate(
  all: BenchMetrics[],
  baseline: Baseline,
  mode: string,
  reruns: BenchMetrics[] = [],
): { lines: string[]; missed: number; regressed: number } {
  const lines: string[] = [];
  const base = baseline[mode]?.benchmarks ?? {};
  let missed = 0;
  let regressed = 0;
  for (const { bench, metrics } of all) {
    const rerun = reruns.find((r) => r.bench === bench);
    for (const m of metrics) {
      const met = meetsTarget(m);
      const was = base[bench]?.[m.name];
      const worse = was === undefined ? 0 : regression(m, was.value);
      if (met === undefined && worse <= REGRESSION_LIMIT) continue;
      const parts = [`${bench}: ${m.name} ${show(m.value, m.unit)}`];
      if (met !== undefined) parts.push(`target ${m.better === 'higher' ? '>=' : '<='} ${show(m.target!, m.unit)}`);
      if (was !== undefined) parts.push(`baseline ${show(was.value, was.unit)}`);
      const again = rerun?.metrics.find((r) => r.name === m.name);
      const worseAgain = again === undefined || was === undefined ? undefined : regression(again, was.value);
      if (worse > REGRESSION_LIMIT && rerun !== undefined && (worseAgain === undefined || worseAgain <= REGRESSION_LIMIT)) {
        const rerunText = worseAgain === undefined ? 'not measured by the rerun' : `${(worseAgain * 100).toFixed(0)} % in the rerun`;
        parts.push(`${(worse * 100).toFixed(0)} % worse than the baseline, ${rerunText}: not reproduced`);
      } else if (worse > REGRESSION_LIMIT) {
        regressed++;
        const confirmed = worseAgain === undefined ? '' : `, ${(worseAgain * 100).toFixed(0)} % in the rerun`;
        parts.push(`REGRESSION: ${(worse * 100).toFixed(0)} % worse than the baseline${confirmed}`);
      }
      if (met === false) missed++;
      lines.push(`  ${met === undefined ? '      ' : met ? 'met   ' : 'MISSED'} ${parts.join('; ')}`);
    }
  }
  return { lines, missed, regressed };
}
