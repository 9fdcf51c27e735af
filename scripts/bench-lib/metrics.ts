/**
 * The metrics contract between a benchmark and scripts/bench.ts: a benchmark given
 * `--json-out FILE` writes `{ metrics: Metric[] }` there (other keys allowed beside it);
 * the runner checks each metric with a `target` and compares every metric with the
 * committed baseline (docs/bench-baseline.json). Only this library's figures and its
 * ratios to the peers are metrics: a peer's own figure is context, never a regression.
 */
import { writeFileSync } from 'node:fs';

export interface Metric {
  /** Stable across runs: the baseline is matched by name. */
  name: string;
  value: number;
  /** `ms`, `lookups/s`, `q/s`, `x` (a ratio)… */
  unit: string;
  better: 'higher' | 'lower';
  /** The goal: met when value >= target (better 'higher') or value <= target ('lower'). */
  target?: number;
}

/** Writes `{ metrics, ...extra }` to `file`; non-finite values are dropped (JSON has no NaN). */
export function writeMetrics(file: string, metrics: Metric[], extra: Record<string, unknown> = {}): void {
  writeFileSync(file, `${JSON.stringify({ ...extra, metrics: metrics.filter((m) => Number.isFinite(m.value)) }, null, 2)}\n`);
}

/** The metrics of a benchmark's JSON output, or [] when it has none (or a malformed list). */
export function readMetrics(results: unknown): Metric[] {
  const list = (results as { metrics?: unknown } | null | undefined)?.metrics;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (m): m is Metric =>
      typeof m === 'object' &&
      m !== null &&
      typeof m.name === 'string' &&
      typeof m.value === 'number' &&
      typeof m.unit === 'string' &&
      (m.better === 'higher' || m.better === 'lower') &&
      (m.target === undefined || typeof m.target === 'number'),
  );
}

/** Whether `m` meets its target; undefined when it has none. */
export function meetsTarget(m: Metric): boolean | undefined {
  if (m.target === undefined) return undefined;
  return m.better === 'higher' ? m.value >= m.target : m.value <= m.target;
}

/**
 * How much worse `m` is than `baseline`, as a fraction (0.12: 12 % worse), 0 when as good
 * or better. Higher-is-better: 1 - value/baseline; lower-is-better: value/baseline - 1.
 */
export function regression(m: Metric, baseline: number): number {
  if (!(baseline > 0) || !(m.value >= 0)) return 0;
  const worse = m.better === 'higher' ? 1 - m.value / baseline : m.value / baseline - 1;
  return Math.max(0, worse);
}

/** A benchmark's own target as bench-connect and bench-lab print them. */
export interface TargetLike {
  what: string;
  value: number;
  scenario?: string;
  /** ≤ (`max`) or ≥ (`min`) `goal`; without it, read from a `≤ 1.15×` / `≥ 10×` in `what`. */
  goal?: number;
  direction?: 'max' | 'min';
}

/** Those targets as metrics (unit `x`), named `prefix: scenario: what` without the goal text. */
export function targetMetrics(prefix: string, targets: readonly TargetLike[]): Metric[] {
  return targets.map((t) => {
    const stated = /([≤≥])\s*([\d.]+)×/.exec(t.what);
    const direction = t.direction ?? (stated?.[1] === '≥' ? 'min' : 'max');
    const goal = t.goal ?? (stated ? Number(stated[2]) : undefined);
    const what = t.what.replace(/,?\s*target\s*[≤≥]\s*[\d.]+×/, '').trim();
    const name = [prefix, t.scenario, what].filter(Boolean).join(': ');
    return { name, value: t.value, unit: 'x', better: direction === 'max' ? 'lower' : 'higher', ...(goal === undefined ? {} : { target: goal }) };
  });
}
