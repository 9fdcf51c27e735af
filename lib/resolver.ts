/**
 * The public Resolver: one name and record type at a time, answered from (in order)
 * IP literals, `localhost` (RFC 6761), then by where the name is routed (system/route.ts):
 * the hosts file, special-use names (`.invalid`, `.onion`: never DNS), the cache and the
 * user-space DNS client, or the system resolver (getaddrinfo) for names only the system's
 * sources answer. AAAA and A are separate queries on both paths, so the racer consumes
 * them as two independent streams (RFC 8305 §3).
 *
 * It follows the system as it changes: resolv.conf and gai.conf are checked at most once
 * a second, on use (nsswitch.conf and the hosts file too, by their own readers). New
 * queries use the new servers, search list and options; queries in flight finish where
 * they are. A new set of servers flushes the cache, and answers still in flight from the
 * old ones stay out of it.
 */
import { DnsCache, type CacheStats, type DnsCacheOptions } from './cache/index.js';
import { emptyCacheStats } from './cache/stats.js';
import { systemClock, type Clock } from './clock.js';
import { dnsQueryChannel, type DnsQueryMessage } from './diagnostics.js';
import type tls from 'node:tls';
import { DnsClient, type ClientStats } from './dns/client.js';
import { resolveEncrypted, type EncryptedTransportOptions } from './dns/encrypted-options.js';
import { clientOptionChecks } from './dns/options.js';
import { emptyClientStats } from './dns/client-stats.js';
import { checkBootstrap, createBootstrap } from './dns/doh-bootstrap.js';
import { isLocalhostName, isValidHostname, normalizeHostname } from './dns/name.js';
import { isSpecialUseName } from './dns/special-use.js';
import { serverKey } from './dns/transport.js';
import type {
  AddressRecord,
  AddressRecordType,
  Answer,
  AddressResolver,
  DnsServer,
  QueryOptions,
  RecordType,
  ServerAddress,
  ServiceAnswer,
  ServiceRecord,
  ServiceResolver,
} from './dns/types.js';
import { followAliases } from './dns/alias-chain.js';
import { formatServiceData } from './dns/svcb-presentation.js';
import { AbortError, DnsError, errorCode, InvalidArgumentError } from './errors.js';
import { clockOption, optionsObject } from './options.js';
import { createLookup, type LookupFunction } from './lookup.js';
import { type AddressPolicyOption, AddressPolicy, setResolverAddressPolicy } from './policy/policy.js';
import { currentConfiguredFamilies } from './system/interfaces.js';
import { defaultNetworkMonitor } from './system/network.js';
import { createOrder } from './address/default-order.js';
import { DEFAULT_POLICY_TABLE, policyTableFrom, type PolicyTable } from './address/policy-table.js';
import { checkSource } from './system/config.js';
import { parseGaiConf } from './system/gai-conf.js';
import { defaultNat64 } from './nat64/nat64.js';
import { HostsFile } from './system/hosts-file.js';
import { lookupHosts } from './system/hosts.js';
import { parseIpLiteral } from './system/ip.js';
import { DEFAULT_NAMESERVERS, defaultResolvConf, parseResolvConf, type ResolvConf } from './system/resolv-conf.js';
import { parseServerEntry } from './system/server-address.js';
import { WatchedFile } from './system/watched-file.js';
import { hostname as osHostname } from 'node:os';
import { platformFiles, systemServers, type PlatformFiles } from './system/platform.js';
import { nssStatusOf, type Platform, type Route } from './system/route.js';
import type { HostRouter } from './system/host-router.js';
import type { SplitDomain } from './system/resolver-dir.js';
import { checkRoutingOptions, createRouting, ROUTING_OPTION_KEYS, type Routing, type RoutingOptions } from './system/routing.js';

/** Also the routing options (system/routing.ts): `backend`, `platform`, `nsswitch`, `resolverDir`, `systemTtl`, `systemLookup`. */
export interface ResolverOptions extends RoutingOptions {
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
  /**
   * Path of resolv.conf, or `false` to read none (glibc defaults). Checked again at most
   * once a second, on use (unless it says `options no-reload`). @default '/etc/resolv.conf'
   */
  resolvConf?: string | false;
  /**
   * Path of gai.conf (`precedence`, `label`, `scopev4` lines: the RFC 6724 policy for
   * ordering addresses, in `lookup()` and in the races that use this resolver), or `false`
   * for RFC 6724's default table. Checked again at most once a second, on use.
   * @default '/etc/gai.conf'
   */
  gaiConf?: string | false;
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
  /**
   * The default `policy` (SSRF guard) of this resolver's `lookup` (answers filtered) and of
   * connections that use it (see `ConnectOptions.policy`). Never applies to the DNS servers
   * themselves. `query` and `resolve` answer unfiltered. @default none
   */
  policy?: AddressPolicyOption;
}

