/** Small text helpers shared by the renderers. */
import type { AttemptOutcome } from './probe-report.js';

/** `3.2 ms` under 10 ms (where tenths matter on loopback), else whole `312 ms`. */
export function formatMs(ms: number): string {
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

/** `1 address`, `2 addresses`. */
export function plural(count: number, noun: string, nouns: string): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** Fits `text` into `width` columns, marking a cut with `…`. */
export function fit(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`;
}

/** The glyph at the end of an attempt's bar and in front of its table cell. */
export const OUTCOME_MARK: Record<AttemptOutcome, string> = {
  won: '★',
  connected: '✓',
  failed: '✗',
  timeout: '✗',
  abandoned: '·',
};
