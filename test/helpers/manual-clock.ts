/** A Clock whose time moves only when a test says so. */
import type { Clock, TimerHandle } from '../../lib/clock.js';

interface Pending {
  at: number;
  ms: number;
  fn: () => void;
}

export class ManualClock implements Clock {
  #now = 0;
  readonly #timers = new Set<Pending>();

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.#now + ms, ms, fn };
    this.#timers.add(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as Pending);
  }

  /** Delays (ms) of the timers still pending, in the order set. */
  get pending(): number[] {
    return [...this.#timers].map((t) => t.ms);
  }

  /** Moves time on and runs every timer that falls due, in order. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const due = [...this.#timers].filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers.delete(due);
      this.#now = due.at;
      due.fn();
    }
    this.#now = until;
  }
}
