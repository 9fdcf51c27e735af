/**
 * The system backend: an AddressResolver over getaddrinfo (`dns.lookup`), for names only
 * the system's configured sources answer (mDNS, nss-myhostname, LDAP, WINS…).
 *
 * - AAAA and A are two lookups (`family: 6`, `family: 4`) started as the racer asks, so
 *   it still acts on the first family to answer (RFC 8305 §3); mDNS-routed names share
 *   one `family: 0` lookup instead (route.ts says why).
 * - At most a few lookups hold threadpool threads at once (system-pool.ts); the rest wait
 *   first in, first out, at most `maxQueued` of them for at most `queueTimeout` ms.
 * - Identical lookups in flight are one lookup. A caller whose signal aborts stops
 *   waiting; a lookup nobody waits for any more leaves the queue, and one already
 *   running finishes in the pool (getaddrinfo cannot be cancelled) unheard.
 * - getaddrinfo gives no TTL: answers are kept only when `ttl` (seconds) says so.
 * - Errors are DnsErrors with Node's codes (`ENOTFOUND`, `EAI_AGAIN`…), the cause kept.
 */
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { canonicalName } from '../dns/name.js';
import type { Answer, QueryOptions, AddressRecordType } from '../dns/types.js';
import { AbortError, DnsError, type DnsErrorCode, errorCode } from '../errors.js';
import { processSystemPool, type PoolJob, type SystemLookupPool } from './system-pool.js';
import { nodeDns } from './lazy-builtins.js';

export interface SystemAddress {
  address: string;
  family: number;
}

/** `dns.lookup`'s shape, as far as the backend calls it. */
export type SystemLookup = (
  hostname: string,
  options: { family: 0 | 4 | 6; all: true; verbatim: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: SystemAddress[]) => void,
) => void;

export interface SystemBackendOptions {
  /** @default dns.lookup */
  lookup?: SystemLookup | undefined;
  /** @default the process's pool (2 lookups at once) */
  pool?: SystemLookupPool | undefined;
  /** @default systemClock */
  clock?: Clock | undefined;
  /** Seconds an answer is kept; 0 keeps none. @default 0 */
  ttl?: number | undefined;
  /** Lookups of this backend waiting for a slot; more fail at once with ETIMEOUT. @default 4096 */
  maxQueued?: number | undefined;
  /** Milliseconds a lookup waits for a slot before failing with ETIMEOUT. @default 5000 */
  queueTimeout?: number | undefined;
  /** Answers kept at most (with `ttl`), the oldest dropped first. @default 10000 */
  maxEntries?: number | undefined;
}

export interface SystemBackendStats {
  /** Queries asked of this backend. */
  queries: number;
  /** getaddrinfo calls started. */
  lookups: number;
}

