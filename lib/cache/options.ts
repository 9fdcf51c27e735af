/** DnsCache options: documented defaults, validated up front (InvalidArgumentError names the option). */
import { type Clock, systemClock } from '../clock.js';
import { InvalidArgumentError } from '../errors.js';
import { clockOption, integerIn, milliseconds, numberIn, optionsObject } from '../options.js';

export interface DnsCacheOptions {
  /** Source of time and timers. @default systemClock */
  clock?: Clock;
  /** Lower bound on a positive answer's TTL, whole seconds (so are the other TTL bounds). @default 0 */
  minTtl?: number;
  /** Upper bound on a positive answer's TTL, seconds. @default 86400 */
  maxTtl?: number;
  /** Lower bound on a negative (NXDOMAIN / NODATA) answer's TTL, seconds. @default 0 */
  negativeMinTtl?: number;
  /** Upper bound on a negative answer's TTL, seconds (RFC 2308 §5: at most 3 hours). @default 3600 */
  negativeMaxTtl?: number;
  /**
   * How long an upstream failure (ESERVFAIL, ETIMEOUT, EREFUSED, ECONNREFUSED, ECONNRESET,
   * EBADRESP) is remembered, seconds; `0` remembers none. Short: a failure is a guess about
   * the near future, not an answer. @default 1
   */
  errorTtl?: number;
  /**
   * Seconds after expiry during which the expired answer is served at once while one
   * background refresh runs. @default 10
   */
  staleWhileRevalidate?: number;
  /**
   * RFC 8767 maximum stale timer, seconds past expiry: when a refresh fails, the expired
   * answer is served instead of the error up to this age; past it the entry is gone. @default 86400
   */
  maxStale?: number;
  /** TTL handed out with a stale answer, seconds (RFC 8767 §4). @default 30 */
  staleTtl?: number;
  /**
   * RFC 8767 §5 client response timer, ms (at most 2^31 - 1, Node's longest timer): an
   * asker waiting on the refresh of an expired answer gets the stale answer after this
   * long even if the refresh still runs. @default 1800
   */
  staleRefreshTimeout?: number;
  /**
   * RFC 8767 §5 failure recheck timer, seconds: after a refresh fails, the stale answer is
   * served at once, with no new upstream attempt, for this long. @default 30
   */
  failureRecheck?: number;
  /** Most (name, type) entries kept; the least recently used goes first. @default 10000 */
  maxEntries?: number;
  /** Most upstream fetches running at once; more wait in a queue. @default 256 */
  maxInFlight?: number;
  /** Most fetches waiting for an upstream slot; more fail at once with EQUEUEFULL. @default 4096 */
  maxQueued?: number;
  /** How long a fetch waits for an upstream slot before failing with ETIMEOUT, ms (at most 2^31 - 1). @default 5000 */
  queueTimeout?: number;
}

/** Options with defaults applied; durations converted to milliseconds where the cache keeps time. */
export interface CacheSettings {
  clock: Clock;
  minTtl: number;
  maxTtl: number;
  negativeMinTtl: number;
  negativeMaxTtl: number;
  errorTtl: number;
  staleWhileRevalidateMs: number;
  maxStaleMs: number;
  staleTtl: number;
  staleRefreshTimeout: number;
  failureRecheckMs: number;
  maxEntries: number;
  maxInFlight: number;
  maxQueued: number;
  queueTimeout: number;
}

export function resolveCacheOptions(options: DnsCacheOptions | undefined): CacheSettings {
  const o = optionsObject(options);
  const given = (name: keyof DnsCacheOptions, fallback: number): unknown => (o[name] === undefined ? fallback : o[name]);
  const seconds = (name: keyof DnsCacheOptions, fallback: number): number => numberIn(name, given(name, fallback), 0, Number.MAX_VALUE, 'seconds');
  const ms = (name: keyof DnsCacheOptions, fallback: number): number => milliseconds(name, given(name, fallback));
  const count = (name: keyof DnsCacheOptions, fallback: number, min: number): number => integerIn(name, given(name, fallback), min, Number.MAX_SAFE_INTEGER);
  const settings: CacheSettings = {
    clock: clockOption(o.clock) ?? systemClock,
    minTtl: count('minTtl', 0, 0),
    maxTtl: count('maxTtl', 86400, 0),
    negativeMinTtl: count('negativeMinTtl', 0, 0),
    negativeMaxTtl: count('negativeMaxTtl', 3600, 0),
    errorTtl: seconds('errorTtl', 1),
    staleWhileRevalidateMs: seconds('staleWhileRevalidate', 10) * 1000,
    maxStaleMs: seconds('maxStale', 86400) * 1000,
    staleTtl: count('staleTtl', 30, 0),
    staleRefreshTimeout: ms('staleRefreshTimeout', 1800),
    failureRecheckMs: seconds('failureRecheck', 30) * 1000,
    maxEntries: count('maxEntries', 10000, 1),
    maxInFlight: count('maxInFlight', 256, 1),
    maxQueued: count('maxQueued', 4096, 0),
    queueTimeout: ms('queueTimeout', 5000),
  };
  checkOrder('minTtl', settings.minTtl, settings.maxTtl, 'maxTtl');
  checkOrder('negativeMinTtl', settings.negativeMinTtl, settings.negativeMaxTtl, 'negativeMaxTtl');
  return settings;
}

function checkOrder(lowName: string, low: number, high: number, highName: string): void {
  if (low > high) throw new InvalidArgumentError(lowName, low, `at most ${highName} (${high})`);
}
