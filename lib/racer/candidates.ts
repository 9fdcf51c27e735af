/**
 * The two DNS streams (AAAA and A) turned into batches of candidate addresses for the
 * racer, RFC 8305 §3: both queries go out together, each answer is acted on as it
 * arrives, and an answer of the other family that comes first waits the Resolution Delay
 * for the preferred one. The preferred family is IPv6 (§3: "the preferred address
 * family ... IPv6"), or IPv4 when the policy table (gai.conf) puts IPv4 first. The
 * mirror case, from history (§4): an answer of the preferred family whose every address
 * failed last time waits the Resolution Delay for the other family, so the race can
 * start on it. On an IPv6-only network, IPv4 addresses are synthesized (synthesis.ts, §7).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { abortQueries, takeAbortController } from './abort-spare.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { AddressRecordType, AddressResolver, Answer } from '../dns/types.js';
import { DnsError, mostTellingDnsError } from '../errors.js';
import type { Candidate, Family } from '../address/types.js';
import { type RaceNat64, Synthesis } from './synthesis.js';
import type { Timeline } from './timeline.js';

export interface CandidateFeedOptions {
  host: string;
  /** Families to ask for: `[6, 4]`, `[4]` or `[6]`. */
  families: readonly Family[];
  /**
   * Which of the two families is preferred, read at the first answer (the policy table
   * a resolver reads from gai.conf is loaded by its first query). @default IPv6
   */
  preferredFamily?: (() => Family) | undefined;
  resolver: AddressResolver;
  /** Milliseconds to wait for the preferred family once the other one's positive answer is in (RFC 8305 §3). */
  resolutionDelay: number;
  clock: Clock;
  timeline: Timeline;
  /** True for an address whose last attempt failed or black-holed (race-history.ts). */
  demoted?: ((address: string) => boolean) | undefined;
  /** NAT64 synthesis of the IPv4 addresses (synthesis.ts); none when undefined. */
  nat64?: RaceNat64 | undefined;
}

export interface CandidateHandlers {
  /** Addresses the racer may use from now on (RFC 8305 §3). */
  addresses(batch: Candidate[]): void;
  /** Every query has answered or failed: no more addresses will come. */
  settled(): void;
}

const recordType = (family: Family): AddressRecordType => (family === 6 ? 'AAAA' : 'A');
const isFamily = (family: Family, address: string): boolean => (family === 6 ? isIPv6(address) : isIPv4(address));

export class CandidateFeed {
  readonly #options: CandidateFeedOptions;
  readonly #controller = takeAbortController();
  readonly #pending = new Set<Family>();
  readonly #errors = new Map<Family, Error>();
  /**
   * Addresses held back while the Resolution Delay runs: the other family's, waiting for the
   * preferred one (RFC 8305 §3), or the preferred family's demoted ones, waiting for the other.
   */
  #held: Candidate[] = [];
  /** True once the other family's addresses may go out: the preferred one settled or the Resolution Delay passed. */
  #released: boolean;
  #delayTimer: TimerHandle | undefined;
  #preferred: Family | undefined;
  #handlers: CandidateHandlers | undefined;
  #synthesis: Synthesis | undefined;
  #closed = false;

  constructor(options: CandidateFeedOptions) {
    this.#options = options;
    this.#released = options.families.length < 2;
  }

  /** True once no more addresses can come. */
  get settled(): boolean {
    return this.#pending.size === 0 && (this.#synthesis?.settled ?? true);
  }

