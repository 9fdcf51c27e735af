/**
 * The public Resolver: one name and record type at a time, answered from (in order)
 * IP literals, `localhost` (RFC 6761), the hosts file, the cache, and the user-space
 * DNS client. AAAA and A are separate queries, so the racer consumes them as two
 * independent streams (RFC 8305 §3).
 */
import { DnsCache, type CacheStats, type DnsCacheOptions } from './cache/index.js';
import { systemClock, type Clock } from './clock.js';
import { dnsQueryChannel, type DnsQueryMessage } from './diagnostics.js';
import type tls from 'node:tls';
import { DnsClient, type ClientStats } from './dns/client.js';
import { resolveEncrypted, type EncryptedTransportOptions } from './dns/encrypted-options.js';
import { emptyClientStats } from './dns/exchange.js';
import { checkBootstrap, createBootstrap } from './dns/doh-bootstrap.js';
import { isValidHostname, normalizeHostname } from './dns/name.js';
import type { AddressRecord, Answer, AddressResolver, DnsServer, QueryOptions, RecordType, ServerAddress } from './dns/types.js';
import { AbortError, DnsError, InvalidArgumentError } from './errors.js';
import { createLookup, type LookupFunction } from './lookup.js';
import { configuredFamilies } from './system/interfaces.js';
import { createOrder } from './address/default-order.js';
import { defaultNat64 } from './nat64/nat64.js';
import { loadSystemConfig } from './system/config.js';
import { HostsFile } from './system/hosts-file.js';
import { lookupHosts } from './system/hosts.js';
import { parseIpLiteral } from './system/ip.js';
import { DEFAULT_NAMESERVERS, type ResolvConf } from './system/resolv-conf.js';
import { parseServerEntry } from './system/server-address.js';

export interface ResolverOptions {
  /**
   * DNS servers, asked in order: plain `'ip'`, `'ip:port'`, `'[v6]:port'`; DNS over TLS
   * `'tls://IP[:PORT][#SERVERNAME]'` (port 853); DNS over HTTPS `'https://HOST[:PORT]/PATH'`
   * (HTTP/2, port 443). A DoH host name is resolved by the hosts file and the plain
   * entries here, never by DoH. @default the `nameserver` lines of resolv.conf (127.0.0.1 if none)
   */
  servers?: string[];
  /** tls.connect options for every DoT and DoH server, e.g. `{ ca }` for a private CA. @default {} (Node's CA store) */
  tls?: tls.ConnectionOptions;
  /** DoT/DoH connection handling: idleTimeout, maxInFlight, dohMethod, reconnectDelay, maxReconnectDelay. @default {} */
  encrypted?: EncryptedTransportOptions;
  /** Path of resolv.conf, or `false` to read none (glibc defaults). @default '/etc/resolv.conf' */
  resolvConf?: string | false;
  /** Path of the hosts file, or `false` for none (`localhost` is still answered, RFC 6761). @default '/etc/hosts' */
  hosts?: string | false;
  /** Milliseconds one try at one server may take. @default resolv.conf `timeout:` (5000) */
  timeout?: number;
  /** Rounds over all servers. @default resolv.conf `attempts:` (2) */
  attempts?: number;
  /** Spread queries over the servers round robin. @default resolv.conf `rotate` (false) */
  rotate?: boolean;
  /** Search domains for short names. @default resolv.conf `search`/`domain` */
  search?: string[];
  /** Dots a name needs to be asked as is before the search domains. @default resolv.conf `ndots:` (1) */
  ndots?: number;
  /**
   * DNS 0x20: query names in random case, replies must echo it exactly (see
   * DnsClientOptions.dns0x20). @default false
   */
  dns0x20?: boolean;
  /** Cache options, or `false` for no cache. @default {} (see DnsCacheOptions) */
  cache?: DnsCacheOptions | false;
  /** Time source (tests). @default the system clock */
  clock?: Clock;
}

export type ResolverStats = CacheStats &
  ClientStats & {
    /** Answers from the hosts file or `localhost`. */
    hostsAnswers: number;
    /** Queries for IP literals, answered without DNS. */
    literalAnswers: number;
  };

interface Upstreams {
  client: DnsClient;
  hosts: HostsFile | undefined;
}

/** No hosts file: only `localhost` names are local (RFC 6761). */
const NO_HOSTS = new Map<string, never>();

const OPTION_KEYS = new Set(['servers', 'resolvConf', 'hosts', 'timeout', 'attempts', 'rotate', 'search', 'ndots', 'dns0x20', 'cache', 'clock', 'tls', 'encrypted']);