export type ResolverStats = CacheStats &
  ClientStats & {
    /** Answers from the hosts file or `localhost`. */
    hostsAnswers: number;
    /** Queries for IP literals, answered without DNS. */
    literalAnswers: number;
    /** Queries sent to the system backend (getaddrinfo), answered or not. */
    systemQueries: number;
  };

/** What a resolv.conf gave: made again when it changes. */
interface Upstreams {
  client: DnsClient;
  /** Resolves DoH host names over the plain servers (doh-bootstrap.ts). */
  bootstrapClient: DnsClient | undefined;
  /** A client per /etc/resolver domain with servers of its own. */
  splitClients: Map<SplitDomain, DnsClient>;
  router: HostRouter;
  hosts: HostsFile | undefined;
  /** The resolv.conf the clients were built from, as text to compare. */
  confKey: string;
  /** The servers asked, as a set: a change flushes the cache. */
  serverSet: string;
}

/** No hosts file: only `localhost` names are local (RFC 6761). */
const NO_HOSTS = new Map<string, never>();

const OPTION_KEYS = new Set([
  'servers',
  'resolvConf',
  'gaiConf',
  'hosts',
  'timeout',
  'attempts',
  'rotate',
  'search',
  'ndots',
  'dns0x20',
  'cache',
  'clock',
  'tls',
  'encrypted',
  'policy',
  ...ROUTING_OPTION_KEYS,
]);

/** The policy table each resolver orders addresses with (connect() reads it; not public). */
const policies = new WeakMap<object, () => PolicyTable>();

/** The current gai.conf policy of `resolver` when it is a Resolver, else undefined. */
export function resolverPolicy(resolver: unknown): (() => PolicyTable) | undefined {
  return typeof resolver === 'object' && resolver !== null ? policies.get(resolver) : undefined;
}

export class Resolver implements AddressResolver, ServiceResolver {
  /** `dns.lookup`-compatible and bound: pass it as a `lookup` option as is. */
  readonly lookup: LookupFunction;
  readonly #options: ResolverOptions;
  readonly #platform: Platform;
  readonly #files: PlatformFiles;
  readonly #hostsPath: string | false;
  readonly #servers: DnsServer[] | undefined;
  readonly #cache: DnsCache | undefined;
  readonly #resolvConf: WatchedFile<ResolvConf> | undefined;
  readonly #gaiConf: WatchedFile<PolicyTable> | undefined;
  #policy: PolicyTable = DEFAULT_POLICY_TABLE;
  /** A (re)load of the configuration running. */
  #loading: Promise<Upstreams> | undefined;
  /** The upstreams built from the configuration read last, for every new query. */
  #loaded: Upstreams | undefined;
  /** The system backend and the /etc/resolver domains, made by the first load. */
  #routing: Routing | undefined;
  #hosts: HostsFile | undefined;
  /** Counters of clients replaced after a configuration change. */
  #retiredStats = emptyClientStats();
  #closed = false;
  #hostsAnswers = 0;
  #literalAnswers = 0;

