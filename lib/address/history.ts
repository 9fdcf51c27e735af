/**
 * What past connections taught about each destination address (RFC 8305 §4): the last
 * outcome, the smoothed handshake round trip, whether it was ever used. The connection
 * order reads it (RFC 8305 §4: lower RTT, then used before; an address that failed or black-holed
 * last time goes after every address without such a record) and the race writes to it.
 *
 * Per network (RFC 8305 §4): the records belong to the network they were learnt on (the set of
 * interface addresses, system/network.ts) and are dropped when it changes. Bounded
 * (`maxEntries`, least recently recorded out first) and aged (`ttl`): a record is
 * compared with the clock when read, no timer runs per entry. The age bound is what
 * brings a demoted address back once its path heals: it is tried first again at most
 * `ttl` after it last failed.
 */
import { type Clock, systemClock } from '../clock.js';
import { InvalidArgumentError } from '../errors.js';
import { isLoopback } from '../system/ip.js';
import { defaultNetworkMonitor, type NetworkMonitor } from '../system/network.js';
import type { DestinationHistory } from './rfc6724.js';

/**
 * - `connected`: the handshake completed;
 * - `failed`: refused, unreachable, reset (an answer came, and it was no);
 * - `black-holed`: no answer: abandoned after the attempt timer had fired, or cut by the
 *   race's timeout.
 */
export type HistoryOutcome = 'connected' | 'failed' | 'black-holed';

export interface HistoryRecord {
  outcome: HistoryOutcome;
  /** Smoothed handshake round trip in ms (RFC 6298 §2, gain 1/8); undefined until one connected. */
  rttMs: number | undefined;
  /** Connected at least once while the record lived. */
  usedBefore: boolean;
  /** Clock time of the last outcome recorded. */
  at: number;
}

export interface HistoryOptions {
  /** Most addresses remembered; past it the least recently recorded is forgotten. @default 1024 */
  maxEntries?: number | undefined;
  /** Milliseconds a record is used after its last outcome. @default 600000 (10 minutes) */
  ttl?: number | undefined;
  /** Time source. @default systemClock */
  clock?: Clock | undefined;
  /** Which network the machine is on (RFC 8305 §4: history is per network). @default defaultNetworkMonitor */
  network?: NetworkMonitor | undefined;
}

export interface HistoryStats {
  /** Records held now (on the current network, expired ones included until read). */
  entries: number;
  /** Outcomes recorded since creation or the last `clear()`. */
  recorded: number;
  /** Connection orders that history changed. */
  reordered: number;
}

export const HISTORY_DEFAULTS = { maxEntries: 1024, ttl: 600_000 } as const;

/** RFC 6298 §2.3: SRTT <- (1 - alpha) * SRTT + alpha * R', alpha = 1/8. */
const RTT_GAIN = 1 / 8;

export class History {
  readonly #maxEntries: number;
  readonly #ttl: number;
  readonly #clock: Clock;
  readonly #network: NetworkMonitor;
  /** Insertion order = recording order: the first entry is the least recently recorded. */
  #records = new Map<string, HistoryRecord>();
  #networkKey: string | undefined;
  #recorded = 0;
  #reordered = 0;

  constructor(options: HistoryOptions = {}) {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'an object');
    const maxEntries = options.maxEntries ?? HISTORY_DEFAULTS.maxEntries;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new InvalidArgumentError('maxEntries', maxEntries, 'an integer of at least 1');
    const ttl = options.ttl ?? HISTORY_DEFAULTS.ttl;
    if (typeof ttl !== 'number' || !(ttl > 0) || !Number.isFinite(ttl)) throw new InvalidArgumentError('ttl', ttl, 'a finite number of milliseconds > 0');
    const clock = options.clock ?? systemClock;
    if (typeof clock.now !== 'function') throw new InvalidArgumentError('clock', clock, 'an object with now()');
    const network = options.network ?? defaultNetworkMonitor;
    if (typeof network.key !== 'function') throw new InvalidArgumentError('network', network, 'a NetworkMonitor');
    this.#maxEntries = maxEntries;
    this.#ttl = ttl;
    this.#clock = clock;
    this.#network = network;
  }

  /**
   * Records an attempt's outcome for `address`. Loopback addresses are not recorded: no
   * network path lies behind them, and an outcome there says only whether one port listens.
   */
  record(address: string, outcome: HistoryOutcome, rttMs?: number): void {
    if (isLoopback(address)) return;
    const records = this.#current();
    const now = this.#clock.now();
    const before = this.#live(address, now);
    records.delete(address);
    const sample = outcome === 'connected' && rttMs !== undefined && Number.isFinite(rttMs) && rttMs >= 0 ? rttMs : undefined;
    const previous = before?.rttMs;
    const smoothed = sample === undefined ? previous : previous === undefined ? sample : previous + RTT_GAIN * (sample - previous);
    records.set(address, { outcome, rttMs: smoothed, usedBefore: outcome === 'connected' || before?.usedBefore === true, at: now });
    this.#recorded++;
    for (const oldest of records.keys()) {
      if (records.size <= this.#maxEntries) break;
      records.delete(oldest);
    }
  }

  /** The live record of `address` on the current network, or undefined. */
  get(address: string): HistoryRecord | undefined {
    this.#current();
    return this.#live(address, this.#clock.now());
  }

  /**
   * What the RFC 6724 sort needs (rfc6724.ts `DestinationHistory`) for those of
   * `addresses` with a live record; undefined when none has one (the common case).
   */
  view(addresses: readonly string[]): Map<string, DestinationHistory & { record: HistoryRecord }> | undefined {
    if (this.#current().size === 0) return undefined;
    const now = this.#clock.now();
    let view: Map<string, DestinationHistory & { record: HistoryRecord }> | undefined;
    for (const address of addresses) {
      const record = this.#live(address, now);
      if (record === undefined) continue;
      view ??= new Map();
      view.set(address, { rttMs: record.rttMs ?? Number.NaN, usedBefore: record.usedBefore, demoted: record.outcome !== 'connected', record });
    }
    return view;
  }

  /** Counts a connection order that history changed (for `stats()`). */
  noteReordered(): void {
    this.#reordered++;
  }

  /** Forgets every record at once (the counters start over too). */
  clear(): void {
    this.#records = new Map();
    this.#recorded = 0;
    this.#reordered = 0;
  }

  stats(): HistoryStats {
    return { entries: this.#records.size, recorded: this.#recorded, reordered: this.#reordered };
  }

  /** The records of the current network: a new network starts with none. */
  #current(): Map<string, HistoryRecord> {
    const key = this.#network.key();
    if (key !== this.#networkKey) {
      this.#networkKey = key;
      this.#records = new Map();
    }
    return this.#records;
  }

  #live(address: string, now: number): HistoryRecord | undefined {
    const record = this.#records.get(address);
    if (record === undefined) return undefined;
    if (now - record.at < this.#ttl) return record;
    this.#records.delete(address);
    return undefined;
  }
}

/** The process-wide history: every race uses it unless given `history: false` or its own. */
export const defaultHistory = new History();