/** Node's getaddrinfo codes kept as they are; any other becomes EAI_FAIL (cause kept). */
const NODE_CODES = new Set<DnsErrorCode>(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_MEMORY', 'EAI_SYSTEM']);

interface Waiter {
  resolve(addresses: readonly SystemAddress[]): void;
  reject(error: unknown): void;
}

class Flight implements PoolJob {
  readonly waiters = new Set<Waiter>();
  running = false;
  constructor(
    readonly key: string,
    readonly name: string,
    readonly family: 0 | 4 | 6,
    readonly deadline: number,
    readonly start: () => void,
  ) {}
}

interface Kept {
  addresses: readonly SystemAddress[];
  expiresAt: number;
}

export class SystemBackend {
  readonly #lookup: SystemLookup;
  readonly #pool: SystemLookupPool;
  readonly #clock: Clock;
  readonly #ttl: number;
  readonly #maxQueued: number;
  readonly #queueTimeout: number;
  readonly #maxEntries: number;
  readonly #flights = new Map<string, Flight>();
  /** This backend's flights waiting in the pool, oldest first (their deadlines in order). */
  readonly #queued = new Set<Flight>();
  readonly #kept = new Map<string, Kept>();
  #timer: TimerHandle | undefined;
  #closed = false;
  #queries = 0;
  #lookups = 0;

  constructor(options: SystemBackendOptions = {}) {
    this.#lookup = options.lookup ?? (nodeDns().lookup as unknown as SystemLookup);
    this.#pool = options.pool ?? processSystemPool;
    this.#clock = options.clock ?? systemClock;
    this.#ttl = options.ttl ?? 0;
    this.#maxQueued = options.maxQueued ?? 4096;
    this.#queueTimeout = options.queueTimeout ?? 5000;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  /**
   * The addresses of `type` for `name`; with `allFamilies`, taken from one `family: 0`
   * lookup shared by both types.
   */
  async query(name: string, type: AddressRecordType, options: QueryOptions = {}, allFamilies = false): Promise<Answer> {
    const signal = options.signal;
    if (signal?.aborted) throw new AbortError(signal.reason);
    if (this.#closed) throw new DnsError('ECANCELLED', { hostname: name, rrtype: type }, `getaddrinfo ECANCELLED ${name}: resolver closed`);
    this.#queries++;
    const family = allFamilies ? 0 : type === 'AAAA' ? 6 : 4;
    const key = `${family}|${canonicalName(name)}`;
    const kept = this.#fresh(key);
    const addresses = kept ? kept.addresses : await this.#wait(key, name, family, signal);
    return this.#answer(name, type, addresses, kept ? kept.expiresAt : undefined);
  }

  /** A kept answer at once (or its ENODATA), `undefined` when none is fresh. */
  peek(name: string, type: AddressRecordType, allFamilies = false): Answer | DnsError | undefined {
    if (this.#closed || this.#kept.size === 0) return undefined;
    const kept = this.#fresh(`${allFamilies ? 0 : type === 'AAAA' ? 6 : 4}|${canonicalName(name)}`);
    if (!kept) return undefined;
    this.#queries++;
    try {
      return this.#answer(name, type, kept.addresses, kept.expiresAt);
    } catch (err) {
      return err as DnsError;
    }
  }

  stats(): SystemBackendStats {
    return { queries: this.#queries, lookups: this.#lookups };
  }

  /** Ends every wait (ECANCELLED); running lookups finish in the pool unheard. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarm();
    for (const flight of this.#flights.values()) {
      if (!flight.running) this.#pool.cancel(flight);
      this.#settle(flight, new DnsError('ECANCELLED', { hostname: flight.name }, `getaddrinfo ECANCELLED ${flight.name}: resolver closed`));
    }
    this.#flights.clear();
    this.#queued.clear();
    this.#kept.clear();
  }

  #answer(name: string, type: AddressRecordType, all: readonly SystemAddress[], expiresAt: number | undefined): Answer {
    const family = type === 'AAAA' ? 6 : 4;
    const ttl = expiresAt === undefined ? this.#ttl : Math.max(0, Math.ceil((expiresAt - this.#clock.now()) / 1000));
    const records = all.filter((a) => a.family === family).map((a) => ({ address: a.address, ttl }));
    if (records.length === 0) throw new DnsError('ENODATA', { hostname: name, rrtype: type });
    return { name, type, records, ttl, cnames: [], source: 'system' };
  }

  #fresh(key: string): Kept | undefined {
    const kept = this.#kept.get(key);
    if (kept === undefined) return undefined;
    if (this.#clock.now() < kept.expiresAt) return kept;
    this.#kept.delete(key);
    return undefined;
  }

  /** Joins the flight for `key` (starting it if there is none) until it ends or `signal` aborts. */
  #wait(key: string, name: string, family: 0 | 4 | 6, signal: AbortSignal | undefined): Promise<readonly SystemAddress[]> {
    return new Promise((resolve, reject) => {
      const existing = this.#flights.get(key);
      const flight = existing ?? new Flight(key, name, family, this.#clock.now() + this.#queueTimeout, () => this.#run(flight));
      const onAbort = (): void => {
        flight.waiters.delete(waiter);
        reject(new AbortError(signal!.reason));
        // Nobody waits for a lookup that has not started: it leaves the queue.
        if (flight.waiters.size === 0 && !flight.running) this.#drop(flight);
      };
      const waiter: Waiter = {
        resolve: (addresses) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(addresses);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      flight.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      // Started once the waiter is in: a lookup may end before `acquire` returns.
      if (!existing) this.#start(flight);
    });
  }

  #start(flight: Flight): void {
    this.#flights.set(flight.key, flight);
    this.#queued.add(flight);
    this.#pool.acquire(flight);
    if (flight.running || !this.#queued.has(flight)) return;
    if (this.#queued.size > this.#maxQueued) {
      this.#drop(flight);
      this.#settle(flight, queueError(flight.name, `${this.#maxQueued} system lookups already wait for a slot`));
    } else {
      this.#arm();
    }
  }

  #run(flight: Flight): void {
    flight.running = true;
    this.#unqueue(flight);
    this.#lookups++;
    let called = false;
    const done = (err: NodeJS.ErrnoException | null, addresses: SystemAddress[] | undefined): void => {
      if (called) return;
      called = true;
      this.#pool.release();
      if (this.#flights.get(flight.key) === flight) this.#flights.delete(flight.key);
      if (err) return this.#settle(flight, systemError(flight.name, err));
      const unique = dedupe(addresses as SystemAddress[]);
      if (this.#ttl > 0 && !this.#closed) this.#keep(flight.key, unique);
      this.#settle(flight, undefined, unique);
    };
    try {
      this.#lookup(flight.name, { family: flight.family, all: true, verbatim: true }, done);
    } catch (err) {
      done(err as NodeJS.ErrnoException, undefined); // e.g. a name dns.lookup refuses at once
    }
  }

  #settle(flight: Flight, error: unknown, addresses?: readonly SystemAddress[]): void {
    for (const waiter of flight.waiters) {
      if (error === undefined) waiter.resolve(addresses as readonly SystemAddress[]);
      else waiter.reject(error);
    }
    flight.waiters.clear();
  }

  /** Out of the queue and forgotten: nobody waits for it, it expired, or the queue was full. */
  #drop(flight: Flight): void {
    this.#pool.cancel(flight);
    this.#unqueue(flight);
    if (this.#flights.get(flight.key) === flight) this.#flights.delete(flight.key);
  }

  #unqueue(flight: Flight): void {
    this.#queued.delete(flight);
    if (this.#queued.size === 0) this.#disarm();
  }

  #keep(key: string, addresses: readonly SystemAddress[]): void {
    this.#kept.delete(key);
    if (this.#kept.size >= this.#maxEntries) this.#kept.delete(this.#kept.keys().next().value as string);
    this.#kept.set(key, { addresses, expiresAt: this.#clock.now() + this.#ttl * 1000 });
  }

  /** One timer, for the oldest queued flight: every flight waits the same time. */
  #arm(): void {
    if (this.#timer !== undefined) return;
    const head = this.#queued.values().next().value as Flight;
    this.#timer = this.#clock.setTimeout(() => this.#expire(), head.deadline - this.#clock.now());
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #expire(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    for (const flight of this.#queued) {
      if (flight.deadline > now) break;
      this.#drop(flight);
      this.#settle(flight, queueError(flight.name, `waited ${this.#queueTimeout} ms for a system lookup slot`));
    }
    if (this.#queued.size > 0) this.#arm();
  }
}

function queueError(name: string, why: string): DnsError {
  return new DnsError('ETIMEOUT', { hostname: name }, `getaddrinfo ETIMEOUT ${name}: ${why}`);
}

/** Node's error as a DnsError with the same code (and `getaddrinfo` as syscall). */
function systemError(name: string, err: unknown): DnsError {
  const code = errorCode(err) as DnsErrorCode | undefined;
  const kept = code !== undefined && NODE_CODES.has(code) ? code : 'EAI_FAIL';
  return new DnsError(kept, { hostname: name, cause: err }, `getaddrinfo ${kept} ${name}`);
}

function dedupe(addresses: readonly SystemAddress[]): SystemAddress[] {
  const seen = new Set<string>();
  return addresses.filter((a) => !seen.has(a.address) && seen.add(a.address));
}
