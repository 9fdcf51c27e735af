/**
 * The user-space DNS client: search-list expansion (search-walk.ts), then for each
 * candidate name the servers × attempts loop and CNAME chasing. Implements `Upstream`
 * for the cache.
 */
import { AbortError, DnsError, InvalidArgumentError } from '../errors.js';
import { searchPlan } from './search.js';
import { emptyClientStats, type ClientStats } from './client-stats.js';
import { CancelScope } from './cancel.js';
import { EncryptedTransports } from './encrypted.js';
import { asciiLower } from './interpret.js';
import { nameError, type NameResult } from './name-result.js';
import { resolveClientOptions, type DnsClientConfig, type DnsClientOptions } from './options.js';
import { signalOption } from '../options.js';
import { makeQuestion, type Question } from './query.js';
import { SearchWalk } from './search-walk.js';
import { askServers, type ServerPlan } from './servers.js';
import { serverKey } from './transport.js';
import { UdpPool } from './udp-pool.js';
import type { AddressRecord, AddressRecordType, Answer, DnsServer, QueryOptions, RecordType, ServiceAnswer, ServiceRecord, Upstream } from './types.js';

export type { DnsClientOptions } from './options.js';
export type { ClientStats } from './client-stats.js';

const BOTH_TYPES: readonly RecordType[] = ['AAAA', 'A'];
const A_ONLY: readonly RecordType[] = ['A'];

export class DnsClient implements Upstream {
  readonly #config: DnsClientConfig;
  readonly #stats: ClientStats = emptyClientStats();
  /**
   * In-flight queries, so close() can end them. An array with O(1) removal (each scope
   * knows its slot): a Set cost a large share of query()'s own time (identity hashes).
   */
  #inflight: QueryScope[] = [];
  readonly #udpPool: UdpPool;
  readonly #encrypted: EncryptedTransports | undefined;
  /** Servers, attempts and what every try needs: one object for the client's life. */
  readonly #plan: ServerPlan;
  /** `Answer.server` of each configured server, made once. */
  readonly #serverKeys: Map<DnsServer, string>;
  /** Walks of both types still open to the other type's query, by lower-cased name. */
  readonly #walks = new Map<string, SearchWalk>();
  #nextServer = 0;
  #closed = false;
  #retiring = false;

  constructor(options: DnsClientOptions) {
    const config = resolveClientOptions(options);
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
    this.#plan = { servers, attempts, clock, timeout, udpPool: this.#udpPool, encrypted, stats, onIgnored, onTimeout, tcpOnly: config.tcp };
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
    const signal = signalOption(options.signal);
    if (this.#closed) throw cancelled(name, type);
    if (signal?.aborted) throw new AbortError(signal.reason);
    const scope = new QueryScope(name, type);
    // No listener (nor closure) at all for the common query without a signal.
    const onAbort = signal && ((): void => scope.cancel(new AbortError(signal.reason)));
    if (onAbort) signal.addEventListener('abort', onAbort);
    scope.slot = this.#inflight.push(scope) - 1;
    try {
      const config = this.#config;
      // `both` pairs AAAA and A; an HTTPS query walks on its own.
      const both = options.both === true && type !== 'HTTPS';
      // no-aaaa: an AAAA query asks A, and the A query of the same lookup must join it.
      if (config.search.length > 0 || (config.noAaaa && (type === 'AAAA' || both))) return await this.#walk(name, type, both, scope);
      // No search list: one name, asked right here (an async step less per query).
      const result = await this.#resolveName(this.#onWire(trimDot(name), type) ?? badName(name, type), scope);
      if (result.kind === 'answer') return result.answer;
      throw nameError(name, type, result);
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

  /**
   * For a client replaced by one with a new configuration: the queries in flight finish
   * where they are, then it closes as `close()` does.
   */
  retire(): void {
    this.#retiring = true;
    if (this.#inflight.length === 0) this.close();
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
    if (this.#retiring && this.#inflight.length === 0) this.close();
  }

  /**
   * The search walk (search-walk.ts) `type` takes part in. With `both`, the A and AAAA
   * queries of one lookup share one walk: whichever comes first starts it, the other joins.
   */
  #walk(name: string, type: RecordType, both: boolean, scope: CancelScope): Promise<Answer | ServiceAnswer> {
    const key = both ? asciiLower(name) : undefined;
    const open = key === undefined ? undefined : this.#walks.get(key);
    if (open?.canJoin(type)) return open.join(type, scope);
    const config = this.#config;
    const types = both ? BOTH_TYPES : [type];
    // no-aaaa: A is asked in AAAA's place.
    const walk = new SearchWalk(name, searchPlan(name, config), types, config.noAaaa && types.includes('AAAA') ? A_ONLY : types, this.#askName);
    if (key !== undefined) {
      this.#walks.set(key, walk);
      walk.onEnd = () => {
        if (this.#walks.get(key) === walk) this.#walks.delete(key);
      };
    }
    const result = walk.join(type, scope);
    walk.start();
    return result;
  }

  #askName = (name: string, type: RecordType, scope: CancelScope): Promise<NameResult> => {
    const question = this.#onWire(name, type);
    if (!question) return Promise.resolve({ kind: 'error', code: 'EBADNAME', server: undefined });
    return this.#resolveName(question, scope);
  };

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

/** Without a search list only the trailing dot matters (as in searchPlan). */
function trimDot(name: string): string {
  return name.charCodeAt(name.length - 1) === 0x2e ? name.slice(0, -1) : name;
}

function badName(hostname: string, rrtype: RecordType): never {
  throw new DnsError('EBADNAME', { hostname, rrtype });
}

function cancelled(hostname: string, rrtype: RecordType): DnsError {
  return new DnsError('ECANCELLED', { hostname, rrtype });
}
