/**
 * RFC 7050: learning the NAT64 prefix from the network's DNS64 resolver. `ipv4only.arpa`
 * has only A records (192.0.0.170 and 192.0.0.171, RFC 7050 §2.2, RFC 8880); asked for
 * AAAA, a DNS64 resolver synthesizes them, so the answer shows where the prefix ends:
 * the well-known addresses sit at one of the RFC 6052 positions (§3). Two of them let a
 * node tell the right position from a prefix whose own bits happen to spell one: the
 * right one carries both, under the same prefix.
 */
import type { AddressResolver } from '../dns/types.js';
import { errorCode } from '../errors.js';
import { extractIPv4, type Nat64Prefix, PREFIX_LENGTHS } from './prefix.js';
import { isIPv6 } from 'node:net';
import { isV4Mapped, toBytes16 } from '../system/ip.js';

/** Absolute (trailing dot): no search-list expansion (RFC 7050 §3 asks this name itself). */
export const WELL_KNOWN_NAME = 'ipv4only.arpa.';
export const WELL_KNOWN_ADDRESSES: readonly string[] = ['192.0.0.170', '192.0.0.171'];

export interface Discovery {
  /** The prefixes found, in answer order; empty when the network has no DNS64. */
  prefixes: Nat64Prefix[];
  /** How long the finding holds, ms: the answer's TTL, or the negative hold. */
  ttlMs: number;
}

/** How long "no DNS64 here" is believed before asking again. */
export const NEGATIVE_HOLD_MS = 60_000;
/** A positive answer is held at least this long, whatever its TTL. */
const MIN_HOLD_MS = 1_000;

/** RFC 7050 §3: the prefixes the synthesized addresses reveal. */
export function prefixesFromAnswer(addresses: readonly string[]): Nat64Prefix[] {
  const found = new Map<string, { prefix: Nat64Prefix; wkas: Set<string> }>();
  for (const address of addresses) {
    // IPv6 only: an IPv4 (or IPv4-mapped) address would read as a prefix ::ffff:0:0/96.
    if (!isIPv6(address)) continue;
    const bytes = toBytes16(address);
    if (isV4Mapped(bytes)) continue;
    for (const length of PREFIX_LENGTHS) {
      const embedded = extractIPv4(bytes, length);
      if (embedded === undefined || !WELL_KNOWN_ADDRESSES.includes(embedded.ipv4)) continue;
      const entry = found.get(embedded.prefix.text) ?? { prefix: embedded.prefix, wkas: new Set<string>() };
      entry.wkas.add(embedded.ipv4);
      found.set(embedded.prefix.text, entry);
    }
  }
  const entries = [...found.values()];
  // Where one position carries both well-known addresses, positions carrying one are chance.
  const most = Math.max(0, ...entries.map((e) => e.wkas.size));
  return entries.filter((e) => e.wkas.size === most).map((e) => e.prefix);
}

/**
 * Asks `resolver` for the AAAA records of ipv4only.arpa. A negative answer (the name has
 * no AAAA: no DNS64) or an answer without a well-known address gives no prefix, held
 * NEGATIVE_HOLD_MS; any other failure (timeout, SERVFAIL) rejects, and is not held.
 */
export async function discoverPrefixes(resolver: AddressResolver): Promise<Discovery> {
  let addresses: string[];
  let ttl: number;
  try {
    const answer = await resolver.query(WELL_KNOWN_NAME, 'AAAA');
    addresses = answer.records.map((r) => r.address);
    ttl = answer.ttl;
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENODATA' || code === 'ENOTFOUND') return { prefixes: [], ttlMs: NEGATIVE_HOLD_MS };
    throw err;
  }
  const prefixes = prefixesFromAnswer(addresses);
  if (prefixes.length === 0) return { prefixes, ttlMs: NEGATIVE_HOLD_MS };
  return { prefixes, ttlMs: Math.max(MIN_HOLD_MS, ttl * 1000) };
}
