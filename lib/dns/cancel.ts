/**
 * One query's cancellation: the caller's AbortSignal and `close()` both end it, and every
 * socket and timer it holds is released at once. A plain listener list: an
 * AbortController per query cost about 7% of the client's time in the benchmark.
 */
export class CancelScope {
  #reason: Error | undefined;
  #listeners: Array<(reason: Error) => void> = [];

  /** Set once cancelled: the error the query rejects with. */
  get reason(): Error | undefined {
    return this.#reason;
  }

  /** Runs `listener` on cancel; the returned function unsubscribes. */
  onCancel(listener: (reason: Error) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  cancel(reason: Error): void {
    if (this.#reason) return;
    this.#reason = reason;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener(reason);
  }
}
