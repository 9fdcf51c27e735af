/**
 * The little IP arithmetic the RFC 6724 sorter needs: every address as 16 bytes, IPv4 as
 * IPv4-mapped IPv6 (::ffff:a.b.c.d), the form RFC 6724 §2.1's policy table is written in.
 * Parsing is lib/system/ip.ts's; this file adds the prefix arithmetic.
 */
import { isV4Mapped, toBytes16 } from '../system/ip.js';

/** 16 bytes, network order. */
export type IpBytes = Uint8Array;

/** Parses an IP literal (an IPv6 zone, `%eth0`, is ignored); `undefined` when it is not one. */
export function parseIp(address: string): IpBytes | undefined {
  try {
    return toBytes16(address);
  } catch {
    return undefined;
  }
}

/** True for ::ffff:0:0/96, i.e. an IPv4 address. */
export const isMappedIPv4: (ip: IpBytes) => boolean = isV4Mapped;

/** True when the first `bits` bits of `ip` equal those of `prefix`. */
export function hasPrefix(ip: IpBytes, prefix: IpBytes, bits: number): boolean {
  return commonPrefixLength(ip, prefix, bits) === bits;
}

/** How many leading bits `a` and `b` share, counting at most `maxBits`. */
export function commonPrefixLength(a: IpBytes, b: IpBytes, maxBits: number): number {
  let bits = 0;
  for (let i = 0; bits < maxBits; i++) {
    const diff = a[i]! ^ b[i]!;
    if (diff !== 0) return Math.min(bits + Math.clz32(diff) - 24, maxBits);
    bits += 8;
  }
  return maxBits;
}
