/**
 * The candidate feed of a Happy Eyeballs v3 race (draft-ietf-happy-happyeyeballs-v3 §3,
 * §4): the HTTPS question goes out with AAAA and A; the race goes on once it has
 * addresses and either the HTTPS answer (with the preferred family answered) or the
 * Resolution Delay; `ipv4hint`/`ipv6hint` count as answers until the target's own
 * AAAA/A arrive, and hints those answers contradict are dropped; addresses of other
 * TargetNames are asked as the answer names them. Every change gives the racer the whole
 * candidate list again, each candidate tagged with the endpoint it belongs to.
 *
 * As in CandidateFeed: when every candidate of the preferred family failed last time
 * (history, RFC 8305 §4), the gate also waits for the other family, within the same
 * Resolution Delay; on an IPv6-only network the origin's A answer is synthesized
 * (synthesis.ts, RFC 8305 §7), those addresses joining the origin's own.
 */
import { abortQueries, takeAbortController } from './abort-spare.js';
import { isIPv4, isIPv6 } from 'node:net';
import type { TimerHandle } from '../clock.js';
import { httpsQueryName } from '../dns/https-name.js';
import type { AddressRecordType, ServiceAnswer, ServiceResolver } from '../dns/types.js';
import { errorCode } from '../errors.js';
import type { Candidate, Family, ServiceEndpoint } from '../address/types.js';
import { type CandidateFeedOptions, pickDnsError } from './candidates.js';
import { planEndpoints, type EndpointPlan } from './service-endpoints.js';
import { Synthesis } from './synthesis.js';

export interface ServiceFeedOptions extends CandidateFeedOptions {
  /** The origin's port: the HTTPS QNAME (RFC 9460 §9.1) and endpoints without `port`. */
  port: number;
  /** ALPN protocols the client offers over TLS, most preferred first. */
  alpn: readonly string[];
}

export interface ServiceHandlers {
  /** Every candidate known now, endpoints' first (replaces the previous list: contradicted hints leave it). */
  candidates(list: Candidate[]): void;
  /** Every query has answered or failed: no more candidates will come. */
  settled(): void;
}

/** What one family's query said: addresses, "none" (NODATA/NXDOMAIN), or nothing usable. */
type FamilyState = { kind: 'positive'; addresses: string[] } | { kind: 'negative' } | { kind: 'failed' };

const recordType = (family: Family): AddressRecordType => (family === 6 ? 'AAAA' : 'A');
const isFamily = (family: Family, address: unknown): address is string => typeof address === 'string' && (family === 6 ? isIPv6(address) : isIPv4(address));

export class ServiceFeed {
  readonly #o: ServiceFeedOptions;
  readonly #controller = takeAbortController();
  readonly #origin = new Map<Family, FamilyState>();
  readonly #originErrors = new Map<Family, Error>();
  /** Address answers of TargetNames other than the origin's, by lower-cased name. */
  readonly #targets = new Map<string, Map<Family, FamilyState>>();
  #plan: EndpointPlan | undefined;
  #preferred: Family | undefined;
  #httpsDone = false;
  #pending = 0;
  #released = false;
  #delayTimer: TimerHandle | undefined;
  #handlers: ServiceHandlers | undefined;
  #synthesis: Synthesis | undefined;
  /** NAT64 syntheses of the origin's A addresses, served at the origin's port. */
  readonly #synthesized: Candidate[] = [];
  #closed = false;

  constructor(options: ServiceFeedOptions) {
    this.#o = options;
  }

  get settled(): boolean {
    return this.#pending === 0 && (this.#synthesis?.settled ?? true);
  }