  /** RFC 8305 §3: send every query at once (the preferred family first) and act on each answer on its own. */
  start(handlers: CandidateHandlers): void {
    this.#handlers = handlers;
    const { nat64, host, families, resolver, clock, timeline } = this.#options;
    for (const family of families) this.#pending.add(family);
    for (const family of families) this.#ask(family);
    // After the queries: finding the network's NAT64 prefixes may read the interfaces
    // (system/network.ts), which is slow; the answers come later than this anyway.
    if (nat64 !== undefined && families.includes(4)) {
      this.#synthesis = new Synthesis({
        host,
        aaaaAsked: families.includes(6),
        resolver,
        nat64,
        clock,
        timeline,
        signal: this.#controller.signal,
        emit: (batch) => this.#handlers?.addresses(batch),
        changed: () => this.#checkSettled(),
      });
    }
  }

  /** The error to report when no address came at all (see `pickDnsError`). */
  failure(): Error {
    const errors = this.#options.families.map((family) => this.#errors.get(family));
    return pickDnsError(
      errors.filter((e): e is Error => e !== undefined),
      this.#options.host,
    );
  }

  /** The race started an attempt and has no other address ready (the NAT64 last resort counts from here, §7.2). */
  lastAttemptStarted(): void {
    this.#synthesis?.lastAttemptStarted();
  }

  /**
   * Stops waiting: aborts the queries still out (RFC 8305 §5: the resolver's cache keeps
   * filling); `handedOver`: the race was won, abort on the next turn (abort-spare.ts).
   */
  close(handedOver = false): void {
    this.#closed = true;
    this.#clearDelay();
    this.#synthesis?.close();
    // Nothing pending: no listener to tell (building the abort reason costs a stack trace).
    if (this.#pending.size > 0) abortQueries(this.#controller, handedOver);
  }

  #ask(family: Family): void {
    const { resolver, host, families } = this.#options;
    let answer: Promise<Answer>;
    try {
      // Both families of one name search the list together (QueryOptions.both).
      answer = Promise.resolve(resolver.query(host, recordType(family), { signal: this.#controller.signal, both: families.length > 1 }));
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
    const preferred = this.#preferredFamily();
    if (family === preferred && this.#waitForOther(addresses)) this.#hold(batch, true);
    else if (family === preferred || this.#released) this.#release(batch);
    else this.#hold(batch);
    this.#checkSettled();
  }

  #failed(family: Family, err: unknown): void {
    if (this.#closed) return;
    const error = err instanceof Error ? err : new Error(`resolver rejected with ${String(err)}`, { cause: err });
    this.#pending.delete(family);
    this.#errors.set(family, error);
    this.#options.timeline.emit({ type: 'dns', family, addresses: [], error });
    // RFC 8305 §3: the preferred family is negative, so the other family's addresses in hand
    // go out now (on a NAT64 network, with the A answer's synthesized forms when AAAA is the
    // one that failed, §7); the other one is, so demoted addresses held for it go out too.
    const synthesized = family === 6 ? (this.#synthesis?.answeredAaaa(false) ?? []) : [];
    if (family === this.#preferredFamily() || this.#held.length > 0 || synthesized.length > 0) this.#release(synthesized);
    this.#checkSettled();
  }

  #preferredFamily(): Family {
    this.#preferred ??= this.#options.preferredFamily?.() ?? 6;
    return this.#preferred;
  }

  /** Only addresses that failed last time, and the other family may still bring others: worth the wait. */
  #waitForOther(addresses: string[]): boolean {
    const { demoted, resolutionDelay } = this.#options;
    const other: Family = this.#preferredFamily() === 6 ? 4 : 6;
    return demoted !== undefined && resolutionDelay > 0 && this.#pending.has(other) && addresses.every(demoted);
  }

  /**
   * RFC 8305 §3: a positive answer of the other family first waits the Resolution Delay for
   * the preferred one. `demoted`: the preferred family's demoted addresses wait as long for
   * the other family (§4), whose answer then goes out at once, with them.
   */
  #hold(batch: Candidate[], demoted = false): void {
    this.#held.push(...batch);
    const { resolutionDelay, clock, timeline } = this.#options;
    if (demoted) this.#released = true;
    else if (resolutionDelay === 0) {
      this.#release([]);
      return;
    }
    const other: Family = this.#preferredFamily() === 6 ? 4 : 6;
    timeline.emit(demoted ? { type: 'dns:wait', resolutionDelay, family: other } : { type: 'dns:wait', resolutionDelay });
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
 * Which DNS error to report when no family gave an address (errors in family order,
 * AAAA first): the most telling (errors.ts), and on a tie the A error, IPv4 being the
 * family a host is most expected to have.
 */
export function pickDnsError(errors: readonly Error[], hostname: string): Error {
  // Unreachable from the feed (a family without an address always left an error); kept total.
  return mostTellingDnsError([...errors].reverse()) ?? new DnsError('ENOTFOUND', { hostname });
}

/** Answers for an IP literal: no DNS at all, the address is the one candidate. */
export function literalResolver(address: string): AddressResolver {
  return {
    query: async (name, type) => ({ name, type, records: [{ address, ttl: 0 }], ttl: 0, cnames: [], source: 'literal' }),
  };
}
