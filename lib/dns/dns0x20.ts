/**
 * DNS 0x20 (draft-vixie-dnsext-dns0x20-00): each query writes the letters of its name in
 * a random mix of upper and lower case, and a reply must echo the question byte for byte.
 * Servers copy the question as they got it (RFC 1035 §7.3 compares without case, RFC 4343
 * §4.1 keeps case), so an honest reply matches; an off-path forger who guessed the ID and
 * the port must now guess one bit per letter as well.
 */
import { randomFill } from './random.js';

/** Random bits from the CSPRNG, drawn in blocks: one syscall serves some 400 queries. */
const pool = Buffer.allocUnsafe(4096);
let used = pool.length;

/** Gives `packet[start, end)` (a wire name) a fresh random case, from the CSPRNG. */
export function randomizeCase(packet: Buffer, start: number, end: number): void {
  const need = (end - start + 7) >> 3;
  if (used + need > pool.length) {
    randomFill(pool);
    used = 0;
  }
  applyCase(packet, start, end, pool, used);
  used += need;
}

/**
 * Bit `i` of `bits` (from byte `offset`) decides byte `start + i`: 1 lower case, 0 upper.
 * Only ASCII letters change; label lengths are <= 63 and so never letters. Returns the
 * number of letters, each one bit a forger must guess. Pure: the forgery simulation in
 * scripts/soak-forgery.ts feeds it seeded bits.
 */
export function applyCase(packet: Buffer, start: number, end: number, bits: Uint8Array, offset = 0): number {
  let letters = 0;
  for (let i = start; i < end; i++) {
    const byte = packet[i]!;
    const lower = byte | 0x20;
    if (lower < 0x61 || lower > 0x7a) continue;
    const k = i - start;
    packet[i] = (bits[offset + (k >> 3)]! >> (k & 7)) & 1 ? lower : byte & 0xdf;
    letters++;
  }
  return letters;
}
