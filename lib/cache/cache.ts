/**
 * The DNS cache in front of the upstream client: one entry per (name, type), each idle,
 * in flight, resolved or failed. Askers of a name in flight share its one fetch; answers
 * count their TTL down; negative answers (RFC 2308) and failures are remembered; expired
 * answers are served stale while refreshing (RFC 8767). Expiry is lazy, checked on
 * access; the only timers are the queue's one and a flight's stale-answer timer.
 */
import { setMaxListeners } from 'node:events';
import type { AddressRecordType, Answer, QueryOptions, RecordType, ServiceAnswer } from '../dns/types.js';
import { AbortError, DnsError, errorCode } from '../errors.js';
import { addressList, type Entry, entryFromAnswer, entryFromError, isNegative, toAnswer, toError } from './entry.js';
import { Flight, waitUnlessAborted } from './flight.js';
import { type CacheSettings, type DnsCacheOptions, resolveCacheOptions } from './options.js';
import { UpstreamSlots } from './slots.js';
import { type CacheStats, newCounters } from './stats.js';
import { EntryStore } from './store.js';
import { checkQuery, normalizeName, checkType } from './validate.js';

export type { DnsCacheOptions } from './options.js';
export type { CacheStats } from './stats.js';

/** What `DnsCache#resolve` calls upstream; `signal` aborts only when the cache closes. */
export type Fetch = (signal: AbortSignal) => Promise<Answer | ServiceAnswer>;

type AnyAnswer = Answer | ServiceAnswer;

const MAX_INTERNED_SERVERS = 64;
const TYPES: readonly RecordType[] = ['A', 'AAAA', 'HTTPS'];

export class DnsCache {
  readonly #s: CacheSettings;
  readonly #store: EntryStore;
  readonly #slots: UpstreamSlots;
  readonly #flights: Record<RecordType, Map<string, Flight>> = { A: new Map(), AAAA: new Map(), HTTPS: new Map() };
  /** RFC 8767 §5 failure recheck: an expired entry whose refresh failed → no retry before this clock ms. */
  readonly #recheckAfter = new WeakMap<Entry, number>();
  /** `peekAddresses`' list per entry, made on its first hit (most entries never get one). */
  readonly #addressLists = new WeakMap<Entry, readonly string[]>();
  /** The few `ip:port` strings seen, so entries share them. */
  readonly #servers = new Map<string, string>();
  readonly #closing = new AbortController();
  readonly #n = newCounters();
  /** Clock ms (whole) the cache counts its times from, so stored times stay small integers. */
  readonly #epoch: number;

