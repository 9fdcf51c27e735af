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
import type { ServerPlan } from './servers.js';
import { NameLookup, type LookupSink } from './name-lookup.js';
import { serverKey } from './transport.js';
import { UdpPool } from './udp-pool.js';
import type { AddressRecordType, Answer, QueryOptions, RecordType, ServiceAnswer, Upstream } from './types.js';

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
    const serverKeys = new Map(servers.map((server) => [server, serverKey(server)]));
    this.#plan = { servers, attempts, clock, timeout, udpPool: this.#udpPool, encrypted, stats, onIgnored, onTimeout, tcpOnly: config.tcp, serverKeys };
  }

  /**
   * One (name, type) from the servers. An HTTPS answer is the RRset as the server gave it,
   * AliasMode records included (the Resolver follows them).
   */
  query(name: string, type: AddressRecordType, options?: QueryOptions): Promise<Answer>;
  query(name: string, type: 'HTTPS', options?: QueryOptions): Promise<ServiceAnswer>;
  query(name: string, type: RecordType, options?: QueryOptions): Promise<Answer | ServiceAnswer>;
  query(name: string, type: RecordType, options: QueryOptions = {}): Promise<Answer | ServiceAnswer> {
    let scope: QueryScope;
    try {
      if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError('name', name, 'a host name');
      if (type !== 'A' && type !== 'AAAA' && type !== 'HTTPS') throw new InvalidArgumentError('type', type, "'A', 'AAAA' or 'HTTPS'");
      if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'an object');
      const signal = signalOption(options.signal);
      if (this.#closed) throw cancelled(name, type);
      if (signal?.aborted) throw new AbortError(signal.reason);
      const config = this.#config;
      // `both` pairs AAAA and A; an HTTPS query walks on its own.
      const both = options.both === true && type !== 'HTTPS';
      // no-aaaa: an AAAA query asks A, and the A query of the same lookup must join it.
      if (config.search.length > 0 || (config.noAaaa && (type === 'AAAA' || both))) return this.#walkQuery(name, type, both, signal);
      // No search list: one name, asked right here, settled from the reply's handler.
      const question = this.#onWire(trimDot(name), type) ?? badName(name, type);
      scope = new QueryScope(name, type, signal, this.#forget);
      scope.slot = this.#inflight.push(scope) - 1;
      this.#lookup(question, scope);
    } catch (error) {
      return Promise.reject(error);
    }
    return scope.promise;
  }

  /** A query through the search walk (search-walk.ts). */
  async #walkQuery(name: string, type: RecordType, both: boolean, signal: AbortSignal | undefined): Promise<Answer | ServiceAnswer> {
    const scope = new QueryScope(name, type, signal, this.#forget);
    scope.slot = this.#inflight.push(scope) - 1;
    try {
      return await this.#walk(name, type, both, scope);
    } finally {
      scope.end();
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
  readonly #forget = (scope: QueryScope): void => {
    if (scope.slot < 0) return; // close() already took it off
    const last = this.#inflight.pop()!;
    if (last !== scope) {
      this.#inflight[scope.slot] = last;
      last.slot = scope.slot;
    }
    scope.slot = -1;
    if (this.#retiring && this.#inflight.length === 0) this.close();
  };

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
    return new Promise((resolve, reject) => this.#lookup(question, scope, { lookupDone: resolve, lookupFailed: reject }));
  };

  /** One name, following CNAMEs to other queries when the answer section stops short (name-lookup.ts). */
  #lookup(question: Question, scope: CancelScope, sink: LookupSink = scope as QueryScope): void {
    const plan = this.#plan;
    const config = this.#config;
    const first = config.rotate ? this.#nextServer++ % plan.servers.length : 0;
    new NameLookup(plan, first, question, scope, sink, config.udpPayloadSize, config.dns0x20).start();
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

/**
 * A query's cancel scope, with what `close()` needs to name it in the error. Without a
 * search list it is also where its lookup ends (LookupSink): the query leaves the
 * in-flight list and its signal, then its promise settles.
 */
class QueryScope extends CancelScope implements LookupSink {
  /** Index in the client's in-flight list; -1 when not on it. */
  slot = -1;
  readonly promise: Promise<Answer | ServiceAnswer>;
  #resolve!: (answer: Answer | ServiceAnswer) => void;
  #reject!: (reason: unknown) => void;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort: (() => void) | undefined;
  readonly #forget: (scope: QueryScope) => void;

  constructor(
    readonly name: string,
    readonly type: RecordType,
    signal: AbortSignal | undefined,
    forget: (scope: QueryScope) => void,
  ) {
    super();
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#forget = forget;
    this.#signal = signal;
    // No listener (nor closure) at all for the common query without a signal.
    this.#onAbort = signal && ((): void => this.cancel(new AbortError(signal.reason)));
    if (this.#onAbort) signal!.addEventListener('abort', this.#onAbort);
  }

  lookupDone(result: NameResult): void {
    this.end();
    if (result.kind === 'answer') this.#resolve(result.answer);
    else this.#reject(nameError(this.name, this.type, result));
  }

  lookupFailed(reason: unknown): void {
    this.end();
    this.#reject(reason);
  }

  /** Off the signal and the in-flight list. */
  end(): void {
    if (this.#onAbort) this.#signal!.removeEventListener('abort', this.#onAbort);
    this.#forget(this);
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
