/**
 * RFC 6052 §2: IPv4-embedded IPv6 addresses. A NAT64 prefix of 32, 40, 48, 56, 64 or 96
 * bits is followed by the 32 bits of the IPv4 address, which skip bits 64–71 (the
 * "u" octet, always zero, RFC 6052 §2.2); whatever is left after them is the suffix, zero.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { toBytes16 } from '../system/ip.js';

export const PREFIX_LENGTHS = [32, 40, 48, 56, 64, 96] as const;
export type PrefixLength = (typeof PREFIX_LENGTHS)[number];

export interface Nat64Prefix {
  /** The 16 bytes of the prefix, zero past `length`. */
  bytes: Uint8Array;
  length: PrefixLength;
  /** `'64:ff9b::/96'`: canonical text (RFC 5952). */
  text: string;
}

/** The octet RFC 6052 §2.2 keeps zero (bits 64–71). */
const U_OCTET = 8;

/** `'2001:db8:64::/96'` → the prefix; undefined for anything that is not an RFC 6052 prefix. */
export function parseNat64Prefix(text: unknown): Nat64Prefix | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  const address = text.slice(0, slash);
  const length = Number(text.slice(slash + 1));
  if (slash < 0 || !isIPv6(address) || address.includes('%') || !(PREFIX_LENGTHS as readonly number[]).includes(length)) return undefined;
  const bytes = toBytes16(address);
  // No bit set past the prefix length, and the u octet zero for a /96 too.
  for (let i = length / 8; i < 16; i++) if (bytes[i] !== 0) return undefined;
  if (bytes[U_OCTET] !== 0) return undefined;
  return { bytes, length: length as PrefixLength, text: `${formatIPv6(bytes)}/${length}` };
}

/** The IPv6 address for `ipv4` under `prefix` (RFC 6052 §2.2); undefined when `ipv4` is not a dotted quad. */
export function embedIPv4(prefix: Nat64Prefix, ipv4: string): string | undefined {
  if (!isIPv4(ipv4)) return undefined;
  const bytes = Uint8Array.from(prefix.bytes);
  const v4 = ipv4.split('.').map(Number);
  positions(prefix.length).forEach((at, i) => (bytes[at] = v4[i]!));
  return formatIPv6(bytes);
}

/**
 * The IPv4 address embedded in `address` at prefix length `length`, with the prefix it
 * sits under; undefined when the u octet or the suffix is not zero (not an RFC 6052 form).
 */
export function extractIPv4(address: Uint8Array, length: PrefixLength): { ipv4: string; prefix: Nat64Prefix } | undefined {
  const at = positions(length);
  if (address[U_OCTET] !== 0) return undefined;
  for (let i = at[3]! + 1; i < 16; i++) if (address[i] !== 0) return undefined;
  const prefixBytes = new Uint8Array(16);
  prefixBytes.set(address.subarray(0, length / 8));
  const ipv4 = at.map((i) => address[i]).join('.');
  return { ipv4, prefix: { bytes: prefixBytes, length, text: `${formatIPv6(prefixBytes)}/${length}` } };
}

/** Byte offsets of the four IPv4 octets after a prefix of `length` bits, skipping the u octet. */
function positions(length: PrefixLength): number[] {
  const out: number[] = [];
  for (let i = length / 8; out.length < 4; i++) if (i !== U_OCTET) out.push(i);
  return out;
}

/** RFC 5952 §4: lowercase, no leading zeros, the longest run of two or more zero groups as `::`. */
export function formatIPv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > best.length) best = { at: i, length: end - i };
    i = end;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.length).join(':')}`;
}
