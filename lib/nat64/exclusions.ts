/**
 * Which IPv4 addresses are never synthesized into IPv6.
 * - Always (Happy Eyeballs v3, NAT64): 0.0.0.0/8 ("this network"), 127.0.0.0/8 (loopback), 169.254.0.0/16
 *   (link-local) and 255.255.255.255 (limited broadcast): none can be on the other side
 *   of a translator.
 * - Under the Well-Known Prefix 64:ff9b::/96, every non-global address too (RFC 6052 §3.1:
 *   "MUST NOT be used to represent non-global IPv4 addresses, such as those defined in
 *   [RFC1918] or listed in Section 3 of [RFC5735]"; plus RFC 6598's shared space).
 *   A network-specific prefix may carry them: its operator decided what it translates.
 */
import type { Nat64Prefix } from './prefix.js';

type Block = readonly [a: number, b: number, c: number, d: number, bits: number];

const NEVER: readonly Block[] = [
  [0, 0, 0, 0, 8],
  [127, 0, 0, 0, 8],
  [169, 254, 0, 0, 16],
  [255, 255, 255, 255, 32],
];

/** RFC 5735 §3, RFC 1918, RFC 6598: not globally reachable. */
const NON_GLOBAL: readonly Block[] = [
  [0, 0, 0, 0, 8],
  [10, 0, 0, 0, 8],
  [100, 64, 0, 0, 10],
  [127, 0, 0, 0, 8],
  [169, 254, 0, 0, 16],
  [172, 16, 0, 0, 12],
  [192, 0, 0, 0, 24],
  [192, 0, 2, 0, 24],
  [192, 88, 99, 0, 24],
  [192, 168, 0, 0, 16],
  [198, 18, 0, 0, 15],
  [198, 51, 100, 0, 24],
  [203, 0, 113, 0, 24],
  [224, 0, 0, 0, 4],
  [240, 0, 0, 0, 4],
];

/** 64:ff9b::/96 (RFC 6052 §2.1). */
const WELL_KNOWN = [0x00, 0x64, 0xff, 0x9b];

const toNumber = (a: number, b: number, c: number, d: number): number => ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;

function inBlocks(ipv4: string, blocks: readonly Block[]): boolean {
  const [a = 0, b = 0, c = 0, d = 0] = ipv4.split('.').map(Number);
  const value = toNumber(a, b, c, d);
  return blocks.some(([w, x, y, z, bits]) => {
    const mask = (~0 << (32 - bits)) >>> 0;
    return (value & mask) >>> 0 === toNumber(w, x, y, z);
  });
}

export function isWellKnownPrefix(prefix: Nat64Prefix): boolean {
  return prefix.length === 96 && prefix.bytes.every((byte, i) => byte === (WELL_KNOWN[i] ?? 0));
}

/** True for the addresses no prefix may carry (Happy Eyeballs v3): 0/8, 127/8, 169.254/16, 255.255.255.255. */
export function neverSynthesized(ipv4: string): boolean {
  return inBlocks(ipv4, NEVER);
}

/** True when `ipv4` (a dotted quad) may be synthesized under `prefix`. */
export function synthesizable(ipv4: string, prefix: Nat64Prefix): boolean {
  if (inBlocks(ipv4, NEVER)) return false;
  return !(isWellKnownPrefix(prefix) && inBlocks(ipv4, NON_GLOBAL));
}
