/**
 * A fake Clock for the racer's tests: time moves only through `advance()`, which fires
 * due timers in time order and lets promise callbacks run after each one.
 */
import type { Clock, TimerHandle } from '../../lib/clock.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

export class RaceClock implements Clock {
  #now = 0;
  #seq = 0;
  readonly #timers = new Map<object, Timer>();

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = {};
    this.#timers.set(handle, { at: this.#now + Math.max(0, ms), seq: ++this.#seq, fn });
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as object);
  }

  /** Timers not yet fired or cleared. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    await settle();
    for (let fired = 0; fired < 10_000; fired++) {
      const next = this.#earliest();
      if (next === undefined || next[1].at > end) break;
      this.#timers.delete(next[0]);
      this.#now = next[1].at;
      next[1].fn();
      await settle();
    }
    this.#now = end;
    await settle();
  }

  #earliest(): [object, Timer] | undefined {
    let best: [object, Timer] | undefined;
    for (const entry of this.#timers) {
      if (best === undefined || entry[1].at < best[1].at || (entry[1].at === best[1].at && entry[1].seq < best[1].seq)) best = entry;
    }
    return best;
  }
}

/** Lets every queued promise callback (and nextTick) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
