/** `DnsClient` options: documented, defaulted and validated up front. */
import { isIP } from 'node:net';
import type tls from 'node:tls';
import { systemClock, type Clock } from '../clock.js';
import { InvalidArgumentError } from '../errors.js';
import { booleanOption, clockOption, integerIn, MAX_TIMER_MS } from '../options.js';
import type { Bootstrap } from './encrypted-types.js';
import { resolveEncrypted, validHttpsServer, validTlsServer, type EncryptedConfig, type EncryptedTransportOptions } from './encrypted-options.js';
import type { DnsServer, ServerAddress } from './types.js';

export interface DnsClientOptions {
  /**
   * Servers, asked in order (resolv.conf `nameserver`); at least one. Plain servers are
   * IP literals; DoT (`transport: 'tls'`) and DoH (`transport: 'https'`) ones may be mixed in.
   * Required.
   */
  servers: DnsServer[];
  /** tls.connect options for every DoT and DoH server (`ca`, client certificates…). @default {} */
  tls?: tls.ConnectionOptions;
  /** Connection handling of DoT and DoH (idle timeout, pipelining, DoH method, backoff). @default {} */
  encrypted?: EncryptedTransportOptions;
  /** Resolves DoH URL host names, never through DoH; needed when a DoH URL has a name. @default undefined */
  bootstrap?: Bootstrap;
  /** Milliseconds one try may take, UDP and a TCP retry together (resolv.conf `timeout:`). @default 5000 */
  timeout?: number;
  /** Rounds over every server (resolv.conf `attempts:`). @default 2 */
  attempts?: number;
  /** Start each query at the next server, round robin (resolv.conf `rotate`). @default false */
  rotate?: boolean;
  /** Domains appended to short names (resolv.conf `search`). @default [] */
  search?: string[];
  /** Dots a name needs to be asked as is first (resolv.conf `ndots:`). @default 1 */
  ndots?: number;
  /** A name without a dot is only asked with the search domains (resolv.conf `no-tld-query`). @default false */
  noTldQuery?: boolean;
  /**
   * No AAAA query is ever sent (resolv.conf `no-aaaa`, glibc 2.36): a query for AAAA asks
   * A for the same names and, when the name exists, finds no AAAA (ENODATA). @default false
   */
  noAaaa?: boolean;
  /** Every plain query over TCP, never UDP (resolv.conf `use-vc`). @default false */
  tcp?: boolean;
  /** EDNS0 UDP payload size advertised, bytes (RFC 6891 §6.2.5; DNS flag day 2020). @default 1232 */
  udpPayloadSize?: number;
  /**
   * Queries one UDP socket (one source port) carries in its life; 1 opens a fresh socket
   * per query. It bounds what one port leaked to an attacker exposes, and keeps several
   * ports in use at once under load (RFC 5452 §9.2: 50 queries in flight use >= 4 ports
   * at 16). A socket's life (open, connect, close) costs CPU, shared by its queries: see
   * docs/benchmarks.md, "Figures behind the code". @default 16
   */
  udpMaxQueries?: number;
  /**
   * DNS 0x20 (draft-vixie-dnsext-dns0x20-00): send each query's name in a random mix of
   * upper and lower case (CSPRNG bits) and accept only a reply whose question echoes it
   * exactly. A blind forger must then guess one bit per letter on top of the 16-bit ID
   * and the source port. Needs servers that copy the question as sent (every mainstream
   * server does; a server that does not is never heard, and queries time out). @default false
   */
  dns0x20?: boolean;
  /** Time source for per-try timeouts. @default systemClock */
  clock?: Clock;
}

export interface DnsClientConfig {
  servers: DnsServer[];
  encrypted: EncryptedConfig;
  bootstrap: Bootstrap | undefined;
  timeout: number;
  attempts: number;
  rotate: boolean;
  search: string[];
  ndots: number;
  noTldQuery: boolean;
  noAaaa: boolean;
  tcp: boolean;
  udpPayloadSize: number;
  udpMaxQueries: number;
  dns0x20: boolean;
  clock: Clock;
}

