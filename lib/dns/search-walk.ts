/**
 * One name's walk through its search candidates (lib/dns/search.ts) as glibc's
 * __res_context_search takes it, with the record types of one lookup asked together:
 * for getaddrinfo(AF_UNSPEC) glibc sends A and AAAA for each candidate and stops at the
 * first candidate where either has records (res_query.c, T_QUERY_A_AND_AAAA), so it never
 * returns addresses of two different names. Each type still gets its own result as soon
 * as it is known, so the racer keeps two streams (RFC 8305 §3): records of either type
 * decide the name at once, and the other type's result is then the one for that name.
 *
 * How a candidate that gave no records is taken (res_query.c):
 * - NXDOMAIN or NODATA: the next candidate;
 * - SERVFAIL: the next candidate too;
 * - no server reachable (every port closed): the lookup fails at once;
 * - anything else (REFUSED, a timeout, a bad reply, a name too long for the wire): the
 *   search list ends, and the name as given is still asked if it was not yet.
 * A failure of the name asked first (it had `ndots` dots) never stops the walk.
 * When the types of one candidate disagree: records of either win; else a negative
 * answer (NXDOMAIN, NODATA) outweighs a server failure of the other type (glibc drops a
 * SERVFAIL reply when the other query was answered); between two negative answers the A
 * one counts unless it is NODATA (glibc's `hp->rcode == NOERROR ? hp2 : hp`).
 * When no candidate has records, the error is (glibc's order): that of the name asked
 * first if it was, else NODATA if any candidate had it, else SERVFAIL if any had it, else
 * that of the last name asked.
 */
import type { DnsErrorCode } from '../errors.js';
import type { SearchPlan } from './search.js';
import { CancelScope, type CancelListener } from './cancel.js';
import { nameError, type NameFailure, type NameResult } from './name-result.js';
import type { Answer, RecordType, ServiceAnswer } from './types.js';

/** Asks one name for one type: servers × attempts and CNAMEs (EBADNAME when it cannot go on the wire). */
export type AskName = (name: string, type: RecordType, scope: CancelScope) => Promise<NameResult>;

type StepKind = 'answer' | 'nxdomain' | 'nodata' | 'servfail' | 'unreachable' | 'stop';

interface Step {
  kind: StepKind;
  /** The failure that stands for the candidate (unset when it answered). */
  failure: NameFailure;
}

class Consumer implements CancelListener {
  readonly promise: Promise<Answer | ServiceAnswer>;
  resolve!: (answer: Answer | ServiceAnswer) => void;
  reject!: (error: Error) => void;
  joined = false;
  done = false;
  scope: CancelScope | undefined;

  constructor(
    readonly type: RecordType,
    readonly onLeave: (consumer: Consumer, reason: Error) => void,
  ) {
    this.promise = new Promise<Answer | ServiceAnswer>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A type whose query never joins (its answer was cached) must not leave a rejection unhandled.
    this.promise.catch(() => {});
  }

  cancelled(reason: Error): void {
    this.onLeave(this, reason);
  }

  settle(result: { answer: Answer | ServiceAnswer } | { error: Error }): void {
    if (this.done) return;
    this.done = true;
    this.scope?.off(this);
    if ('answer' in result) this.resolve(result.answer);
    else this.reject(result.error);
  }
}

const NEGATIVE = new Set<DnsErrorCode>(['ENOTFOUND', 'ENODATA']);
/** The failure of a step that answered: never read. */
const ANSWERED: NameFailure = { code: 'ENOTFOUND', server: undefined };

export class SearchWalk {
  readonly #name: string;
  readonly #plan: SearchPlan;
  readonly #asked: readonly RecordType[];
  readonly #ask: AskName;
  readonly #consumers: Consumer[];
  /** One per type asked: a scope carries one round trip at a time. */
  readonly #scopes: CancelScope[];
  readonly #negatives: NameFailure[] = [];
  #ended = false;
  /** Called once when the walk has nothing more to give (the client forgets it). */
  onEnd: (() => void) | undefined;

  /**
   * `name` as asked (errors name it); `types`: the types whose results are wanted;
   * `asked`: the types sent for each candidate (`no-aaaa` leaves AAAA out).
   */
  constructor(name: string, plan: SearchPlan, types: readonly RecordType[], asked: readonly RecordType[], ask: AskName) {
    this.#name = name;
    this.#plan = plan;
    this.#asked = asked;
    this.#ask = ask;
    this.#consumers = types.map((type) => new Consumer(type, (consumer, reason) => this.#leave(consumer, reason)));
    this.#scopes = asked.map(() => new CancelScope());
  }

  /** Whether a query for `type` may still join (the walk runs and no query of that type has). */
  canJoin(type: RecordType): boolean {
    return !this.#ended && this.#consumers.some((c) => c.type === type && !c.joined);
  }

