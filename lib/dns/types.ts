/** Shapes shared by the DNS client, the cache, the resolver and the racer. */

/** Address record types: what the racer connects to. */
export type AddressRecordType = 'A' | 'AAAA';

/** Record types the resolver answers: addresses, and HTTPS (RFC 9460 §9). */
export type RecordType = AddressRecordType | 'HTTPS';

export interface AddressRecord {
  address: string;
  /** Seconds the record may still be used (counts down with age when served from cache). */
  ttl: number;
}

/** Where an answer came from; `'system'`: getaddrinfo (the system backend). */
export type AnswerSource = 'literal' | 'hosts' | 'dns' | 'cache' | 'stale' | 'system';

/**
 * The SvcParams of an SVCB/HTTPS record (RFC 9460 §7, RFC 9461 §5), keyed by their
 * names in camelCase; a key the record lacks is absent. Keys this library does not know
 * are kept as bytes under `keyNNNNN` (the RFC's unknown-key name).
 */
export interface ServiceParams {
  /** Keys the client must understand to use the record (§8), by presentation name (`'alpn'`, `'key65333'`). */
  mandatory?: string[];
  /** ALPN protocol ids the endpoint offers besides the default set (§7.1). */
  alpn?: string[];
  /** The default ALPN set (`http/1.1` for HTTPS) is not offered (§7.1). */
  noDefaultAlpn?: true;
  /** TCP/UDP port of the endpoint (§7.2); absent: the origin's port. */
  port?: number;
  /** IPv4 addresses the client may use until A answers (§7.3). */
  ipv4hint?: string[];
  /** Encrypted ClientHello configuration list (RFC 9848), bytes as on the wire. */
  ech?: Buffer;
  /** IPv6 addresses the client may use until AAAA answers (§7.3). */
  ipv6hint?: string[];
  /** DNS over HTTPS URI template path (RFC 9461 §5), e.g. `/dns-query{?dns}`. */
  dohpath?: string;
  [key: `key${number}`]: Buffer | undefined;
}

/** One SVCB/HTTPS record (RFC 9460 §2.2). */
export interface ServiceRecord {
  /** 0: AliasMode; 1–65535: ServiceMode, lower preferred (§2.4.1). */
  priority: number;
  /** TargetName without its trailing dot; `'.'` is the root, as on the wire (§2.5). */
  target: string;
  params: ServiceParams;
  /** Seconds the record may still be used. */
  ttl: number;
}

/** A positive answer for one (name, type). Negative answers are `DnsError`s. */
export interface Answer {
  /** The name as asked (after search-list expansion: the name that answered). */
  name: string;
  type: AddressRecordType;
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
 * A positive HTTPS answer: the ServiceMode records at the end of the chain of CNAMEs and
 * AliasMode records (RFC 9460 §3). `records` is empty only when an AliasMode record was
 * followed to a name without ServiceMode records, or its TargetName was `'.'`.
 */
export interface ServiceAnswer extends Omit<Answer, 'type' | 'records'> {
  type: 'HTTPS';
  records: ServiceRecord[];
  /** AliasMode TargetNames followed, in order (each also in `cnames`, which ends at the records' owner). */
  aliases: string[];
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
  query(name: string, type: RecordType, options?: QueryOptions): Promise<Answer | ServiceAnswer>;
  close(): void;
}

/**
 * What the racer and the adapters need from a resolver: one (name, type) at a time. A
 * race with `httpsRecords` also asks `'HTTPS'` (`Resolver` answers it with a
 * `ServiceAnswer`); a resolver that rejects that question means "no HTTPS record".
 */
export interface AddressResolver {
  query(name: string, type: AddressRecordType, options?: QueryOptions): Promise<Answer>;
}

/** A resolver that answers HTTPS questions too, as `Resolver` does. */
export interface ServiceResolver {
  query(name: string, type: 'HTTPS', options?: QueryOptions): Promise<ServiceAnswer>;
}