  constructor(options?: DnsCacheOptions) {
    this.#s = resolveCacheOptions(options);
    this.#epoch = Math.floor(this.#s.clock.now());
    this.#store = new EntryStore(this.#s.maxEntries);
    this.#slots = new UpstreamSlots(this.#s.clock, this.#s.maxInFlight, this.#s.maxQueued, this.#s.queueTimeout);
    // Every running fetch may listen on this one signal; maxInFlight bounds them, so
    // Node's leak warning (at 11 listeners) would only be noise.
    setMaxListeners(0, this.#closing.signal);
  }

  /**
   * The answer for (name, type): cached, or fetched with `fetch` (at most one call per
   * (name, type) at a time). Rejects with the fetch's error, a remembered one, AbortError
   * when `options.signal` aborts (the fetch goes on), or ECANCELLED once closed.
   */
  resolve(name: string, type: AddressRecordType, fetch: Fetch, options?: QueryOptions): Promise<Answer>;
  resolve(name: string, type: 'HTTPS', fetch: Fetch, options?: QueryOptions): Promise<ServiceAnswer>;
  resolve(name: string, type: RecordType, fetch: Fetch, options?: QueryOptions): Promise<AnyAnswer>;
  async resolve(name: string, type: RecordType, fetch: Fetch, options?: QueryOptions): Promise<AnyAnswer> {
    const key = normalizeName(name);
    const signal = checkQuery(type, fetch, options);
    if (this.#closing.signal.aborted) throw cacheError('ECANCELLED', name, type, 'cache closed');
    if (signal?.aborted) throw new AbortError(signal.reason);
    const step = this.#lookup(name, type, key, fetch, undefined);
    if (!(step instanceof Wait)) return step;
    await waitUnlessAborted(step.until, signal);
    return this.#lookup(name, type, key, fetch, step) as AnyAnswer;
  }

  /**
   * What `resolve` gives for a fresh entry, at once and without a promise: its answer,
   * or the remembered failure (returned, not thrown), counted as `resolve` counts them;
   * `undefined` for anything else, and the caller uses `resolve`, which also starts the
   * refresh an expired entry needs (RFC 8767): stale answers are never given here.
   */
  peek(name: string, type: AddressRecordType): Answer | DnsError | undefined;
  peek(name: string, type: RecordType): AnyAnswer | DnsError | undefined;
  peek(name: string, type: RecordType): AnyAnswer | DnsError | undefined {
    const key = normalizeName(name);
    checkType(type);
    if (this.#closing.signal.aborted) return undefined;
    const entry = this.#store.get(type, key);
    const now = this.#now();
    if (entry === undefined || now >= entry.expiresAt()) return undefined;
    try {
      return this.#fresh(entry, type, key, now);
    } catch (err) {
      return err as DnsError;
    }
  }

  /**
   * `peek` for an address type, the addresses only: the same frozen list for one entry
   * for as long as it is fresh (so a caller may keep what it derives from the list, keyed
   * by it), counted as `peek` counts. `undefined` where `peek` gives undefined.
   */
  peekAddresses(name: string, type: AddressRecordType): readonly string[] | DnsError | undefined {
    const key = normalizeName(name);
    checkType(type);
    if (this.#closing.signal.aborted) return undefined;
    const entry = this.#store.get(type, key);
    const now = this.#now();
    if (entry === undefined || now >= entry.expiresAt()) return undefined;
    this.#store.touch(type, key, entry);
    if (entry.addrs === null) {
      this.#n[isNegative(entry.details.code) ? 'negativeHits' : 'errorHits']++;
      return toError(entry, key, type, now);
    }
    this.#n.hits++;
    let list = this.#addressLists.get(entry);
    if (list === undefined) this.#addressLists.set(entry, (list = addressList(entry, type)));
    return list;
  }

  stats(): CacheStats {
    return {
      ...this.#n,
      evictions: this.#store.evictions,
      entries: this.#store.size,
      inFlight: this.#slots.running,
      queued: this.#slots.queued,
    };
  }

  /** Forgets the settled entries of `name` (one type or all); a fetch in flight still fills the cache. */
  delete(name: string, type?: RecordType): void {
    const key = normalizeName(name);
    if (type !== undefined) checkType(type);
    for (const each of TYPES) if (type === undefined || type === each) this.#store.delete(each, key);
  }

  /** Forgets every settled entry; fetches in flight still fill the cache. */
  clear(): void {
    this.#store.clear();
  }

  /**
   * Forgets every entry and every fetch in flight: their askers still get the outcome,
   * but it is not stored, and later askers start a fresh fetch. For a change of upstream
   * (new servers): nothing the old ones said may answer for the new ones.
   */
  flush(): void {
    this.#store.clear();
    for (const type of ['A', 'AAAA'] as const) {
      for (const flight of this.#flights[type].values()) flight.detached = true;
      this.#flights[type].clear();
    }
  }

  /** Aborts the fetches' signals, rejects every waiter with ECANCELLED, drops all state and timers. */
  close(): void {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort(new AbortError('DnsCache closed'));
    this.#slots.close();
    for (const type of TYPES) {
      for (const [key, flight] of this.#flights[type]) flight.settle(undefined, true, cacheError('ECANCELLED', key, type, 'cache closed'));
      this.#flights[type].clear();
    }
    this.#store.clear();
  }

  /**
   * One pass over the state of (name, type): fresh, expired (stale), in flight or idle.
   * After a wait it runs again with `waited` set (double-check): the entry is re-read from
   * the top, and only if no newer fresh one is there does the waited flight's outcome count.
   */
  #lookup(name: string, type: RecordType, key: string, fetch: Fetch, waited: Wait | undefined): AnyAnswer | Wait {
    const now = this.#now();
    // A fetch the cache was flushed under: its askers get its own outcome, not what the new upstream stored since.
    if (waited?.flight.detached) return this.#outcome(waited, type, key, now);
    const entry = this.#store.get(type, key);
    if (entry !== undefined) {
      const past = now - entry.expiresAt();
      // A fresh entry some other fetch stored after ours is newer than our outcome: a plain hit.
      if (past < 0 && entry !== waited?.flight.entry) return this.#fresh(entry, type, key, now);
      if (waited) return this.#outcome(waited, type, key, now);
      if (entry.addrs !== null && past < this.#s.maxStaleMs) return this.#expired(entry, past, name, type, key, fetch, now);
      this.#store.delete(type, key); // an expired failure, or past the RFC 8767 max stale timer
    } else if (waited) {
      return this.#outcome(waited, type, key, now);
    }
    let flight = this.#flights[type].get(key);
    if (flight) this.#n.coalesced++;
    else {
      this.#n.misses++;
      flight = this.#start(name, type, key, fetch);
    }
    return new Wait(flight, flight.done, undefined);
  }

  #fresh(entry: Entry, type: RecordType, key: string, now: number): AnyAnswer {
    this.#store.touch(type, key, entry);
    if (entry.addrs !== null) {
      this.#n.hits++;
      return toAnswer(entry, key, type, now, 'cache', 0);
    }
    this.#n[isNegative(entry.details.code) ? 'negativeHits' : 'errorHits']++;
    throw toError(entry, key, type, now);
  }

  /** An expired answer within maxStale: RFC 8767 serve-stale, with stale-while-revalidate first. */
  #expired(entry: Entry, past: number, name: string, type: RecordType, key: string, fetch: Fetch, now: number): AnyAnswer | Wait {
    this.#store.touch(type, key, entry);
    let flight = this.#flights[type].get(key);
    const rechecking = (this.#recheckAfter.get(entry) ?? -Infinity) > now;
    if (past < this.#s.staleWhileRevalidateMs || rechecking) {
      // Served at once; one background refresh unless a failed one is still recent (RFC 8767 §5).
      if (!flight && !rechecking) this.#refresh(name, type, key, fetch);
      return this.#stale(entry, type, key, now);
    }
    if (flight) this.#n.coalesced++;
    else flight = this.#refresh(name, type, key, fetch);
    return new Wait(flight, flight.staleDue(this.#s.clock, this.#s.staleRefreshTimeout), entry);
  }

  #refresh(name: string, type: RecordType, key: string, fetch: Fetch): Flight {
    this.#n.refreshes++;
    return this.#start(name, type, key, fetch);
  }

  #stale(entry: Entry, type: RecordType, key: string, now: number): AnyAnswer {
    this.#n.staleServed++;
    return toAnswer(entry, key, type, now, 'stale', this.#s.staleTtl);
  }

  /**
   * A woken waiter's result when no newer fresh entry exists: the stale answer while the
   * refresh still runs (RFC 8767 §5 client response timer) or when it failed without an
   * authoritative answer; else the flight's own outcome (stored or not, e.g. TTL 0), and
   * its original error rather than a rebuilt one.
   */
  #outcome({ flight, stale }: Wait, type: RecordType, key: string, now: number): AnyAnswer {
    if (!flight.settled) return this.#stale(stale as Entry, type, key, now);
    if (!flight.failed) return toAnswer(flight.entry as Entry, key, type, now, 'dns', 0);
    if (stale && !this.#closing.signal.aborted && !isNegative(errorCode(flight.error))) return this.#stale(stale, type, key, now);
    throw flight.error;
  }

  #start(name: string, type: RecordType, key: string, fetch: Fetch): Flight {
    const flight = new Flight();
    this.#flights[type].set(key, flight);
    const queued = this.#slots.acquire(
      () => this.#run(flight, name, type, key, fetch),
      () => {
        this.#n.queueTimeouts++;
        this.#onFailure(flight, name, type, key, cacheError('ETIMEOUT', name, type, `waited ${this.#s.queueTimeout} ms for an upstream slot`), false);
      },
    );
    if (!queued) {
      this.#n.queueOverflows++;
      this.#onFailure(flight, name, type, key, cacheError('EQUEUEFULL', name, type, `${this.#s.maxQueued} queries already wait for an upstream slot`), false);
    }
    return flight;
  }

  #run(flight: Flight, name: string, type: RecordType, key: string, fetch: Fetch): void {
    this.#n.upstreamQueries++;
    let pending: Promise<AnyAnswer>;
    try {
      pending = Promise.resolve(fetch(this.#closing.signal));
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      (answer) => {
        this.#slots.release();
        this.#onAnswer(flight, name, type, key, answer);
      },
      (err: unknown) => {
        this.#slots.release();
        this.#onFailure(flight, name, type, key, err, true);
      },
    );
  }

  #onAnswer(flight: Flight, name: string, type: RecordType, key: string, answer: AnyAnswer): void {
    if (flight.settled) return; // closed meanwhile
    const entry = entryFromAnswer(answer, name, key, type, this.#now(), this.#s);
    if (entry instanceof DnsError) return this.#onFailure(flight, name, type, key, entry, true);
    if (!flight.detached) this.#keep(type, key, entry);
    this.#settle(flight, type, key, entry, false, undefined);
  }

  /** `remember` is false for local failures (queue full or timed out): they say nothing about the name. */
  #onFailure(flight: Flight, name: string, type: RecordType, key: string, err: unknown, remember: boolean): void {
    if (flight.settled) return;
    const now = this.#now();
    const current = flight.detached ? undefined : this.#store.get(type, key);
    let entry: Entry | undefined;
    if (flight.detached) {
      // Flushed while it ran: its outcome goes to its askers only.
    } else if (current?.addrs && !isNegative(errorCode(err))) {
      // RFC 8767 §4: keep the expired answer to serve stale; §5: no new attempt for a while.
      this.#recheckAfter.set(current, now + this.#s.failureRecheckMs);
    } else if (remember) {
      entry = entryFromError(err, name, key, now, this.#s);
      if (entry) this.#keep(type, key, entry); // an authoritative NXDOMAIN / NODATA replaces the old answer
    }
    this.#settle(flight, type, key, entry, true, err);
  }

  /** Stores an entry; TTL 0 means "this transaction only" (RFC 1035 §3.2.1) and drops the old one. */
  #keep(type: RecordType, key: string, entry: Entry): void {
    if (entry.ttl <= 0) return this.#store.delete(type, key);
    if (entry.server !== undefined) entry.server = this.#intern(entry.server);
    this.#store.set(type, key, entry);
  }

  #settle(flight: Flight, type: RecordType, key: string, entry: Entry | undefined, failed: boolean, error: unknown): void {
    if (!flight.detached) this.#flights[type].delete(key);
    flight.settle(entry, failed, error);
  }

  #now(): number {
    return this.#s.clock.now() - this.#epoch;
  }

  #intern(server: string): string {
    const known = this.#servers.get(server);
    if (known !== undefined) return known;
    if (this.#servers.size < MAX_INTERNED_SERVERS) this.#servers.set(server, server);
    return server;
  }
}

/** What a caller waits for: a flight settling, or for an expired entry the stale-answer timer. */
class Wait {
  constructor(
    readonly flight: Flight,
    readonly until: Promise<void>,
    readonly stale: Entry | undefined,
  ) {}
}

/** A DnsError made by the cache itself, worded like the client's with the reason added. */
function cacheError(code: 'ETIMEOUT' | 'EQUEUEFULL' | 'ECANCELLED', name: string, type: RecordType, why: string): DnsError {
  const syscall = type === 'A' ? 'queryA' : type === 'AAAA' ? 'queryAaaa' : 'queryHttps';
  return new DnsError(code, { hostname: name, rrtype: type }, `${syscall} ${code} ${type} ${name}: ${why}`);
}
