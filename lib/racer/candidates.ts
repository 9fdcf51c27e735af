/**
 * The two DNS streams (AAAA and A) turned into batches of candidate addresses for the
 * racer, RFC 8305 §3: both queries go out together, each answer is acted on as it
 * arrives, and an A answer that comes first waits the Resolution Delay for AAAA. The
 * mirror case, from history (RFC 8305 §4): an AAAA answer whose every address failed
 * last time waits the Resolution Delay for A, so the race can start on IPv4.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Clock, TimerHandle } from '../clock.js';
import type { AddressResolver, Answer, RecordType } from '../dns/types.js';
import { DnsError, errorCode } from '../errors.js';
import { type RaceNat64, Synthesis } from './synthesis.js';
import type { Family, Timeline } from './timeline.js';

export interface Candidate {
  address: string;
  family: Family;
}

export interface CandidateFeedOptions {
  host: string;
  /** Families to ask for, IPv6 first: `[6, 4]`, `[4]` or `[6]`. */
  families: readonly Family[];
  resolver: AddressResolver;
  /** Milliseconds to wait for AAAA once a positive A answer is in (R4). */
  resolutionDelay: number;
  clock: Clock;
  timeline: Timeline;
  /** True for an address whose last attempt failed or black-holed (race-history.ts). */
  demoted?: ((address: string) => boolean) | undefined;
  /** NAT64 synthesis of the IPv4 addresses (synthesis.ts); none when undefined. */
  nat64?: RaceNat64 | undefined;
}

export interface CandidateHandlers {
  /** Addresses the racer may use from now on (R3, R5, R6). */
  addresses(batch: Candidate[]): void;
  /** Every query has answered or failed: no more addresses will come. */
  settled(): void;
}

const recordType = (family: Family): RecordType => (family === 6 ? 'AAAA' : 'A');
const isFamily = (family: Family, address: string): boolean => (family === 6 ? isIPv6(address) : isIPv4(address));

export class CandidateFeed {
  readonly #options: CandidateFeedOptions;
  readonly #controller = new AbortController();
  readonly #pending = new Set<Family>();
  readonly #errors = new Map<Family, Error>();
  /** Addresses held back while the Resolution Delay runs: IPv4 waiting for AAAA (R4), or demoted IPv6 waiting for A. */
  #held: Candidate[] = [];
  /** True once IPv4 addresses may go out: AAAA settled or the Resolution Delay passed. */
  #released: boolean;
  #delayTimer: TimerHandle | undefined;
  #handlers: CandidateHandlers | undefined;
  #synthesis: Synthesis | undefined;
  #closed = false;

  constructor(options: CandidateFeedOptions) {
    this.#options = options;
    this.#released = !options.families.includes(6);
  }

  /** True once no more addresses can come. */
  get settled(): boolean {
    return this.#pending.size === 0 && (this.#synthesis?.settled ?? true);
  }