/** The client options the Resolver passes on: each is checked the same way by both, the Resolver's at construction. */
export const clientOptionChecks = {
  timeout: (value: unknown): number => integerIn('timeout', value, 1, MAX_TIMER_MS),
  attempts: (value: unknown): number => integerIn('attempts', value, 1, 10),
  rotate: (value: unknown): boolean => booleanOption('rotate', value),
  search: (value: unknown): string[] => validSearch(value),
  // resolv.conf(5): ndots is capped at 15.
  ndots: (value: unknown): number => integerIn('ndots', value, 0, 15),
  dns0x20: (value: unknown): boolean => booleanOption('dns0x20', value),
} as const;

export function resolveClientOptions(options: DnsClientOptions): DnsClientConfig {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'an object');
  const servers = validServers(options.servers);
  return {
    servers,
    encrypted: resolveEncrypted(options.encrypted ?? {}, options.tls ?? {}),
    bootstrap: validBootstrap(options.bootstrap, servers),
    timeout: clientOptionChecks.timeout(options.timeout ?? 5000),
    attempts: clientOptionChecks.attempts(options.attempts ?? 2),
    rotate: clientOptionChecks.rotate(options.rotate ?? false),
    search: clientOptionChecks.search(options.search ?? []),
    ndots: clientOptionChecks.ndots(options.ndots ?? 1),
    noTldQuery: booleanOption('noTldQuery', options.noTldQuery ?? false),
    noAaaa: booleanOption('noAaaa', options.noAaaa ?? false),
    tcp: booleanOption('tcp', options.tcp ?? false),
    // RFC 6891 §6.2.5: values below 512 are treated as 512; refuse them instead.
    udpPayloadSize: integerIn('udpPayloadSize', options.udpPayloadSize ?? 1232, 512, 65535),
    udpMaxQueries: integerIn('udpMaxQueries', options.udpMaxQueries ?? 16, 1, 1000),
    dns0x20: clientOptionChecks.dns0x20(options.dns0x20 ?? false),
    clock: clockOption(options.clock) ?? systemClock,
  };
}

function validServers(servers: unknown): DnsServer[] {
  if (!Array.isArray(servers) || servers.length === 0) {
    throw new InvalidArgumentError('servers', servers, 'a non-empty array of { address, port, family }');
  }
  return servers.map((server: Partial<DnsServer> | null, i): DnsServer => {
    if (server?.transport === 'tls') return validTlsServer(server, `servers[${i}]`);
    if (server?.transport === 'https') return validHttpsServer(server, `servers[${i}]`);
    return validServer(server, `servers[${i}]`);
  });
}

/** A DoH URL with a host name needs a way to resolve it that does not go through DoH. */
function validBootstrap(bootstrap: unknown, servers: DnsServer[]): Bootstrap | undefined {
  if (bootstrap !== undefined && typeof bootstrap !== 'function') throw new InvalidArgumentError('bootstrap', bootstrap, 'a function');
  for (const s of servers) {
    if (s.transport === 'https' && isIP(s.host) === 0 && !bootstrap) {
      throw new InvalidArgumentError('bootstrap', bootstrap, `a function resolving ${s.host} (the host of DoH server ${s.url})`);
    }
  }
  return bootstrap as Bootstrap | undefined;
}

function validServer(server: unknown, option: string): ServerAddress {
  const s = server as Partial<ServerAddress> | null;
  const family = typeof s?.address === 'string' ? isIP(s.address) : 0;
  if (family === 0 || s?.family !== family || s.transport !== undefined) {
    throw new InvalidArgumentError(option, server, '{ address: an IP literal, family: its family (4 or 6), port }');
  }
  const port = integerIn(`${option}.port`, s.port, 1, 65535);
  return { address: canonicalAddress(s.address!, family), port, family };
}

/** The kernel reports reply sources in canonical form (inet_ntop); compare like with like. */
function canonicalAddress(address: string, family: 4 | 6): string {
  if (family === 4) return address;
  const percent = address.indexOf('%');
  const bare = percent < 0 ? address : address.slice(0, percent);
  const canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return percent < 0 ? canonical : canonical + address.slice(percent);
}

function validSearch(search: unknown): string[] {
  const ok = Array.isArray(search) && search.length <= 32 && search.every((d) => typeof d === 'string' && d.length > 0 && d.length <= 254);
  if (!ok) throw new InvalidArgumentError('search', search, 'an array of at most 32 domain names');
  return [...(search as string[])];
}
