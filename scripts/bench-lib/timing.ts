/** Bounded waits: every wait in a benchmark ends, with or without its result. */
import { setTimeout as sleep } from 'node:timers/promises';

export interface Bounded<T> {
  /** True when the promise settled within the bound. */
  done: boolean;
  value?: T;
  error?: unknown;
  /** Milliseconds waited. */
  ms: number;
}

/** Waits for `promise` at most `boundMs`; the timer is cleared either way. */
export async function within<T>(promise: Promise<T>, boundMs: number): Promise<Bounded<T>> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'bound'>((resolve) => (timer = setTimeout(() => resolve('bound'), boundMs)));
  try {
    const outcome = await Promise.race([
      promise.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      bound,
    ]);
    const ms = performance.now() - started;
    if (outcome === 'bound') return { done: false, ms };
    return 'error' in outcome ? { done: true, error: outcome.error, ms } : { done: true, value: outcome.value, ms };
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `ready` every `everyMs` until true or `boundMs` passed; returns whether it became true. */
export async function waitUntil(ready: () => boolean, boundMs: number, everyMs = 20): Promise<boolean> {
  const end = performance.now() + boundMs;
  while (!ready()) {
    if (performance.now() >= end) return false;
    await sleep(everyMs);
  }
  return true;
}
