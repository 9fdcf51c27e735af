/** Shapes shared by the DNS client, the cache, the resolver and the racer. */

export type RecordType = 'A' | 'AAAA';

export interface AddressRecord {
  address: string;
  /** Seconds the record may still be used (counts down with age when served from cache). */
  ttl: number;
}

/** Where an answer came from; `'system'`: getaddrinfo (the system backend). */
export type AnswerSource = 'literal' | 'hosts' | 'dns' | 'cache' | 'stale' | 'system';

/** A positive answer for one (name, type). Negative answers are `DnsError`s. */
export interface Answer {
  /** The name as asked (after search-list expansion: the name that answered). */
  name: string;
  type: RecordType;
  records: AddressRecord[];
  /** Smallest TTL over the RRset and the CNAME chain that led to it, seconds. */
  ttl: number;
  /** CNAME targets followed, in order, ending at the owner of `records`. */
  cnames: string[];
  /** `ip:port` of the server that answered, when DNS did. */
  server?: string | undefined;
  source: AnswerSource;
}

/**
 * A plain DNS server (UDP, then TCP on truncation) as configured: `'ip'`, `'ip:port'`,
 * `'[v6]:port'`, zone ids kept. `transport` is never set: it tells the kinds apart.
 */
export interface ServerAddress {
  address: string;
  port: number;
  family: 4 | 6;
  transport?: undefined;
}

/** DNS over TLS (RFC 7858): `'tls://IP[:PORT][#SERVERNAME]'`, port 853 by default. */
export interface TlsServerAddress {
  transport: 'tls';
  address: string;
  port: number;
  family: 4 | 6;
  /**
   * The name the certificate must carry, also sent as SNI (RFC 8310 §8.1). Unset: the
   * certificate must carry the IP address itself.
   */
  servername?: string | undefined;
}

/** DNS over HTTPS (RFC 8484): `'https://HOST[:PORT]/PATH'`, HTTP/2, port 443 by default. */
export interface HttpsServerAddress {
  transport: 'https';
  /** `https://host:port/path?query` as given (a `{?dns}` template suffix removed). */
  url: string;
  /** The URL's host without brackets: an IP literal, or a name resolved without DoH. */
  host: string;
  port: number;
  /** Path and query string of the DoH endpoint, e.g. `'/dns-query'`. */
  path: string;
}

/** Any configured server: plain, DoT or DoH. */
export type DnsServer = ServerAddress | TlsServerAddress | HttpsServerAddress;

/** Options every query takes. */
export interface QueryOptions {
  /** Aborting it rejects the query with an AbortError (the fetch goes on and fills the cache). @default undefined */
  signal?: AbortSignal | undefined;
  /**
   * This query is one half of a lookup of both A and AAAA for the name (getaddrinfo's
   * AF_UNSPEC), whose other half is asked too. The two then search the list together, as
   * glibc does: the first search candidate with records of either type decides the name.
   * And the hosts file answers for a name it knows for either family. @default false
   */
  both?: boolean | undefined;
}

/**
 * What fetches one (name, type) from upstream: the seam between the resolver's
 * cache and the wire client (and the fake used in cache tests).
 */
export interface Upstream {
  query(name: string, type: RecordType, options?: QueryOptions): Promise<Answer>;
  close(): void;
}

/** What the racer and the adapters need from a resolver: one (name, type) at a time. */
export interface AddressResolver {
  query(name: string, type: RecordType, options?: QueryOptions): Promise<Answer>;
}