  /** HTTPS, then AAAA, then A, one right after the other (HEv3 §3.1). */
  start(handlers: ServiceHandlers): void {
    this.#handlers = handlers;
    const { host, port, families, resolver, nat64, clock, timeline } = this.#o;
    this.#pending = 1 + families.length;
    this.#ask(httpsQueryName(host, port), 'HTTPS', (answer) => this.#onHttps(answer));
    for (const family of families) this.#ask(host, recordType(family), (answer) => this.#onOrigin(family, answer));
    // After the queries, as in CandidateFeed: finding the NAT64 prefixes may read the interfaces.
    if (nat64 !== undefined && families.includes(4)) {
      this.#synthesis = new Synthesis({
        host,
        aaaaAsked: families.includes(6),
        resolver,
        nat64,
        clock,
        timeline,
        signal: this.#controller.signal,
        emit: (batch) => this.#addSynthesized(batch),
        changed: () => this.#settledNow(),
      });
    }
  }

  /** The error to report when no address came at all: the origin's own DNS errors. */
  failure(): Error {
    const errors = this.#o.families.map((family) => this.#originErrors.get(family)).filter((e): e is Error => e !== undefined);
    return pickDnsError(errors, this.#o.host);
  }

  /** The race started an attempt and has no other address ready (the last resort counts from here). */
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
    if (this.#pending > 0) abortQueries(this.#controller, handedOver);
  }

  /** One question; `done` gets the answer or the error, never both, and never after close(). */
  #ask(name: string, type: AddressRecordType | 'HTTPS', done: (result: unknown) => void): void {
    let answer: Promise<unknown>;
    try {
      const resolver = this.#o.resolver as unknown as ServiceResolver;
      const signal = this.#controller.signal;
      // Both families of one name search the list together (QueryOptions.both).
      const both = this.#o.families.length > 1;
      answer = Promise.resolve(type === 'HTTPS' ? resolver.query(name, type, { signal }) : this.#o.resolver.query(name, type, { signal, both }));
    } catch (err) {
      answer = Promise.reject(err);
    }
    const settle = (result: unknown): void => {
      if (this.#closed) return;
      this.#pending--;
      done(result);
      this.#update();
    };
    answer.then(settle, (err: unknown) => settle(err instanceof Error ? err : new Error(`resolver rejected with ${String(err)}`, { cause: err })));
  }

  #onHttps(result: unknown): void {
    this.#httpsDone = true;
    if (!isServiceAnswer(result)) {
      // RFC 9460 §3.1 (DNS not authenticated here): a failed HTTPS query is non-fatal; as if there were no record.
      const error = result instanceof Error ? result : new Error('resolver gave no HTTPS answer');
      this.#o.timeline.emit({ type: 'dns:https', records: [], aliases: [], error });
      return;
    }
    this.#o.timeline.emit({ type: 'dns:https', records: result.records, aliases: result.aliases });
    const { host, port, alpn } = this.#o;
    const plan = planEndpoints(result, host, port, alpn);
    this.#plan = plan;
    for (const endpoint of plan.endpoints) {
      const key = endpoint.target.toLowerCase();
      if (plan.originNames.has(key) || this.#targets.has(key)) continue;
      const states = new Map<Family, FamilyState>();
      this.#targets.set(key, states);
      this.#pending += this.#o.families.length;
      for (const family of this.#o.families) {
        this.#ask(endpoint.target, recordType(family), (answer) => {
          const state = familyState(family, answer);
          states.set(family, state);
          this.#o.timeline.emit({ type: 'dns:target', name: endpoint.target, family, ...eventFields(state, answer) });
        });
      }
    }
  }

  #onOrigin(family: Family, result: unknown): void {
    const state = familyState(family, result);
    this.#origin.set(family, state);
    if (this.#synthesis !== undefined && (family === 6 || state.kind === 'positive')) {
      const synthesized =
        family === 4 ? this.#synthesis.answeredA((state as { addresses: string[] }).addresses) : this.#synthesis.answeredAaaa(state.kind === 'positive');
      this.#synthesized.push(...synthesized);
    }
    if (state.kind === 'positive') return this.#o.timeline.emit({ type: 'dns', family, addresses: state.addresses });
    const error = result instanceof Error ? result : badAnswer(this.#o.host, family);
    this.#originErrors.set(family, error);
    this.#o.timeline.emit({ type: 'dns', family, addresses: [], error });
  }

  /** After every answer: the HEv3 §3.2 gate until it opens, then the whole list each time. */
  #update(): void {
    if (this.#released) this.#handlers?.candidates(this.#list());
    else this.#gate();
    this.#settledNow();
  }

  /** Synthesized candidates that came after the answer they follow (prefix discovery, the last resort). */
  #addSynthesized(batch: Candidate[]): void {
    this.#synthesized.push(...batch);
    this.#update();
  }

  #settledNow(): void {
    if (this.settled && !this.#closed) this.#handlers?.settled();
  }

  /**
   * HEv3 §3.2: go on with some address (hints count) once the preferred family has
   * answered (its hints count too) and the HTTPS question has; else wait, from the first
   * address, at most the Resolution Delay.
   */
  #gate(): void {
    if (this.#list().length === 0) return;
    // The policy table (gai.conf) may prefer IPv4, as in CandidateFeed; read at the first answer.
    const families = this.#o.families;
    const preferred = (this.#preferred ??= families.length > 1 ? (this.#o.preferredFamily?.() ?? families[0]!) : families[0]!);
    const preferredDone = this.#origin.has(preferred) || (this.#plan?.endpoints.some((e) => hintsOf(e, preferred).length > 0) ?? false);
    const demoted = this.#waitForOther(preferred);
    if (preferredDone && this.#httpsDone && !demoted) return this.#release();
    if (this.#delayTimer !== undefined) return;
    const { resolutionDelay, clock, timeline } = this.#o;
    if (resolutionDelay === 0) return this.#release();
    const other: Family = preferred === 6 ? 4 : 6;
    timeline.emit(demoted ? { type: 'dns:wait', resolutionDelay, family: other } : { type: 'dns:wait', resolutionDelay });
    this.#delayTimer = clock.setTimeout(() => {
      this.#delayTimer = undefined;
      this.#release();
    }, resolutionDelay);
  }

  /**
   * RFC 8305 §4 as in CandidateFeed: every candidate of the preferred family (answers and
   * hints) failed last time and the origin's other family is still out: worth its wait.
   */
  #waitForOther(preferred: Family): boolean {
    const { demoted, families } = this.#o;
    if (demoted === undefined || families.length < 2 || this.#origin.has(preferred === 6 ? 4 : 6)) return false;
    const mine = this.#list().filter((c) => c.family === preferred);
    return mine.length > 0 && mine.every((c) => demoted(c.address));
  }

  #release(): void {
    this.#released = true;
    this.#clearDelay();
    this.#handlers?.candidates(this.#list());
  }

  /**
   * Endpoints in group order, each with its target's addresses per family: the AAAA/A
   * answer once in, else the record's hints unless an answer said "none"; then the
   * origin's own addresses at the origin's port, the non-SVCB fallback (RFC 9460 §3).
   * An address and port already listed in an earlier group is not repeated.
   */
  #list(): Candidate[] {
    const { families, port } = this.#o;
    const list: Candidate[] = [];
    const seen = new Set<string>();
    const add = (address: string, family: Family, candidatePort: number, endpoint?: ServiceEndpoint, hint?: true, synthesizedFrom?: string): void => {
      const key = `${address}|${candidatePort}`;
      if (seen.has(key)) return;
      seen.add(key);
      list.push({
        address,
        family,
        port: candidatePort,
        ...(endpoint ? { endpoint } : {}),
        ...(hint ? { hint } : {}),
        ...(synthesizedFrom ? { synthesizedFrom } : {}),
      });
    };
    for (const endpoint of this.#plan?.endpoints ?? []) {
      const key = endpoint.target.toLowerCase();
      const states = this.#plan!.originNames.has(key) ? this.#origin : this.#targets.get(key)!;
      for (const family of families) {
        const state = states.get(family);
        if (state?.kind === 'positive') for (const address of state.addresses) add(address, family, endpoint.port, endpoint);
        else if (state?.kind !== 'negative') for (const address of hintsOf(endpoint, family)) add(address, family, endpoint.port, endpoint, true);
      }
    }
    for (const family of families) {
      const state = this.#origin.get(family);
      if (state?.kind === 'positive') for (const address of state.addresses) add(address, family, port);
    }
    for (const candidate of this.#synthesized) add(candidate.address, 6, port, undefined, undefined, candidate.synthesizedFrom);
    return list;
  }

  #clearDelay(): void {
    if (this.#delayTimer === undefined) return;
    this.#o.clock.clearTimeout(this.#delayTimer);
    this.#delayTimer = undefined;
  }
}

