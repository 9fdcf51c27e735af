/**
 * The little IP arithmetic the RFC 6724 sorter needs: every address as 16 bytes, IPv4 as
 * IPv4-mapped IPv6 (::ffff:a.b.c.d), the form RFC 6724 §2.1's policy table is written in.
 * Private to the sorter; lib/system/ip.ts has the general helpers.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** 16 bytes, network order. */
export type IpBytes = Uint8Array;

/** Parses an IP literal (an IPv6 zone, `%eth0`, is ignored); `undefined` when it is not one. */
export function parseIp(address: string): IpBytes | undefined {
  const zone = address.indexOf('%');
  const text = zone === -1 ? address : address.slice(0, zone);
  if (isIPv4(text)) return mappedIPv4(text);
  if (isIPv6(text)) return parseIPv6(text);
  return undefined;
}

/** True for ::ffff:0:0/96, i.e. an IPv4 address. */
export function isMappedIPv4(ip: IpBytes): boolean {
  return hasPrefix(ip, MAPPED_PREFIX, 96);
}

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

const MAPPED_PREFIX = mappedIPv4('0.0.0.0');

function mappedIPv4(text: string): IpBytes {
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  text.split('.').forEach((octet, i) => (bytes[12 + i] = Number(octet)));
  return bytes;
}

/** `text` is a valid IPv6 literal without zone (checked by the caller). */
function parseIPv6(text: string): IpBytes {
  const [head = '', tail] = text.split('::');
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const words = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

/** 16-bit groups of one side of `::`; a dotted IPv4 tail counts as two groups. */
function groups(side: string): number[] {
  if (side === '') return [];
  return side.split(':').flatMap((group) => {
    if (!group.includes('.')) return [parseInt(group, 16)];
    const mapped = mappedIPv4(group);
    return [(mapped[12]! << 8) | mapped[13]!, (mapped[14]! << 8) | mapped[15]!];
  });
}
