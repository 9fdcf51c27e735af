/** The counters DnsCache#stats() reports. */

/** Counters since the cache was made (the last four are current levels). */
export interface CacheStats {
  /** Fresh positive answers served from the cache. */
  hits: number;
  /** Askers that found nothing cached and started a fetch. */
  misses: number;
  /** Askers that waited on a fetch another asker started. */
  coalesced: number;
  /** Expired answers served (RFC 8767), at once or after a failed or slow refresh. */
  staleServed: number;
  /** Remembered NXDOMAIN / NODATA re-thrown. */
  negativeHits: number;
  /** Remembered upstream failures re-thrown. */
  errorHits: number;
  /** Calls of the fetch function. */
  upstreamQueries: number;
  /** Fetches started to refresh an expired answer. */
  refreshes: number;
  /** Entries dropped to stay within maxEntries. */
  evictions: number;
  /** Fetches that waited queueTimeout for an upstream slot and failed. */
  queueTimeouts: number;
  /** Fetches refused at once because maxQueued were already waiting. */
  queueOverflows: number;
  entries: number;
  inFlight: number;
  queued: number;
}

export type Counter = Exclude<keyof CacheStats, 'evictions' | 'entries' | 'inFlight' | 'queued'>;

export function newCounters(): Record<Counter, number> {
  return {
    hits: 0,
    misses: 0,
    coalesced: 0,
    staleServed: 0,
    negativeHits: 0,
    errorHits: 0,
    upstreamQueries: 0,
    refreshes: 0,
    queueTimeouts: 0,
    queueOverflows: 0,
  };
}

/** Every counter and level at zero: a new cache's, and a Resolver's that has no cache. */
export function emptyCacheStats(): CacheStats {
  return { ...newCounters(), evictions: 0, entries: 0, inFlight: 0, queued: 0 };
}
