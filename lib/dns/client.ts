/**
 * The user-space DNS client: search-list expansion, then for each candidate name the
 * servers × attempts loop and CNAME chasing. Implements `Upstream` for the cache.
 */
import { AbortError, DnsError, errorCode, InvalidArgumentError, type DnsErrorCode } from '../errors.js';
import { searchCandidates } from '../system/search.js';
import { emptyClientStats, type ClientStats } from './exchange.js';
import { CancelScope } from './cancel.js';
import { EncryptedTransports } from './encrypted.js';
import { asciiLower } from './interpret.js';
import { resolveOptions, type DnsClientConfig, type DnsClientOptions } from './options.js';
import { makeQuestion, type Question } from './query.js';
import { askServers, type ServerPlan } from './servers.js';
import { serverKey } from './transport.js';
import { UdpPool } from './udp-pool.js';
import type { AddressRecord, AddressRecordType, Answer, DnsServer, QueryOptions, RecordType, ServiceAnswer, ServiceRecord, Upstream } from './types.js';

export type { DnsClientOptions } from './options.js';
export type { ClientStats } from './exchange.js';

/** Why one name gave no answer; turned into a `DnsError` naming the name as asked. */
interface NameFailure {
  code: DnsErrorCode;
  server: DnsServer | undefined;
  negativeTtl?: number | undefined;
  cause?: unknown;
}

type NameResult = { kind: 'answer'; answer: Answer | ServiceAnswer } | ({ kind: 'error' } & NameFailure);

export class DnsClient implements Upstream {
  readonly #config: DnsClientConfig;
  readonly #stats: ClientStats = emptyClientStats();
  /**
   * In-flight queries, so close() can end them. An array with O(1) removal (each scope
   * knows its slot): as a Set it cost a fifth of query()'s own time (identity hashes).
   */
  #inflight: QueryScope[] = [];
  readonly #udpPool: UdpPool;
  readonly #encrypted: EncryptedTransports | undefined;
  /** Servers, attempts and what every try needs: one object for the client's life. */
  readonly #plan: ServerPlan;
  /** `Answer.server` of each configured server, made once. */
  readonly #serverKeys: Map<DnsServer, string>;
  #nextServer = 0;
  #closed = false;

  constructor(options: DnsClientOptions) {
    const config = resolveOptions(options);
    const stats = this.#stats;
    const onIgnored = (): void => void stats.ignoredReplies++;
    this.#config = config;
    this.#udpPool = new UdpPool(config.udpMaxQueries, onIgnored, config.clock);
    const { servers, attempts, clock, timeout } = config;
    const onTimeout = (): void => void stats.timeouts++;
    const encrypted = servers.some((server) => server.transport !== undefined)
      ? new EncryptedTransports(servers, { config: config.encrypted, clock, stats, bootstrap: config.bootstrap })
      : undefined;
    this.#encrypted = encrypted;
    this.#plan = { servers, attempts, clock, timeout, udpPool: this.#udpPool, encrypted, stats, onIgnored, onTimeout };
    this.#serverKeys = new Map(servers.map((server) => [server, serverKey(server)]));
  }