export class Resolver implements AddressResolver {
  /** `dns.lookup`-compatible and bound: pass it as a `lookup` option as is. */
  readonly lookup: LookupFunction;
  readonly #options: ResolverOptions;
  readonly #servers: DnsServer[] | undefined;
  readonly #cache: DnsCache | undefined;
  #upstreams: Promise<Upstreams> | undefined;
  /** The upstreams once loaded, for the synchronous `#peek`. */
  #loaded: Upstreams | undefined;
  #client: DnsClient | undefined;
  /** Resolves DoH host names over the plain servers (doh-bootstrap.ts). */
  #bootstrapClient: DnsClient | undefined;
  #hosts: HostsFile | undefined;
  #closed = false;
  #hostsAnswers = 0;
  #literalAnswers = 0;

  constructor(options: ResolverOptions = {}) {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'an object');
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.has(key)) throw new InvalidArgumentError(`options.${key}`, (options as Record<string, unknown>)[key], 'a known Resolver option');
    }
    this.#options = options;
    if (options.servers !== undefined) {
      if (!Array.isArray(options.servers) || options.servers.length === 0) {
        throw new InvalidArgumentError('servers', options.servers, "a non-empty array of 'ip', 'ip:port', '[v6]:port', 'tls://…' or 'https://…'");
      }
      this.#servers = options.servers.map((entry, i) => parseServerEntry(entry, `servers[${i}]`));
      checkBootstrap(this.#servers, options.hosts !== false);
    }
    resolveEncrypted(options.encrypted ?? {}, options.tls ?? {}); // bad values fail here, not at the first query
    if (options.cache !== false) {
      this.#cache = new DnsCache({ clock: options.clock, ...(options.cache ?? {}) } as DnsCacheOptions);
    }
    this.lookup = createLookup({
      resolver: this,
      order: createOrder(1),
      configuredFamilies,
      peek: (name, type) => this.#peek(name, type),
      // What connect() would try on an IPv6-only network (RFC 8305 §7), prefix discovered through this resolver.
      nat64: () => defaultNat64.prefixes(() => this),
    });
  }

  /** The answer for (name, type), with TTLs, CNAME chain, server and source. */
  async query(name: string, type: RecordType, options: QueryOptions = {}): Promise<Answer> {
    if (!dnsQueryChannel.hasSubscribers) return this.#query(name, type, options);
    const clock = this.#options.clock ?? systemClock;
    const started = clock.now();
    const publish = (message: Omit<DnsQueryMessage, 'name' | 'type' | 'ms'>): void => {
      dnsQueryChannel.publish({ name, type, ms: clock.now() - started, ...message } satisfies DnsQueryMessage);
    };
    try {
      const answer = await this.#query(name, type, options);
      publish({ source: answer.source, addresses: answer.records.map((r) => r.address), server: answer.server });
      return answer;
    } catch (error) {
      publish({ error });
      throw error;
    }
  }

  async #query(name: string, type: RecordType, options: QueryOptions): Promise<Answer> {
    if (type !== 'A' && type !== 'AAAA') throw new InvalidArgumentError('type', type, "'A' or 'AAAA'");
    const signal = options.signal;
    if (signal?.aborted) throw new AbortError(signal.reason);
    if (this.#closed) throw new DnsError('ECANCELLED', { hostname: String(name), rrtype: type }, `query ECANCELLED ${name}: resolver closed`);
    const literal = typeof name === 'string' ? parseIpLiteral(name) : undefined;
    if (literal) {
      this.#literalAnswers++;
      if ((literal.family === 6) !== (type === 'AAAA')) throw new DnsError('ENODATA', { hostname: name, rrtype: type });
      return { name, type, records: [{ address: literal.address, ttl: 0 }], ttl: 0, cnames: [], source: 'literal' };
    }
    const hostname = normalizeHostname(name);
    const upstreams = await this.#ready();
    if (this.#closed) throw new DnsError('ECANCELLED', { hostname, rrtype: type }, `query ECANCELLED ${hostname}: resolver closed`);
    const local = upstreams.hosts
      ? await upstreams.hosts.lookup(hostname, type === 'AAAA' ? 6 : 4)
      : lookupHosts(NO_HOSTS, hostname, type === 'AAAA' ? 6 : 4);
    if (local !== undefined) return this.#fromHosts(hostname, type, local);
    const fetch = (fetchSignal: AbortSignal): Promise<Answer> => upstreams.client.query(hostname, type, { signal: fetchSignal });
    if (this.#cache) return this.#cache.resolve(hostname, type, fetch, { signal });
    return upstreams.client.query(hostname, type, { signal });
  }

  /**
   * What `#query` would answer (or the error it would throw) from a fresh cache entry,
   * at once; `undefined` whenever
   * `#query` could answer anything else (closed, not yet configured, a bad name, a
   * hosts-file or `localhost` name, a check of the hosts file due, no fresh entry) or a
   * diagnostics subscriber wants its message: then `query` is asked.
   */
  #peek(name: string, type: RecordType): Answer | DnsError | undefined {
    const upstreams = this.#loaded;
    if (upstreams === undefined || this.#closed || !this.#cache || dnsQueryChannel.hasSubscribers) return undefined;
    // An IP literal needs no check here: `#query` answers it before the cache, which never holds one.
    if (!isValidHostname(name)) return undefined;
    const family = type === 'AAAA' ? 6 : 4;
    const local = upstreams.hosts ? upstreams.hosts.peek(name, family) : lookupHosts(NO_HOSTS, name, family);
    if (local !== undefined) return undefined;
    return this.#cache.peek(name, type);
  }

  /** The records of (name, type) with their TTLs in seconds. */
  async resolve(name: string, type: RecordType, options: QueryOptions = {}): Promise<AddressRecord[]> {
    return (await this.query(name, type, options)).records;
  }

  stats(): ResolverStats {
    const cache = this.#cache?.stats() ?? {
      hits: 0, misses: 0, coalesced: 0, staleServed: 0, negativeHits: 0, errorHits: 0, upstreamQueries: 0,
      refreshes: 0, evictions: 0, queueTimeouts: 0, queueOverflows: 0, entries: 0, inFlight: 0, queued: 0,
    };
    const client = this.#client?.stats() ?? emptyClientStats();
    return { ...cache, ...client, hostsAnswers: this.#hostsAnswers, literalAnswers: this.#literalAnswers };
  }

  /** Ends queries in flight (ECANCELLED) and releases every socket and timer. */
  close(): void {
    this.#closed = true;
    this.#cache?.close();
    this.#client?.close();
    this.#bootstrapClient?.close();
    this.#hosts?.close();
  }

  #fromHosts(hostname: string, type: RecordType, addresses: string[]): Answer {
    this.#hostsAnswers++;
    // A name the hosts file knows only for the other family has no record of this one (as glibc).
    if (addresses.length === 0) throw new DnsError('ENODATA', { hostname, rrtype: type });
    return { name: hostname, type, records: addresses.map((address) => ({ address, ttl: 0 })), ttl: 0, cnames: [], source: 'hosts' };
  }

  /** System configuration is read once, on the first query that needs DNS. */
  #ready(): Promise<Upstreams> {
    this.#upstreams ??= this.#load();
    return this.#upstreams;
  }

  async #load(): Promise<Upstreams> {
    const o = this.#options;
    const system = await loadSystemConfig({ resolvConf: o.resolvConf, hosts: o.hosts });
    const conf: ResolvConf = system.resolvConf;
    const servers = this.#servers ?? (conf.nameservers.length > 0 ? conf.nameservers : [...DEFAULT_NAMESERVERS]);
    if (system.hostsPath !== undefined) {
      this.#hosts = new HostsFile({ path: system.hostsPath, ...(o.clock ? { clock: o.clock } : {}) });
    }
    const common = {
      timeout: o.timeout ?? conf.timeout,
      attempts: o.attempts ?? conf.attempts,
      rotate: o.rotate ?? conf.rotate,
      ...(o.dns0x20 !== undefined ? { dns0x20: o.dns0x20 } : {}),
      ...(o.clock ? { clock: o.clock } : {}),
    };
    const plain = servers.filter((server): server is ServerAddress => server.transport === undefined);
    const needsBootstrap = servers.some((server) => server.transport === 'https' && parseIpLiteral(server.host) === undefined);
    if (needsBootstrap && plain.length > 0) this.#bootstrapClient = new DnsClient({ servers: plain, ...common });
    this.#client = new DnsClient({
      servers,
      ...common,
      search: o.search ?? conf.search,
      ndots: o.ndots ?? conf.ndots,
      ...(o.tls ? { tls: o.tls } : {}),
      ...(o.encrypted ? { encrypted: o.encrypted } : {}),
      ...(needsBootstrap ? { bootstrap: createBootstrap(this.#hosts, this.#bootstrapClient) } : {}),
    });
    if (this.#closed) this.close();
    this.#loaded = { client: this.#client, hosts: this.#hosts };
    return this.#loaded;
  }
}

let defaultResolver: Resolver | undefined;

/** The shared resolver built from the system configuration, made on first use. */
export function getDefaultResolver(): Resolver {
  defaultResolver ??= new Resolver();
  return defaultResolver;
}
