/**
 * Every address tried on its own, so a broken family cannot hide behind the race
 * (RFC 8305 §9.3): the race cancels its losers, so it alone never learns whether
 * IPv6 works when IPv4 won. A few checks run at once, each with its own time limit.
 */
import type { Clock, TimerHandle } from '../clock.js';
import { AttemptError, TimeoutError } from '../errors.js';
import type { Attempt, AttemptFactory, AttemptTarget } from '../racer/attempt.js';
import { FAMILIES, reportError, type DnsFamilyReport, type FamilyKey, type FamilyReport } from './probe-report.js';
import { roundMs } from './resolve.js';

export interface CheckOptions {
  /** Opens one connection (TCP, or TCP then TLS). */
  connect: AttemptFactory<unknown>;
  clock: Clock;
  /** Checks running at once. */
  concurrency: number;
  /** Milliseconds this check may take, asked as it starts (0 or less: not tried). */
  timeoutMs(): number;
  /** The probe's whole time limit, named when it ran out before a check could start. */
  probeTimeout: number;
}

export interface CheckResult extends AttemptTarget {
  ok: boolean;
  /** Start → connected (TLS: handshake done), or → failure. */
  ms: number;
  /** When `ok` is false: an AttemptError, or the probe's TimeoutError if it was never dialled. */
  error: Error | undefined;
}

/** Checks each target, at most `concurrency` at a time; results in target order. */
export async function checkAll(targets: readonly AttemptTarget[], options: CheckOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const index = next++;
      results[index] = await checkOne(targets[index] as AttemptTarget, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, targets.length) }, worker));
  return results;
}

/** One connection to an outcome: connected, failed, or out of time. Leaves nothing open. */
export function checkOne(target: AttemptTarget, options: CheckOptions): Promise<CheckResult> {
  const { clock } = options;
  const started = clock.now();
  const limit = options.timeoutMs();
  return new Promise((resolve) => {
    let attempt: Attempt<unknown> | undefined;
    let timer: TimerHandle | undefined;
    let done = false;
    const finish = (cause: unknown, phase: 'tcp' | 'tls' = 'tcp'): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      attempt?.destroy();
      const ms = clock.now() - started;
      const error = cause === undefined ? undefined : new AttemptError({ ...target, durationMs: ms, phase }, cause);
      resolve({ ...target, ok: cause === undefined, ms: roundMs(ms), error });
    };
    if (limit <= 0) {
      resolve({ ...target, ok: false, ms: 0, error: new TimeoutError('probe', options.probeTimeout) });
      return;
    }
    timer = clock.setTimeout(() => finish(new TimeoutError(`connect to ${target.address}`, limit)), limit);
    try {
      attempt = options.connect(target, {
        connected: () => {},
        succeeded: () => finish(undefined),
        failed: (error, phase) => finish(error, phase),
      });
    } catch (err) {
      finish(err); // e.g. tls.connect refusing an option: that address's failure
    }
  });
}

/**
 * A family is reachable when any of its addresses connected; `ms` is the fastest
 * connect. Not reachable: the last address's error, else the DNS error.
 */
export function familyReports(dns: Record<FamilyKey, DnsFamilyReport>, results: readonly CheckResult[]): Record<FamilyKey, FamilyReport> {
  const report = (family: FamilyKey): FamilyReport => {
    const mine = results.filter((r) => r.family === (family === 'ipv6' ? 6 : 4));
    const ok = mine.filter((r) => r.ok);
    if (ok.length > 0) return { reachable: true, ms: Math.min(...ok.map((r) => r.ms)), error: null };
    const last = mine.at(-1)?.error;
    return { reachable: false, ms: null, error: last ? reportError(last) : dns[family].error };
  };
  return Object.fromEntries(FAMILIES.map((family) => [family, report(family)])) as Record<FamilyKey, FamilyReport>;
}
