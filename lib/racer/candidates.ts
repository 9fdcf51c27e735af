/**
 * The two DNS streams (AAAA and A) turned into batches of candidate addresses for the
 * racer, RFC 8305 §3: both queries go out together, each answer is acted on as it
 * arrives, and an answer of the other family that comes first waits the Resolution Delay
 * for the preferred one. The preferred family is IPv6 (§3: "the preferred address
 * family ... IPv6"), or IPv4 when the policy table (gai.conf) puts IPv4 first.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Clock, TimerHandle } from '../clock.js';
import type { AddressRecordType, AddressResolver, Answer } from '../dns/types.js';
import { DnsError, mostTellingDnsError } from '../errors.js';
import type { Candidate, Family } from '../address/types.js';
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
  readonly #controller = new AbortController();
  readonly #pending = new Set<Family>();
  readonly #errors = new Map<Family, Error>();
  /** Addresses of the other family held back while the Resolution Delay runs (RFC 8305 §3). */
  #held: Candidate[] = [];
  /** True once the other family's addresses may go out: the preferred one settled or the Resolution Delay passed. */
  #released: boolean;
  #delayTimer: TimerHandle | undefined;
  #preferred: Family | undefined;
  #handlers: CandidateHandlers | undefined;
  #closed = false;

  constructor(options: CandidateFeedOptions) {
    this.#options = options;
    this.#released = options.families.length < 2;
  }

  /** True once no more addresses can come. */
  get settled(): boolean {
    return this.#pending.size === 0;
  }

  /** RFC 8305 §3: send every query at once (the preferred family first) and act on each answer on its own. */
  start(handlers: CandidateHandlers): void {
    this.#handlers = handlers;
    for (const family of this.#options.families) this.#pending.add(family);
    for (const family of this.#options.families) this.#ask(family);
  }

  /** The error to report when no address came at all (see `pickDnsError`). */
  failure(): Error {
    const errors = this.#options.families.map((family) => this.#errors.get(family));
    return pickDnsError(errors.filter((e): e is Error => e !== undefined), this.#options.host);
  }

  /** Stops waiting: aborts the queries still out (RFC 8305 §5: the resolver's cache keeps filling). */
  close(): void {
    this.#closed = true;
    this.#clearDelay();
    // Nothing pending: no listener to tell (building the abort reason costs a stack trace).
    if (this.#pending.size > 0) this.#controller.abort();
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
    const batch = addresses.map((address) => ({ address, family }));
    if (family === this.#preferredFamily() || this.#released) this.#release(batch);
    else this.#hold(batch);
    this.#checkSettled();
  }

  #failed(family: Family, err: unknown): void {
    if (this.#closed) return;
    const error = err instanceof Error ? err : new Error(`resolver rejected with ${String(err)}`, { cause: err });
    this.#pending.delete(family);
    this.#errors.set(family, error);
    this.#options.timeline.emit({ type: 'dns', family, addresses: [], error });
    // RFC 8305 §3: the preferred family is negative, so the other family's addresses in hand go out now.
    if (family === this.#preferredFamily()) this.#release([]);
    this.#checkSettled();
  }

  #preferredFamily(): Family {
    this.#preferred ??= this.#options.preferredFamily?.() ?? 6;
    return this.#preferred;
  }

  /** RFC 8305 §3: a positive answer of the other family first waits the Resolution Delay for the preferred one. */
  #hold(batch: Candidate[]): void {
    this.#held.push(...batch);
    const { resolutionDelay, clock, timeline } = this.#options;
    if (resolutionDelay === 0) {
      this.#release([]);
      return;
    }
    timeline.emit({ type: 'dns:wait', resolutionDelay });
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
