/**
 * One upstream fetch for one (name, type), shared by everyone who asks while it runs.
 * It never rejects: its outcome is read by each waiter after `done`, so a refresh nobody
 * waits for cannot become an unhandled rejection.
 */
import type { Clock, TimerHandle } from '../clock.js';
import { AbortError } from '../errors.js';
import type { Entry } from './entry.js';

export class Flight {
  readonly done: Promise<void>;
  #markDone!: () => void;
  settled = false;
  /** The entry built from the outcome (a positive answer or a remembered failure), if any. */
  entry: Entry | undefined;
  failed = false;
  error: unknown;
  /** The cache was flushed while it ran: its outcome is not stored (DnsCache.flush). */
  detached = false;
  #staleDue: Promise<void> | undefined;
  #markStaleDue: (() => void) | undefined;
  #timer: TimerHandle | undefined;
  #clock: Clock | undefined;

  constructor() {
    this.done = new Promise((resolve) => (this.#markDone = resolve));
  }

  /**
   * RFC 8767 §5 client response timer: resolves `ms` after the first waiter on an expired
   * entry asked (later waiters share that deadline), or when the flight settles if sooner.
   */
  staleDue(clock: Clock, ms: number): Promise<void> {
    if (this.settled) return this.done; // e.g. refused at once by a full queue: no timer to arm
    this.#staleDue ??= new Promise<void>((resolve) => {
      this.#markStaleDue = resolve;
      this.#clock = clock;
      this.#timer = clock.setTimeout(() => this.#fireStale(), ms);
    });
    return this.#staleDue;
  }

  settle(entry: Entry | undefined, failed: boolean, error: unknown): void {
    this.settled = true;
    this.entry = entry;
    this.failed = failed;
    this.error = error;
    if (this.#timer !== undefined) this.#clock?.clearTimeout(this.#timer);
    this.#fireStale();
    this.#markDone();
  }

  #fireStale(): void {
    this.#timer = undefined;
    this.#markStaleDue?.();
  }
}

/**
 * Waits for `until` unless `signal` aborts first: then rejects with AbortError at once and
 * drops its listener. The flight itself goes on and fills the cache (RFC 8305 §5).
 */
export function waitUnlessAborted(until: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return until;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new AbortError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    void until.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
