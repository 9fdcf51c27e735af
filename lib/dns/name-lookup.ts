/**
 * One name for one type: servers × attempts as resolv.conf(5) defines them (servers.ts),
 * and CNAME chasing when the answer section stops short of the asked type (RFC 1034
 * §5.3.3). A state machine rather than an async loop: each try's outcome arrives in
 * `onReply` (for UDP straight from the socket) and the next step runs there, so a query
 * costs no promise or event-loop turn per layer (docs/benchmarks.md, dns-client).
 */
import { asciiLower, interpret } from './interpret.js';
import type { CancelScope } from './cancel.js';
import { exchange } from './exchange.js';
import type { NameResult } from './name-result.js';
import { makeQuestion, type Question } from './query.js';
import { decidingFailure, type Failure, type ServerPlan } from './servers.js';
import type { ReplyResult, TrySink } from './transport.js';
import type { AddressRecord, DnsServer, ServiceRecord } from './types.js';

/** Where the lookup's end goes, once: its result, or the reason it was cancelled. */
export interface LookupSink {
  lookupDone(result: NameResult): void;
  lookupFailed(reason: unknown): void;
}

const NO_NAMES: ReadonlySet<string> = new Set();

export class NameLookup implements TrySink {
  readonly #plan: ServerPlan;
  /** Index of the server asked first (rotate moves it per query). */
  readonly #first: number;
  readonly #scope: CancelScope;
  readonly #sink: LookupSink;
  /** The name as asked: the answer's `name`. */
  readonly #candidate: Question;
  /** The question on the wire now: the candidate, or a CNAME target. */
  #current: Question;
  #server: DnsServer | undefined;
  #round = 0;
  #index = 0;
  /** Failures of the current question's tries; made on the first. */
  #failures: Failure[] | undefined;
  /** Names asked so far, lower-cased; interpret() adds the name asked, so the first question needs none. */
  #visited: Set<string> | undefined;
  readonly #cnames: string[] = [];
  #ttl = Number.POSITIVE_INFINITY;
  #udpPayloadSize: number;
  #mixCase: boolean;

  constructor(plan: ServerPlan, first: number, question: Question, scope: CancelScope, sink: LookupSink, udpPayloadSize: number, mixCase: boolean) {
    this.#plan = plan;
    this.#first = first;
    this.#candidate = question;
    this.#current = question;
    this.#scope = scope;
    this.#sink = sink;
    this.#udpPayloadSize = udpPayloadSize;
    this.#mixCase = mixCase;
  }

  /** Sends the first try. Its end (and every later step) comes through the sink. */
  start(): void {
    this.#ask();
  }

  #ask(): void {
    const { servers } = this.#plan;
    const server = servers[(this.#first + this.#index) % servers.length]!;
    this.#server = server;
    try {
      exchange(server, this.#current, this.#plan, this.#scope, this);
    } catch (error) {
      // A round trip that could not even start (e.g. a second listener on the scope):
      // what the awaited promise rejected with before.
      this.#sink.lookupFailed(error);
    }
  }

  onCancel(reason: unknown): void {
    this.#sink.lookupFailed(reason);
  }

  onReply(result: ReplyResult): void {
    try {
      this.#step(result);
      // Called from a socket's message handler: nothing may escape into the event loop.
      /* c8 ignore start -- interpret() and the sinks never throw */
    } catch (error) {
      this.#sink.lookupFailed(error);
    }
    /* c8 ignore stop */
  }

  #step(result: ReplyResult): void {
    const server = this.#server!;
    if (result.kind === 'failure') return this.#failed({ code: result.code, server, cause: result.cause });
    const current = this.#current;
    const cnames = this.#cnames;
    const outcome = interpret(result.reply, current.name, current.type, { visited: this.#visited ?? NO_NAMES, links: cnames.length });
    if (outcome.kind === 'failure') return this.#failed({ code: outcome.code, server, cause: new Error(outcome.reason) });
    if (outcome.kind === 'negative') return this.#done({ kind: 'error', code: outcome.code, server, negativeTtl: outcome.negativeTtl });
    if (outcome.kind === 'broken') return this.#done({ kind: 'error', code: outcome.code, server, cause: new Error(outcome.reason) });
    for (const name of outcome.cnames) cnames.push(name);
    this.#ttl = Math.min(this.#ttl, outcome.ttl);
    const { name, type } = this.#candidate;
    if (outcome.kind === 'records') {
      const from = this.#plan.serverKeys.get(server)!;
      const ttl = this.#ttl;
      const answer =
        type === 'HTTPS'
          ? { name, type, records: outcome.records as ServiceRecord[], ttl, cnames, server: from, source: 'dns' as const, aliases: [] }
          : { name, type, records: outcome.records as AddressRecord[], ttl, cnames, server: from, source: 'dns' as const };
      return this.#done({ kind: 'answer', answer });
    }
    const visited = (this.#visited ??= new Set([asciiLower(name)]));
    for (const link of outcome.cnames) visited.add(asciiLower(link));
    let next: Question;
    try {
      next = makeQuestion(outcome.target, type, this.#udpPayloadSize, this.#mixCase);
    } catch {
      return this.#done({ kind: 'error', code: 'EBADRESP', server, cause: new Error(`CNAME target ${outcome.target}`) });
    }
    // The target is a new question: servers and attempts start over for it.
    this.#current = next;
    this.#round = 0;
    this.#index = 0;
    this.#failures = undefined;
    this.#ask();
  }

  /** This try failed: the next server, the next round, or the deciding failure of all. */
  #failed(failure: Failure): void {
    (this.#failures ??= []).push(failure);
    if (++this.#index === this.#plan.servers.length) {
      this.#index = 0;
      if (++this.#round === this.#plan.attempts) {
        const { code, server, cause } = decidingFailure(this.#failures);
        return this.#done({ kind: 'error', code, server, cause });
      }
    }
    this.#ask();
  }

  #done(result: NameResult): void {
    this.#sink.lookupDone(result);
  }
}
