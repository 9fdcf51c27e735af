/**
 * One query's cancellation: the caller's AbortSignal and `close()` both end it, and every
 * socket and timer it holds is released at once. A plain listener list: an
 * AbortController per query cost about 7% of the client's time in the benchmark.
 * Listeners are objects, so a round trip subscribes itself without a closure.
 */
export interface CancelListener {
  cancelled(reason: Error): void;
}

export class CancelScope {
  #reason: Error | undefined;
  #listeners: CancelListener[] = [];

  /** Set once cancelled: the error the query rejects with. */
  get reason(): Error | undefined {
    return this.#reason;
  }

  /** Calls `listener.cancelled` on cancel, until `off(listener)`. */
  on(listener: CancelListener): void {
    this.#listeners.push(listener);
  }

  off(listener: CancelListener): void {
    // Round trips of one query run one after another: the listener is nearly always last.
    const i = this.#listeners.lastIndexOf(listener);
    if (i >= 0) this.#listeners.splice(i, 1);
  }

  cancel(reason: Error): void {
    if (this.#reason) return;
    this.#reason = reason;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener.cancelled(reason);
  }
}
