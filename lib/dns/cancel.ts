/**
 * One query's cancellation: the caller's AbortSignal and `close()` both end it, and every
 * socket and timer it holds is released at once. Not an AbortController: one per query
 * was a measurable share of the client's time (docs/benchmarks.md). A query runs one round trip at a
 * time (servers and attempts in turn, TCP after UDP), so one listener slot is enough;
 * listeners are objects, so a round trip subscribes itself without a closure.
 */
export interface CancelListener {
  cancelled(reason: Error): void;
}

export class CancelScope {
  #reason: Error | undefined;
  #listener: CancelListener | undefined;

  /** Set once cancelled: the error the query rejects with. */
  get reason(): Error | undefined {
    return this.#reason;
  }

  /** Calls `listener.cancelled` on cancel, until `off(listener)`. */
  on(listener: CancelListener): void {
    if (this.#listener) throw new Error('CancelScope: a round trip is already listening');
    this.#listener = listener;
  }

  off(listener: CancelListener): void {
    if (this.#listener === listener) this.#listener = undefined;
  }

  cancel(reason: Error): void {
    if (this.#reason) return;
    this.#reason = reason;
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.cancelled(reason);
  }
}