/** NODATA and NXDOMAIN say the name has no such address: they contradict hints. */
function familyState(family: Family, result: unknown): FamilyState {
  if (result instanceof Error) {
    const code = errorCode(result);
    return code === 'ENODATA' || code === 'ENOTFOUND' ? { kind: 'negative' } : { kind: 'failed' };
  }
  const records = (result as { records?: unknown } | null)?.records;
  const addresses = Array.isArray(records)
    ? [...new Set(records.map((r) => (r as { address?: unknown } | null)?.address).filter((a) => isFamily(family, a)))]
    : [];
  return addresses.length > 0 ? { kind: 'positive', addresses } : { kind: 'failed' };
}

function eventFields(state: FamilyState, result: unknown): { addresses: string[]; error?: Error } {
  if (state.kind === 'positive') return { addresses: state.addresses };
  return { addresses: [], error: result instanceof Error ? result : new Error('resolver gave no address of this family') };
}

function badAnswer(host: string, family: Family): Error {
  return Object.assign(new Error(`resolver gave no ${recordType(family)} address for ${host}`), { code: 'EBADRESP', hostname: host });
}

function hintsOf(endpoint: ServiceEndpoint, family: Family): string[] {
  return (family === 6 ? endpoint.ipv6hint : endpoint.ipv4hint).filter((address) => isFamily(family, address));
}

/** A resolver is the user's to supply: anything but an HTTPS answer's shape is no answer. */
function isServiceAnswer(value: unknown): value is ServiceAnswer {
  const a = value as Partial<ServiceAnswer> | null;
  return (
    a !== null &&
    typeof a === 'object' &&
    typeof a.name === 'string' &&
    Array.isArray(a.cnames) &&
    a.cnames.every((c) => typeof c === 'string') &&
    Array.isArray(a.aliases) &&
    a.aliases.every((c) => typeof c === 'string') &&
    Array.isArray(a.records) &&
    a.records.every(
      (r) =>
        r !== null &&
        typeof r === 'object' &&
        Number.isInteger(r.priority) &&
        typeof r.target === 'string' &&
        r.params !== null &&
        typeof r.params === 'object',
    )
  );
}
