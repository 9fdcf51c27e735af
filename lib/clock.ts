/**
 * The one seam for time. Production code never calls `Date.now()` or `setTimeout`
 * directly; it takes a `Clock`, so timing logic is tested with a fake one.
 */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Opaque to callers; `unref` is called on real timers that must not hold the process open. */
export type TimerHandle = { unref?(): unknown } | number | object;

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Lets the process exit while a real timer is pending (fake clocks' handles have no `unref`). */
export function unrefTimer(timer: TimerHandle): void {
  if (typeof timer === 'object' && timer !== null && 'unref' in timer && typeof timer.unref === 'function') timer.unref();
}
