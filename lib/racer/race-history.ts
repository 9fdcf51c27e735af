/**
 * One race's use of the connection history (RFC 8305 §4, §5): what the order reads,
 * which addresses it moved (for the `attempt:start` event), the Connection Attempt Delay
 * an address calls for (`'auto'`), and the outcomes the race writes back.
 */
import type { OrderHistory } from '../address/default-order.js';
import type { History, HistoryOutcome } from '../address/history.js';
import type { DestinationHistory } from '../address/rfc6724.js';
import type { Candidate } from '../address/types.js';

/** What the `attempt:start` event says of an address that history moved. */
export interface AttemptHistory {
  outcome: HistoryOutcome;
  /** Smoothed handshake RTT in ms, when one was measured. */
  rttMs: number | undefined;
}

/** RFC 8305 §5: the delay's floor (recommended minimum) and ceiling (Maximum Connection Attempt Delay). */
export const AUTO_DELAY = { factor: 2, min: 100, max: 2000, fallback: 250 } as const;

/**
 * The Connection Attempt Delay after starting an attempt to an address whose smoothed
 * RTT is `rttMs`: RFC 8305 §5 ties it to when the first handshake packet would be sent
 * again; twice the RTT, clamped to 100 ms – 2 s. 250 ms with no RTT.
 */
export function autoAttemptDelay(rttMs: number | undefined): number {
  if (rttMs === undefined) return AUTO_DELAY.fallback;
  return Math.min(AUTO_DELAY.max, Math.max(AUTO_DELAY.min, AUTO_DELAY.factor * rttMs));
}

export class RaceHistory implements OrderHistory {
  readonly #history: History;
  readonly #moved = new Map<string, AttemptHistory>();
  #counted = false;

  constructor(history: History) {
    this.#history = history;
  }

  view(addresses: readonly string[]): ReadonlyMap<string, DestinationHistory> | undefined {
    return this.#history.view(addresses);
  }

  /** Notes the addresses with a record whose place history changed; counts the race once. */
  reordered(plain: readonly Candidate[], ordered: readonly Candidate[]): void {
    ordered.forEach((candidate, i) => {
      if (plain[i]!.address === candidate.address) return;
      const record = this.#history.get(candidate.address);
      if (record !== undefined) this.#moved.set(candidate.address, { outcome: record.outcome, rttMs: record.rttMs });
    });
    if (this.#counted) return;
    this.#counted = true;
    this.#history.noteReordered();
  }

  /** What history said of `address`, when it moved it. */
  moved(address: string): AttemptHistory | undefined {
    return this.#moved.get(address);
  }

  /** True when the last attempt to `address` failed or black-holed. */
  demoted(address: string): boolean {
    const outcome = this.#history.get(address)?.outcome;
    return outcome !== undefined && outcome !== 'connected';
  }

  /** The Connection Attempt Delay to use after starting an attempt to `address`. */
  attemptDelay(address: string, setting: number | 'auto'): number {
    return setting === 'auto' ? autoAttemptDelay(this.#history.get(address)?.rttMs) : setting;
  }

  record(address: string, outcome: HistoryOutcome, rttMs?: number): void {
    this.#history.record(address, outcome, rttMs);
  }
}
