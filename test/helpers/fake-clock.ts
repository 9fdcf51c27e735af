/**
 * A fake `Clock` (lib/clock.ts) for timing tests that never sleep.
 *
 * Time moves only when a test calls `advance(ms)` (synchronous: due timers fire in
 * order of due time, then of creation, each seeing `now()` equal to its due time) or
 * `advanceAsync(ms)` (the same, but lets promise chains run between timers, so code
 * that arms a timer from a `.then` is followed too).
 */
import type { Clock, TimerHandle } from '../../lib/clock.js';

interface FakeTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
  /** Mirrors Node's timers: `unref()` is allowed and returns the handle. */
  unref(): FakeTimer;
  ref(): FakeTimer;
  hasRef(): boolean;
}

export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  readonly #timers = new Map<number, FakeTimer>();
  /** Every `ms` passed to `setTimeout`, in call order: lets tests check the delays asked for. */
  readonly delays: number[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now = (): number => this.#now;

  setTimeout = (fn: () => void, ms: number): TimerHandle => {
    // Node treats a bad or negative delay as 1 ms; keep that so code behaves as in production.
    const delay = Number.isFinite(ms) && ms >= 1 ? ms : 1;
    this.delays.push(ms);
    let referenced = true;
    const timer: FakeTimer = {
      id: this.#nextId++,
      due: this.#now + delay,
      fn,
      unref: () => ((referenced = false), timer),
      ref: () => ((referenced = true), timer),
      hasRef: () => referenced,
    };
    this.#timers.set(timer.id, timer);
    return timer;
  };

  clearTimeout = (handle: TimerHandle): void => {
    if (handle !== null && typeof handle === 'object' && 'id' in handle && typeof handle.id === 'number') {
      this.#timers.delete(handle.id);
    }
  };

  /** Timers armed and not yet fired or cleared. */
  pending(): number {
    return this.#timers.size;
  }

  /** Due times (absolute, in clock ms) of the pending timers, soonest first. */
  dueTimes(): number[] {
    return [...this.#timers.values()].sort(byDue).map((t) => t.due);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.#now + checkStep(ms);
    for (let timer = this.#nextDue(target); timer; timer = this.#nextDue(target)) {
      this.#fire(timer);
    }
    this.#now = target;
  }

  /** As `advance`, but waits a macrotask turn before and after each timer. */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.#now + checkStep(ms);
    await settle();
    for (let timer = this.#nextDue(target); timer; timer = this.#nextDue(target)) {
      this.#fire(timer);
      await settle();
    }
    this.#now = target;
  }

  #nextDue(target: number): FakeTimer | undefined {
    let soonest: FakeTimer | undefined;
    for (const t of this.#timers.values()) {
      if (t.due <= target && (!soonest || byDue(t, soonest) < 0)) soonest = t;
    }
    return soonest;
  }

  #fire(timer: FakeTimer): void {
    this.#timers.delete(timer.id);
    this.#now = Math.max(this.#now, timer.due);
    timer.fn();
  }
}

/** Lets pending promise callbacks (and anything they chain) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function byDue(a: FakeTimer, b: FakeTimer): number {
  return a.due - b.due || a.id - b.id;
}

function checkStep(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance(ms) needs a finite ms >= 0, got ${ms}`);
  return ms;
}