  /** R1/R2: send every query at once (AAAA first) and act on each answer on its own. */
  start(handlers: CandidateHandlers): void {
    this.#handlers = handlers;
    const { nat64, host, families, resolver, clock, timeline } = this.#options;
    if (nat64 !== undefined && families.includes(4)) {
      this.#synthesis = new Synthesis({
        host, aaaaAsked: families.includes(6), resolver, nat64, clock, timeline, signal: this.#controller.signal,
        emit: (batch) => this.#handlers?.addresses(batch),
        changed: () => this.#checkSettled(),
      });
    }
    for (const family of this.#options.families) this.#pending.add(family);
    for (const family of this.#options.families) this.#ask(family);
  }

  /** The error to report when no address came at all (see `pickDnsError`). */
  failure(): Error {
    const errors = this.#options.families.map((family) => this.#errors.get(family));
    return pickDnsError(errors.filter((e): e is Error => e !== undefined), this.#options.host);
  }

  /** The race started an attempt and has no other address ready (R21's delay counts from here). */
  lastAttemptStarted(): void {
    this.#synthesis?.lastAttemptStarted();
  }

  /** Stops waiting: aborts the queries still out (R16: the resolver's cache keeps filling). */
  close(): void {
    this.#closed = true;
    this.#clearDelay();
    this.#synthesis?.close();
    // Nothing pending: no listener to tell (building the abort reason costs a stack trace).
    if (this.#pending.size > 0) this.#controller.abort();
  }

  #ask(family: Family): void {
    const { resolver, host } = this.#options;
    let answer: Promise<Answer>;
    try {
      answer = Promise.resolve(resolver.query(host, recordType(family), { signal: this.#controller.signal }));
    } catch (err) {
      answer = Promise.reject(err);
    }
    answer.then(
      (value) => this.#answered(family, value),
      (err: unknown) => this.#failed(family, err),
    );
  }

  #answered(family: Family, answer: Answer): void {
    if (this.#closed) return;
    const records = Array.isArray(answer?.records) ? answer.records : [];
    const addresses = [...new Set(records.map((r) => r?.address).filter((a) => typeof a === 'string' && isFamily(family, a)))];
    if (addresses.length === 0) {
      // A resolver must turn "no records" into a DnsError; take an empty or wrong-family answer as one.
      const code = records.length === 0 ? 'ENODATA' : 'EBADRESP';
      this.#failed(family, new DnsError(code, { hostname: this.#options.host, rrtype: recordType(family) }));
      return;
    }
    this.#pending.delete(family);
    this.#options.timeline.emit({ type: 'dns', family, addresses });
    const batch: Candidate[] = addresses.map((address) => ({ address, family }));
    // Synthesized addresses known at once join their answer's batch (one ordering).
    if (this.#synthesis !== undefined) batch.push(...(family === 4 ? this.#synthesis.answeredA(addresses) : this.#synthesis.answeredAaaa(true)));
    if (family === 6 && this.#waitForA(addresses)) this.#hold(batch, 4);
    else if (family === 6 || this.#released) this.#release(batch);
    else this.#hold(batch);
    this.#checkSettled();
  }

  #failed(family: Family, err: unknown): void {
    if (this.#closed) return;
    const error = err instanceof Error ? err : new Error(`resolver rejected with ${String(err)}`, { cause: err });
    this.#pending.delete(family);
    this.#errors.set(family, error);
    this.#options.timeline.emit({ type: 'dns', family, addresses: [], error });
    // R5: AAAA is negative, so the IPv4 addresses in hand go out now (and, on a NAT64
    // network, their synthesized forms); A is, so held IPv6 ones do.
    const synthesized = family === 6 ? (this.#synthesis?.answeredAaaa(false) ?? []) : [];
    if (family === 6 || this.#held.length > 0) this.#release(synthesized);
    this.#checkSettled();
  }

  /** Only addresses that failed last time, and A may still bring others: worth the wait. */
  #waitForA(addresses: string[]): boolean {
    const { demoted, resolutionDelay } = this.#options;
    return demoted !== undefined && resolutionDelay > 0 && this.#pending.has(4) && addresses.every(demoted);
  }

  /**
   * R4: a positive A answer first waits the Resolution Delay for AAAA. With `waitFor` 4,
   * demoted IPv6 addresses wait as long for A (AAAA is in, so A will go out at once).
   */
  #hold(batch: Candidate[], waitFor: Family = 6): void {
    this.#held.push(...batch);
    const { resolutionDelay, clock, timeline } = this.#options;
    if (waitFor === 4) this.#released = true;
    else if (resolutionDelay === 0) {
      this.#release([]);
      return;
    }
    timeline.emit(waitFor === 4 ? { type: 'dns:wait', resolutionDelay, family: 4 } : { type: 'dns:wait', resolutionDelay });
    this.#delayTimer = clock.setTimeout(() => {
      this.#delayTimer = undefined;
      this.#release([]);
    }, resolutionDelay);
  }

  #release(batch: Candidate[]): void {
    this.#released = true;
    this.#clearDelay();
    const out = [...this.#held, ...batch];
    this.#held = [];
    if (out.length > 0) this.#handlers?.addresses(out);
  }

  #checkSettled(): void {
    if (this.settled && !this.#closed) this.#handlers?.settled();
  }

  #clearDelay(): void {
    if (this.#delayTimer === undefined) return;
    this.#options.clock.clearTimeout(this.#delayTimer);
    this.#delayTimer = undefined;
  }
}

/**
 * Which DNS error to report when no family gave an address. Most telling first:
 * `ENOTFOUND` (the name does not exist, as Node's lookup reports it), then failures
 * that explain the silence (`ESERVFAIL`, `ETIMEOUT`, `EREFUSED`, `ECONNREFUSED`,
 * `EBADRESP`, anything else), then `ENODATA` (the name exists, with no address of
 * that type). On a tie the A error wins: IPv4 is the family a host is most expected to have.
 */
export function pickDnsError(errors: readonly Error[], hostname: string): Error {
  const rank = (err: Error): number => {
    const code = errorCode(err);
    return code === 'ENOTFOUND' ? 0 : code === 'ENODATA' ? 2 : 1;
  };
  let best: Error | undefined;
  for (const err of errors) if (best === undefined || rank(err) <= rank(best)) best = err;
  // Unreachable from the feed (a family without an address always left an error); kept total.
  return best ?? new DnsError('ENOTFOUND', { hostname });
}

/** Answers for an IP literal: no DNS at all, the address is the one candidate. */
export function literalResolver(address: string): AddressResolver {
  return {
    query: async (name, type) => ({ name, type, records: [{ address, ttl: 0 }], ttl: 0, cnames: [], source: 'literal' }),
  };
}
