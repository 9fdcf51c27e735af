/** The shapes address ordering and the racer share. */

export type Family = 4 | 6;

/** One address to connect to. */
export interface Candidate {
  address: string;
  family: Family;
  /** Port of the service endpoint it came from (HEv3); unset: the race's port. */
  port?: number | undefined;
  /** The HTTPS service endpoint it came from: its group orders it (HEv3 §4). */
  endpoint?: ServiceEndpoint | undefined;
  /** From an `ipv4hint`/`ipv6hint` (RFC 9460 §7.3), not yet confirmed by AAAA/A. */
  hint?: true | undefined;
  /** A NAT64 synthesis (RFC 8305 §7, RFC 6052): the IPv4 address it was made from. */
  synthesizedFrom?: string | undefined;
}

/** One alternative endpoint of the service (RFC 9460 §1.4), as the race uses it. */
export interface ServiceEndpoint {
  /** Its group's rank: lower groups are tried first (HEv3 §4.1, §4.2). */
  group: number;
  /** SvcPriority; 0 for the endpoint an AliasMode chain ends at (RFC 9460 §3). */
  priority: number;
  /** The effective TargetName: the records' owner for `'.'` (RFC 9460 §2.5.2). */
  target: string;
  port: number;
  /** The SVCB ALPN set (RFC 9460 §7.1.1). */
  alpn: string[];
  /** Encrypted ClientHello configuration (RFC 9848); Node's TLS cannot use it. */
  ech?: Buffer | undefined;
  ipv4hint: string[];
  ipv6hint: string[];
}

/**
 * Puts candidates in connection order (production: RFC 6724 sort, then family
 * interleaving). It may only reorder: addresses it leaves out are appended in their
 * given order, unknown ones are ignored. If it throws or rejects, the race ends with
 * that error.
 */
export type OrderFunction = (candidates: Candidate[]) => Candidate[] | Promise<Candidate[]>;