  /** The result for `type`; cancelling `scope` leaves the walk (the last one to leave stops it). */
  join(type: RecordType, scope: CancelScope): Promise<Answer | ServiceAnswer> {
    const consumer = this.#consumers.find((c) => c.type === type && !c.joined)!;
    consumer.joined = true;
    consumer.scope = scope;
    scope.on(consumer);
    return consumer.promise;
  }

  start(): void {
    this.#run().catch((err: Error) => this.#end(err));
  }

  async #run(): Promise<void> {
    const plan = this.#plan;
    let asIs: NameFailure | undefined;
    let nodata: NameFailure | undefined;
    let servfail: NameFailure | undefined;
    let last: NameFailure | undefined;
    if (plan.first !== undefined) {
      const step = await this.#step(plan.first);
      if (step.kind === 'answer') return;
      if (plan.absolute) return this.#fail(step.failure);
      asIs = step.failure;
    }
    for (const name of plan.domains) {
      const step = await this.#step(name);
      if (step.kind === 'answer') return;
      last = step.failure;
      if (step.kind === 'unreachable') return this.#fail(step.failure);
      if (step.kind === 'nodata') nodata ??= step.failure;
      else if (step.kind === 'servfail') servfail ??= step.failure;
      else if (step.kind !== 'nxdomain') break;
    }
    if (plan.last !== undefined) {
      const step = await this.#step(plan.last);
      if (step.kind === 'answer') return;
      last = step.failure;
    }
    // Some name was asked: the plan always has a first name, a domain or a last name.
    this.#fail(asIs ?? nodata ?? servfail ?? last!);
  }

  /** Every type for one candidate; records of a type go to its query the moment they come. */
  async #step(name: string): Promise<Step> {
    const results = await Promise.all(
      this.#asked.map(async (type, i) => {
        const result = await this.#ask(name, type, this.#scopes[i]!);
        if (result.kind === 'answer') this.#consumer(type)?.settle({ answer: result.answer });
        return result;
      }),
    );
    const step = judge(this.#asked, results);
    for (const result of results) if (result.kind === 'error' && NEGATIVE.has(result.code)) this.#negatives.push(result);
    if (step.kind === 'answer') this.#decided(results);
    return step;
  }

  /** The candidate has records: every type gets its own result for it. */
  #decided(results: readonly NameResult[]): void {
    for (const consumer of this.#consumers) {
      const i = this.#asked.indexOf(consumer.type);
      const result = i === -1 ? undefined : results[i]!;
      if (result?.kind === 'answer') consumer.settle({ answer: result.answer });
      // Not asked (no-aaaa): the name has no record of this type, as glibc finds.
      else consumer.settle({ error: nameError(this.#name, consumer.type, result ?? { code: 'ENODATA', server: undefined }) });
    }
    this.#end(undefined);
  }

  #fail(failure: NameFailure): void {
    let decided = failure;
    if (NEGATIVE.has(failure.code)) {
      const ttls = this.#negatives.map((n) => n.negativeTtl);
      decided = { ...failure, negativeTtl: ttls.includes(undefined) ? undefined : Math.min(...(ttls as number[])) };
    }
    for (const consumer of this.#consumers) consumer.settle({ error: nameError(this.#name, consumer.type, decided) });
    this.#end(undefined);
  }

  #consumer(type: RecordType): Consumer | undefined {
    return this.#consumers.find((c) => c.type === type);
  }

  /** A query left (aborted, or its client closed); with no query left waiting, the walk stops. */
  #leave(consumer: Consumer, reason: Error): void {
    consumer.settle({ error: reason });
    if (!this.#consumers.some((c) => c.joined && !c.done)) this.#end(reason);
  }

  /** Stops every round trip; results not given yet become `reason`. */
  #end(reason: Error | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    if (reason) {
      for (const scope of this.#scopes) scope.cancel(reason);
      for (const consumer of this.#consumers) consumer.settle({ error: reason });
    }
    this.onEnd?.();
  }
}

/** What one candidate says, from the result of each type asked (see the file comment). */
function judge(types: readonly RecordType[], results: readonly NameResult[]): Step {
  const failures: NameFailure[] = [];
  for (const result of results) {
    if (result.kind === 'answer') return { kind: 'answer', failure: ANSWERED };
    failures.push(result);
  }
  const a = types.indexOf('A');
  const negative = failures.filter((f) => NEGATIVE.has(f.code));
  if (negative.length > 0) {
    const first = a === -1 ? undefined : failures[a]!;
    const primary = first && NEGATIVE.has(first.code) && first.code !== 'ENODATA' ? first : (negative.find((f) => f !== first) ?? negative[0]!);
    return { kind: primary.code === 'ENODATA' ? 'nodata' : 'nxdomain', failure: primary };
  }
  const servfail = failures.find((f) => f.code === 'ESERVFAIL');
  if (servfail) return { kind: 'servfail', failure: servfail };
  const primary = failures[Math.max(a, 0)]!;
  if (failures.every((f) => f.code === 'ECONNREFUSED')) return { kind: 'unreachable', failure: primary };
  return { kind: 'stop', failure: primary };
}
