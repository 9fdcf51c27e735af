/**
 * Runs fuzz targets: input `i` of target `T` under seed `S` comes from `new Rng(S, key(T), i)`
 * alone, so every failure names (S, T, i) and replays on its own. A target's `run` returns
 * a label for what the input led to (counted in the report) and throws `Broken` when an
 * invariant does not hold; anything else it throws is a failure too.
 */
import { nameKey, Rng } from './fuzz-rng.js';

export interface FuzzTarget {
  name: string;
  /** Runs one input; returns what it led to ('records', 'refused', …). */
  run(rng: Rng): string;
}

export interface FuzzFailure {
  seed: number;
  target: string;
  index: number;
  message: string;
}

export interface FuzzReport {
  target: string;
  inputs: number;
  /** How many inputs led to each result. */
  results: Record<string, number>;
  failures: FuzzFailure[];
  /** The slowest input, ms (a parser that loops would show here first). */
  slowestMs: number;
}

/** An invariant that did not hold. */
export class Broken extends Error {
  override name = 'Broken';
}

export function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Broken(message);
}

/** Inputs `first` .. `first + count - 1` of one target. */
export function fuzz(target: FuzzTarget, seed: number, count: number, first = 0): FuzzReport {
  const report: FuzzReport = { target: target.name, inputs: 0, results: {}, failures: [], slowestMs: 0 };
  const key = nameKey(target.name);
  for (let index = first; index < first + count; index++) {
    const started = performance.now();
    try {
      const result = target.run(new Rng(seed, key, index));
      report.results[result] = (report.results[result] ?? 0) + 1;
    } catch (err) {
      const message = err instanceof Broken ? err.message : `threw ${(err as Error)?.stack ?? String(err)}`;
      report.failures.push({ seed, target: target.name, index, message });
    }
    report.inputs++;
    report.slowestMs = Math.max(report.slowestMs, performance.now() - started);
  }
  return report;
}

/** One line per failure, enough to replay it. */
export function describeFailure(f: FuzzFailure): string {
  return `${f.target} seed ${f.seed} index ${f.index}: ${f.message.split('\n')[0]} (replay: node build/scripts/fuzz.js --seed ${f.seed} --target ${f.target} --index ${f.index})`;
}