  constructor(options: ResolverOptions = {}) {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'an object');
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.has(key)) throw new InvalidArgumentError(`options.${key}`, (options as Record<string, unknown>)[key], 'a known Resolver option');
    }
    this.#options = options;
    this.#platform = checkRoutingOptions(options);
    // Windows and Android have no resolv.conf, and their hosts file elsewhere (platform.ts).
    this.#files = platformFiles(this.#platform);
    const resolvConf = options.resolvConf ?? this.#files.resolvConf ?? false;
    this.#hostsPath = options.hosts ?? this.#files.hosts;
    checkSource('resolvConf', resolvConf);
    checkSource('hosts', this.#hostsPath);
    checkSource('gaiConf', options.gaiConf ?? '/etc/gai.conf');
    const clock = options.clock;
    if (resolvConf !== false) {
      this.#resolvConf = new WatchedFile({
        path: resolvConf,
        option: 'resolvConf',
        // As glibc, the environment and the host name are read with the file.
        parse: (text) => parseResolvConf(text, { env: process.env, hostname: osHostname() }),
        final: (conf) => conf.noReload,
        clock,
      });
    }
    if (options.gaiConf !== false) {
      this.#gaiConf = new WatchedFile({
        path: options.gaiConf ?? '/etc/gai.conf',
        option: 'gaiConf',
        parse: (text) => policyTableFrom(parseGaiConf(text)),
        clock,
      });
    }
    if (options.servers !== undefined) {
      if (!Array.isArray(options.servers) || options.servers.length === 0) {
        throw new InvalidArgumentError('servers', options.servers, "a non-empty array of 'ip', 'ip:port', '[v6]:port', 'tls://…' or 'https://…'");
      }
      this.#servers = options.servers.map((entry, i) => parseServerEntry(entry, `servers[${i}]`));
      checkBootstrap(this.#servers, options.hosts !== false);
    }
    // Every option is checked here: a bad one must not wait for the first query.
    resolveEncrypted(options.encrypted ?? {}, options.tls ?? {});
    for (const [key, check] of Object.entries(clientOptionChecks)) {
      const value = options[key as keyof typeof clientOptionChecks];
      if (value !== undefined) check(value);
    }
    clockOption(options.clock);
    const addressPolicy = AddressPolicy.from(options.policy);
    if (addressPolicy !== undefined) setResolverAddressPolicy(this, addressPolicy);
    if (options.cache !== false) {
      this.#cache = new DnsCache({ clock: options.clock, ...optionsObject(options.cache, 'cache') } as DnsCacheOptions);
    }
    const policy = (): PolicyTable => this.#policy;
    policies.set(this, policy);
    this.lookup = createLookup({
      resolver: this,
      order: createOrder(1, undefined, policy),
      configuredFamilies: () => currentConfiguredFamilies(),
      peek: (name, type, both) => this.#peek(name, type, both),
      peekAddresses: (name, type, both) => this.#peekAddresses(name, type, both),
      orderEpoch: policy,
      networkKey: () => defaultNetworkMonitor.key(),
      policy: addressPolicy,
      // What connect() would try on an IPv6-only network (RFC 8305 §7), prefix discovered through this resolver.
      nat64: () => defaultNat64.prefixes(() => this),
    });
  }

  /**
   * The answer for (name, type), with TTLs, CNAME chain, server and source. `'HTTPS'`
   * (RFC 9460): the ServiceMode records after following CNAMEs and AliasMode records; ask
   * `_PORT._https.HOST` for a port other than 443 (§9.1, `httpsQueryName`).
   */
  query(name: string, type: AddressRecordType, options?: QueryOptions): Promise<Answer>;
  query(name: string, type: 'HTTPS', options?: QueryOptions): Promise<ServiceAnswer>;
  query(name: string, type: RecordType, options?: QueryOptions): Promise<Answer | ServiceAnswer>;
  query(name: string, type: RecordType, options: QueryOptions = {}): Promise<Answer | ServiceAnswer> {
    // Not async: an async function returning #query's promise would wrap it in one more
    // (and two more turns of the microtask queue) on every query.
    if (!dnsQueryChannel.hasSubscribers) return this.#query(name, type, options);
    return this.#traced(name, type, options);
  }

  /** `query` with a diagnostics_channel subscriber: the outcome is published. */
  async #traced(name: string, type: RecordType, options: QueryOptions): Promise<Answer | ServiceAnswer> {
    const clock = this.#options.clock ?? systemClock;
    const started = clock.now();
    const trace: Trace = { backend: 'dns' };
    const publish = (message: Omit<DnsQueryMessage, 'name' | 'type' | 'ms' | 'backend'>): void => {
      dnsQueryChannel.publish({ name, type, ms: clock.now() - started, backend: trace.backend, ...message } satisfies DnsQueryMessage);
    };
    try {
      const answer = await this.#query(name, type, options, trace);
      if (answer.type === 'HTTPS') publish({ source: answer.source, records: answer.records.map(formatServiceData), server: answer.server });
      else publish({ source: answer.source, addresses: answer.records.map((r) => r.address), server: answer.server });
      return answer;
    } catch (error) {
      publish({ error });
      throw error;
    }
  }

  /**
   * Not async: while the configuration needs no check and the hosts file no stat, a query
   * reaches the DNS client without a promise or a turn of the event loop of its own (the
   * Resolver's share of a cache-less query was a fifth of its CPU time, docs/benchmarks.md).
   * Every step may throw; a throw becomes the returned promise's rejection.
   */
  #query(name: string, type: RecordType, options: QueryOptions, trace?: Trace): Promise<Answer | ServiceAnswer> {
    try {
      if (type !== 'A' && type !== 'AAAA' && type !== 'HTTPS') throw new InvalidArgumentError('type', type, "'A', 'AAAA' or 'HTTPS'");
      const signal = options.signal;
      if (signal?.aborted) throw new AbortError(signal.reason);
      if (this.#closed) throw new DnsError('ECANCELLED', { hostname: String(name), rrtype: type }, `query ECANCELLED ${name}: resolver closed`);
      const literal = typeof name === 'string' ? parseIpLiteral(name) : undefined;
      if (literal) {
        this.#literalAnswers++;
        // An IP literal has no HTTPS record either.
        if (type === 'HTTPS' || (literal.family === 6) !== (type === 'AAAA')) throw new DnsError('ENODATA', { hostname: name, rrtype: type });
        return Promise.resolve({ name, type, records: [{ address: literal.address, ttl: 0 }], ttl: 0, cnames: [], source: 'literal' });
      }
      const hostname = normalizeHostname(name);
      if (this.#loaded !== undefined && this.#fresh()) return Promise.resolve(this.#routed(this.#loaded, hostname, type, options, trace));
      return this.#ready().then((upstreams) => {
        if (this.#closed) throw new DnsError('ECANCELLED', { hostname, rrtype: type }, `query ECANCELLED ${hostname}: resolver closed`);
        return this.#routed(upstreams, hostname, type, options, trace);
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** `#query` once the configuration is current: where the name is routed, then its backend. */
  #routed(upstreams: Upstreams, hostname: string, type: RecordType, options: QueryOptions, trace?: Trace): Promise<Answer | ServiceAnswer> {
    const routed = upstreams.router.route(hostname);
    if (routed instanceof Promise) return routed.then((route) => this.#backend(upstreams, route, hostname, type, options, trace));
    return this.#backend(upstreams, routed, hostname, type, options, trace);
  }

  #backend(upstreams: Upstreams, route: Route, hostname: string, type: RecordType, options: QueryOptions, trace?: Trace): Promise<Answer | ServiceAnswer> {
    const signal = options.signal;
    if (type === 'HTTPS') return this.#service(hostname, upstreams, route, signal);
    const family = type === 'AAAA' ? 6 : 4;
    const both = options.both === true;
    const system = this.#routing!.system;
    // Localhost names never leave the machine (RFC 6761 §6.3): answered from the hosts file or loopback.
    if (route.backend === 'system' && !isLocalhostName(hostname)) {
      if (trace) trace.backend = 'system';
      return system.query(hostname, type, { signal }, route.allFamilies);
    }
    const dns = this.#fromDns(upstreams, hostname, type, family, both, signal, route);
    // A special-use name never goes on to the system either: its sources after `dns` would ask DNS again.
    if (!route.fallback || isSpecialUseName(hostname)) return dns;
    const fallback = route.fallback;
    return dns.catch((err: unknown) => {
      // A source after `dns` in nsswitch.conf may know what DNS does not (route.ts).
      const status = nssStatusOf(errorCode(err));
      if (status === undefined || !fallback.has(status) || this.#closed) throw err;
      if (trace) trace.backend = 'system';
      return system.query(hostname, type, { signal }, route.allFamilies);
    });
  }

  /** The hosts file, then the cache and the user-space DNS client (a /etc/resolver domain's own). */
  #fromDns(
    upstreams: Upstreams,
    hostname: string,
    type: AddressRecordType,
    family: 4 | 6,
    both: boolean,
    signal: AbortSignal | undefined,
    route: Route,
  ): Promise<Answer> {
    try {
      const local = localAddresses(upstreams.hosts, hostname, family, !both);
      if (local instanceof Promise) return local.then((found) => this.#afterHosts(found, upstreams, hostname, type, both, signal, route));
      return this.#afterHosts(local, upstreams, hostname, type, both, signal, route);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #afterHosts(
    local: string[] | undefined,
    upstreams: Upstreams,
    hostname: string,
    type: AddressRecordType,
    both: boolean,
    signal: AbortSignal | undefined,
    route: Route,
  ): Promise<Answer> {
    if (local !== undefined) return Promise.resolve(this.#fromHosts(hostname, type, local));
    if (isSpecialUseName(hostname)) throw new DnsError('ENOTFOUND', { hostname, rrtype: type });
    // The client of the moment, not the one of the query's start: after a change of
    // servers, nothing asked of the old ones may enter the cache (DnsCache.flush).
    if (this.#cache) {
      const fetch = (fetchSignal: AbortSignal): Promise<Answer> => clientFor(this.#loaded!, route).query(hostname, type, { signal: fetchSignal, both });
      return this.#cache.resolve(hostname, type, fetch, { signal });
    }
    return clientFor(upstreams, route).query(hostname, type, { signal, both });
  }

  /**
   * HTTPS: a name the hosts file (or RFC 6761 `localhost`) answers has no HTTPS record,
   * so nothing in DNS can steer a connection away from the addresses it pins; nor has a
   * name routed to the system resolver (getaddrinfo knows no HTTPS records, and asking DNS
   * would leak a `.local` name) or a special-use one (never DNS). Other names: SVCB
   * resolution (alias-chain.ts), each hop through the cache, asked of the route's servers.
   */
  async #service(hostname: string, upstreams: Upstreams, route: Route, signal: AbortSignal | undefined): Promise<ServiceAnswer> {
    if (route.backend === 'system' && !isLocalhostName(hostname)) throw new DnsError('ENODATA', { hostname, rrtype: 'HTTPS' });
    // Family 4 is `undefined` only when the file does not know the name at all.
    const local = await localAddresses(upstreams.hosts, hostname, 4);
    if (local !== undefined) {
      this.#hostsAnswers++;
      throw new DnsError('ENODATA', { hostname, rrtype: 'HTTPS' });
    }
    if (isSpecialUseName(hostname)) throw new DnsError('ENOTFOUND', { hostname, rrtype: 'HTTPS' });
    const ask = (name: string): Promise<ServiceAnswer> => {
      // The client of the moment, as for addresses (DnsCache.flush).
      const fetch = (fetchSignal: AbortSignal): Promise<ServiceAnswer> => clientFor(this.#loaded!, route).query(name, 'HTTPS', { signal: fetchSignal });
      return this.#cache ? this.#cache.resolve(name, 'HTTPS', fetch, { signal }) : clientFor(upstreams, route).query(name, 'HTTPS', { signal });
    };
    return followAliases(hostname, ask);
  }

  /**
   * What `#query` would answer (or the error it would throw) from a fresh cache entry,
   * at once; `undefined` whenever
   * `#query` could answer anything else (closed, not yet configured, a bad name, a
   * hosts-file or `localhost` name, a check of the hosts file due, no fresh entry) or a
   * diagnostics subscriber wants its message: then `query` is asked.
   */
  #peek(name: string, type: AddressRecordType, both: boolean): Answer | DnsError | undefined {
    const route = this.#peekRoute(name, type, both);
    if (route === undefined) return undefined;
    if (route !== 'cache' && route !== 'cache-or-fallback') return this.#routing!.system.peek(name, type, route.allFamilies);
    const cached = this.#cache!.peek(name, type);
    // With a fallback, a failure there would be asked of the system next: `query` does that.
    return route === 'cache-or-fallback' && cached instanceof DnsError ? undefined : cached;
  }

  /** `#peek`, the addresses only: the cache's list, the same one while its entry is fresh. */
  #peekAddresses(name: string, type: AddressRecordType, both: boolean): readonly string[] | DnsError | undefined {
    const route = this.#peekRoute(name, type, both);
    if (route !== 'cache' && route !== 'cache-or-fallback') return undefined;
    const cached = this.#cache!.peekAddresses(name, type);
    return route === 'cache-or-fallback' && cached instanceof DnsError ? undefined : cached;
  }

  /** Where a fresh answer for (name, type) would come from at once: the cache, the system backend's, or nowhere (undefined). */
  #peekRoute(name: string, type: AddressRecordType, both: boolean): 'cache' | 'cache-or-fallback' | { allFamilies: boolean } | undefined {
    const upstreams = this.#loaded;
    if (upstreams === undefined || this.#closed || !this.#cache || dnsQueryChannel.hasSubscribers || !this.#fresh()) return undefined;
    // An IP literal needs no check here: `#query` answers it before the cache, which never holds one.
    if (!isValidHostname(name)) return undefined;
    const route = upstreams.router.peek(name);
    if (route.backend === 'system' && !isLocalhostName(name)) return route;
    const family = type === 'AAAA' ? 6 : 4;
    const local = upstreams.hosts ? upstreams.hosts.peek(name, family, !both) : lookupHosts(NO_HOSTS, name, family, !both);
    if (local !== undefined) return undefined;
    return route.fallback ? 'cache-or-fallback' : 'cache';
  }

  /** The records of (name, type) with their TTLs in seconds. */
  resolve(name: string, type: AddressRecordType, options?: QueryOptions): Promise<AddressRecord[]>;
  resolve(name: string, type: 'HTTPS', options?: QueryOptions): Promise<ServiceRecord[]>;
  resolve(name: string, type: RecordType, options?: QueryOptions): Promise<AddressRecord[] | ServiceRecord[]>;
  async resolve(name: string, type: RecordType, options: QueryOptions = {}): Promise<AddressRecord[] | ServiceRecord[]> {
    return (await this.query(name, type, options)).records;
  }

  stats(): ResolverStats {
    const cache = this.#cache?.stats() ?? emptyCacheStats();
    const client = addStats(this.#retiredStats, this.#loaded?.client.stats() ?? emptyClientStats());
    const systemQueries = this.#routing?.system.stats().queries ?? 0;
    return { ...cache, ...client, hostsAnswers: this.#hostsAnswers, literalAnswers: this.#literalAnswers, systemQueries };
  }

  /** Ends queries in flight (ECANCELLED) and releases every socket and timer. */
  close(): void {
    this.#closed = true;
    this.#cache?.close();
    if (this.#loaded) for (const client of clientsOf(this.#loaded)) client.close();
    this.#routing?.system.close();
    this.#hosts?.close();
  }

  #fromHosts(hostname: string, type: AddressRecordType, addresses: string[]): Answer {
    this.#hostsAnswers++;
    // A name the hosts file knows only for the other family has no record of this one (as glibc).
    if (addresses.length === 0) throw new DnsError('ENODATA', { hostname, rrtype: type });
    return { name: hostname, type, records: addresses.map((address) => ({ address, ttl: 0 })), ttl: 0, cnames: [], source: 'hosts' };
  }

  /** True while neither file is due for a check. */
  #fresh(): boolean {
    return (this.#resolvConf === undefined || this.#resolvConf.peek() !== undefined) && (this.#gaiConf === undefined || this.#gaiConf.peek() !== undefined);
  }

  /**
   * The upstreams for a new query once the configuration is due for a check (`#query` uses
   * `#loaded` at once while it is fresh): read on first use, checked at most once a second after.
   */
  #ready(): Promise<Upstreams> {
    this.#loading ??= this.#reload().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #reload(): Promise<Upstreams> {
    const [conf, policy] = await Promise.all([this.#resolvConf?.current() ?? defaultResolvConf(), this.#gaiConf?.current()]);
    if (policy) this.#policy = policy;
    const loaded = this.#loaded;
    const confKey = JSON.stringify(conf);
    if (loaded !== undefined && loaded.confKey === confKey) return loaded;
    const routing = (this.#routing ??= await this.#createRouting());
    // Whether resolv.conf names systemd-resolved's stub decides a routing rule.
    const router = await routing.router(conf.nameservers);
    const next = this.#build(conf, confKey, routing, router);
    if (this.#closed) {
      for (const client of clientsOf(next)) client.close();
      routing.system.close();
      return next;
    }
    this.#loaded = next;
    if (loaded !== undefined) {
      // Answers from a VPN's servers are no answers on the next network.
      if (loaded.serverSet !== next.serverSet) this.#cache?.flush();
      this.#retiredStats = addStats(this.#retiredStats, loaded.client.stats());
      for (const client of clientsOf(loaded)) client.retire();
    }
    return next;
  }

  /** The system backend and the /etc/resolver domains, for the life of the resolver. */
  #createRouting(): Promise<Routing> {
    const o = this.#options;
    const cache = o.cache === false ? {} : optionsObject(o.cache, 'cache');
    return createRouting({
      options: o,
      platform: this.#platform,
      files: this.#files,
      serversGiven: this.#servers !== undefined,
      clock: o.clock,
      queue: { maxQueued: cache.maxQueued, queueTimeout: cache.queueTimeout, maxEntries: cache.maxEntries },
    });
  }

  #build(conf: ResolvConf, confKey: string, routing: Routing, router: HostRouter): Upstreams {
    const o = this.#options;
    const servers = this.#servers ?? this.#systemServers(conf);
    if (this.#hosts === undefined && this.#hostsPath !== false) {
      this.#hosts = new HostsFile({ path: this.#hostsPath, ...(o.clock ? { clock: o.clock } : {}) });
    }
    const common = {
      timeout: o.timeout ?? conf.timeout,
      attempts: o.attempts ?? conf.attempts,
      rotate: o.rotate ?? conf.rotate,
      tcp: conf.useVc,
      ...(o.dns0x20 !== undefined ? { dns0x20: o.dns0x20 } : {}),
      ...(o.clock ? { clock: o.clock } : {}),
    };
    const plain = servers.filter((server): server is ServerAddress => server.transport === undefined);
    const needsBootstrap = servers.some((server) => server.transport === 'https' && parseIpLiteral(server.host) === undefined);
    const bootstrapClient = needsBootstrap && plain.length > 0 ? new DnsClient({ servers: plain, ...common }) : undefined;
    const client = new DnsClient({
      servers,
      ...common,
      search: o.search ?? conf.search,
      ndots: o.ndots ?? conf.ndots,
      noTldQuery: conf.noTldQuery,
      noAaaa: conf.noAaaa,
      ...(o.tls ? { tls: o.tls } : {}),
      ...(o.encrypted ? { encrypted: o.encrypted } : {}),
      ...(needsBootstrap ? { bootstrap: createBootstrap((name, family) => localAddresses(this.#hosts, name, family), bootstrapClient) } : {}),
    });
    const splitClients = new Map<SplitDomain, DnsClient>();
    for (const split of routing.splitDomains) {
      splitClients.set(split, new DnsClient({ servers: split.servers, ...common, ...(split.timeout ? { timeout: split.timeout } : {}) }));
    }
    const serverSet = servers.map(serverKey).sort().join(' ');
    return { client, bootstrapClient, splitClients, router, hosts: this.#hosts, confKey, serverSet };
  }

  /**
   * Servers when none are given: resolv.conf's; on Windows and Android (no resolv.conf)
   * the ones c-ares found (`dns.getServers()`); glibc's 127.0.0.1 when there are none.
   */
  #systemServers(conf: ResolvConf): DnsServer[] {
    if (conf.nameservers.length > 0) return conf.nameservers;
    const found = this.#platform === 'win32' || this.#platform === 'android' ? systemServers() : [];
    return found.length > 0 ? found : [...DEFAULT_NAMESERVERS];
  }
}

/** What `query` tells the diagnostics channel about the path it took. */
interface Trace {
  backend: 'dns' | 'system';
}

/** The client that asks `route`'s servers: a /etc/resolver domain's own, else the main one. */
function clientFor(upstreams: Upstreams, route: Route): DnsClient {
  return (route.split && upstreams.splitClients.get(route.split)) || upstreams.client;
}

/** Every DNS client of one configuration. */
function clientsOf(upstreams: Upstreams): DnsClient[] {
  return [upstreams.client, ...(upstreams.bootstrapClient ? [upstreams.bootstrapClient] : []), ...upstreams.splitClients.values()];
}

/**
 * The hosts file's answer (or, with none, the `localhost` one) for one family; `undefined`
 * sends the name to DNS. `alone`: the lookup asks this family only (lookupHosts).
 */
function localAddresses(hosts: HostsFile | undefined, hostname: string, family: 4 | 6, alone = false): Promise<string[] | undefined> | string[] | undefined {
  if (!hosts) return lookupHosts(NO_HOSTS, hostname, family, alone);
  // At once while the file needs no stat (most queries); else after the check.
  const known = hosts.peek(hostname, family, alone);
  return known === null ? hosts.lookup(hostname, family, alone) : known;
}

function addStats(a: ClientStats, b: ClientStats): ClientStats {
  const sum = { ...a };
  for (const key of Object.keys(sum) as Array<keyof ClientStats>) sum[key] += b[key];
  return sum;
}

let defaultResolver: Resolver | undefined;

/** The shared resolver built from the system configuration, made on first use. */
export function getDefaultResolver(): Resolver {
  defaultResolver ??= new Resolver();
  return defaultResolver;
}