  /**
   * One (name, type) from the servers. An HTTPS answer is the RRset as the server gave it,
   * AliasMode records included (the Resolver follows them).
   */
  query(name: string, type: AddressRecordType, options?: QueryOptions): Promise<Answer>;
  query(name: string, type: 'HTTPS', options?: QueryOptions): Promise<ServiceAnswer>;
  query(name: string, type: RecordType, options?: QueryOptions): Promise<Answer | ServiceAnswer>;
  async query(name: string, type: RecordType, options: QueryOptions = {}): Promise<Answer | ServiceAnswer> {
    if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError('name', name, 'a host name');
    if (type !== 'A' && type !== 'AAAA' && type !== 'HTTPS') throw new InvalidArgumentError('type', type, "'A', 'AAAA' or 'HTTPS'");
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'an object');
    const signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new InvalidArgumentError('signal', signal, 'an AbortSignal');
    if (this.#closed) throw cancelled(name, type);
    if (signal?.aborted) throw new AbortError(signal.reason);
    const scope = new QueryScope(name, type);
    // No listener (nor closure) at all for the common query without a signal.
    const onAbort = signal && ((): void => scope.cancel(new AbortError(signal.reason)));
    if (onAbort) signal.addEventListener('abort', onAbort);
    scope.slot = this.#inflight.push(scope) - 1;
    try {
      if (this.#config.search.length > 0) return await this.#search(name, type, scope);
      // No search list: one name, asked right here (an async step less per query).
      const result = await this.#resolveName(this.#onWire(trimDot(name), type) ?? badName(name, type), scope);
      if (result.kind === 'answer') return result.answer;
      throw toError(name, type, result);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
      this.#forget(scope);
    }
  }

  stats(): ClientStats {
    return { ...this.#stats };
  }

  /**
   * Ends every in-flight query with ECANCELLED; their sockets and timers go at once, and
   * so do DoT connections and DoH sessions.
   */
  close(): void {
    this.#closed = true;
    const inflight = this.#inflight;
    this.#inflight = [];
    for (const scope of inflight) {
      scope.slot = -1;
      scope.cancel(cancelled(scope.name, scope.type));
    }
    this.#udpPool.close();
    this.#encrypted?.close();
  }

  /** Takes a finished query off the in-flight list: the last one moves into its slot. */
  #forget(scope: QueryScope): void {
    if (scope.slot < 0) return; // close() already took it off
    const last = this.#inflight.pop()!;
    if (last !== scope) {
      this.#inflight[scope.slot] = last;
      last.slot = scope.slot;
    }
    scope.slot = -1;
  }

  /**
   * Each candidate in turn (glibc res_search): NXDOMAIN and NODATA move on to the next;
   * a server failure ends the search. When all are negative: ENODATA if any candidate
   * had NODATA, else ENOTFOUND; the negative TTL is the smallest, unknown if any was.
   */
  async #search(name: string, type: RecordType, scope: CancelScope): Promise<Answer | ServiceAnswer> {
    const negatives: NameFailure[] = [];
    for (const candidateName of searchCandidates(name, this.#config)) {
      const candidate = this.#onWire(candidateName, type);
      if (!candidate) continue;
      const result = await this.#resolveName(candidate, scope);
      if (result.kind === 'answer') return result.answer;
      if (result.code !== 'ENOTFOUND' && result.code !== 'ENODATA') throw toError(name, type, result);
      negatives.push(result);
    }
    if (negatives.length === 0) badName(name, type);
    const decided = negatives.find((n) => n.code === 'ENODATA') ?? negatives[negatives.length - 1]!;
    const ttls = negatives.map((n) => n.negativeTtl);
    const negativeTtl = ttls.includes(undefined) ? undefined : Math.min(...(ttls as number[]));
    throw toError(name, type, { ...decided, negativeTtl });
  }

  /** One name, following CNAMEs to other queries when the answer section stops short. */
  async #resolveName(candidate: Question, scope: CancelScope): Promise<NameResult> {
    const plan = this.#plan;
    const first = this.#config.rotate ? this.#nextServer++ % plan.servers.length : 0;
    // Names asked so far, lower-cased; interpret() adds the name asked, so the first
    // question needs none (most answers have no CNAME).
    let visited: Set<string> | undefined;
    const cnames: string[] = [];
    let ttl = Number.POSITIVE_INFINITY;
    const type = candidate.type;
    let current: Question = candidate;
    for (;;) {
      const asked = await askServers(plan, first, current, { visited: visited ?? NO_NAMES, links: cnames.length }, scope);
      if (asked.kind === 'failed') return { kind: 'error', code: asked.code, server: asked.server, cause: asked.cause };
      const { outcome, server } = asked;
      if (outcome.kind === 'negative') return { kind: 'error', code: outcome.code, server, negativeTtl: outcome.negativeTtl };
      if (outcome.kind === 'broken') return { kind: 'error', code: outcome.code, server, cause: new Error(outcome.reason) };
      for (const name of outcome.cnames) cnames.push(name);
      ttl = Math.min(ttl, outcome.ttl);
      if (outcome.kind === 'records') {
        const from = this.#serverKeys.get(server)!;
        const answer: Answer | ServiceAnswer =
          type === 'HTTPS'
            ? { name: candidate.name, type, records: outcome.records as ServiceRecord[], ttl, cnames, server: from, source: 'dns', aliases: [] }
            : { name: candidate.name, type, records: outcome.records as AddressRecord[], ttl, cnames, server: from, source: 'dns' };
        return { kind: 'answer', answer };
      }
      visited ??= new Set([asciiLower(candidate.name)]);
      for (const name of outcome.cnames) visited.add(asciiLower(name));
      const next = this.#onWire(outcome.target, type);
      if (!next) return { kind: 'error', code: 'EBADRESP', server, cause: new Error(`CNAME target ${outcome.target}`) };
      current = next;
    }
  }

  /** The question, or undefined when the name cannot go on the wire (too long, empty label). */
  #onWire(name: string, type: RecordType): Question | undefined {
    try {
      return makeQuestion(name, type, this.#config.udpPayloadSize, this.#config.dns0x20);
    } catch {
      return undefined;
    }
  }
}

const NO_NAMES: ReadonlySet<string> = new Set();

/** A query's cancel scope, with what `close()` needs to name it in the error. */
class QueryScope extends CancelScope {
  /** Index in the client's in-flight list; -1 when not on it. */
  slot = -1;

  constructor(
    readonly name: string,
    readonly type: RecordType,
  ) {
    super();
  }
}

/** Without a search list only the trailing dot matters (as in searchCandidates). */
function trimDot(name: string): string {
  return name.charCodeAt(name.length - 1) === 0x2e ? name.slice(0, -1) : name;
}

function badName(hostname: string, rrtype: RecordType): never {
  throw new DnsError('EBADNAME', { hostname, rrtype });
}

function toError(hostname: string, rrtype: RecordType, failure: NameFailure): DnsError {
  const server = failure.server && serverKey(failure.server);
  const error = new DnsError(failure.code, { hostname, rrtype, server, negativeTtl: failure.negativeTtl, cause: failure.cause });
  // A refused certificate is acted on by a person: say why in the message itself.
  if (failure.code === 'ECERT') error.message += `: certificate refused: ${(failure.cause as Error).message} (${errorCode(failure.cause)})`;
  return error;
}

function cancelled(hostname: string, rrtype: RecordType): DnsError {
  return new DnsError('ECANCELLED', { hostname, rrtype });
}
