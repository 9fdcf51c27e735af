/**
 * IP addresses as numbers and CIDR prefixes matched against them, for the address
 * policy. An IPv4 address is one unsigned 32-bit number; an IPv6 address is four,
 * most significant first. Parsing writes into the caller's buffer and allocates
 * nothing: a policy check runs on every candidate and must stay far below 1 µs.
 */

/** One CIDR prefix: the network (host bits zero) and the prefix length. */
export type Cidr = { family: 4; bits: number; address: number } | { family: 6; bits: number; words: Uint32Array };

/**
 * Strict dotted quad, as `net.isIPv4` accepts it (no leading zeros, no shorthand), read
 * from `text[start..end)` → the address as an unsigned 32-bit number, or -1.
 */
export function parseIPv4(text: string, start = 0, end = text.length): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && part === 0) return -1; // a leading zero (octal to inet_aton)
      part = part * 10 + (c - 0x30);
      if (part > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  return digits === 0 || dots !== 3 ? -1 : value * 256 + part;
}

/** The eight 16-bit groups of the address being parsed (no allocation per call). */
const groups = [0, 0, 0, 0, 0, 0, 0, 0];

/**
 * IPv6 text (RFC 4291 §2.2: `::`, a dotted IPv4 tail; a `%zone` is ignored) → its four
 * 32-bit words in `out`; false when the text is not an IPv6 address.
 */
export function parseIPv6(text: string, out: Uint32Array): boolean {
  const zone = text.indexOf('%');
  if (zone !== -1 && !isZoneId(text, zone + 1)) return false;
  const end = zone === -1 ? text.length : zone;
  let count = 0;
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) return false;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    let value = 0;
    let j = i;
    for (; j < end && j - i < 4; j++) {
      const digit = hexDigit(text.charCodeAt(j));
      if (digit < 0) break;
      value = value * 16 + digit;
    }
    const c = j < end ? text.charCodeAt(j) : -1;
    if (c === 0x2e) {
      const v4 = count <= 6 ? parseIPv4(text, i, end) : -1;
      if (v4 < 0) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      break;
    }
    if (j === i || count === 8) return false;
    groups[count++] = value;
    if (c === -1) break;
    if (c !== 0x3a) return false;
    j++;
    if (j < end && text.charCodeAt(j) === 0x3a) {
      if (gap !== -1) return false;
      gap = count;
      j++;
    } else if (j === end) {
      return false; // a trailing single ':'
    }
    i = j;
  }
  if (gap === -1 ? count !== 8 : count > 7) return false;
  if (gap !== -1) {
    // The groups after `::` move to the end; the gap fills with zeros.
    const tail = count - gap;
    for (let k = 1; k <= tail; k++) groups[8 - k] = groups[count - k]!;
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  }
  out[0] = groups[0]! * 0x10000 + groups[1]!;
  out[1] = groups[2]! * 0x10000 + groups[3]!;
  out[2] = groups[4]! * 0x10000 + groups[5]!;
  out[3] = groups[6]! * 0x10000 + groups[7]!;
  return true;
}

/** A zone id as Node accepts one: `[0-9A-Za-z.:-]+`. */
function isZoneId(text: string, start: number): boolean {
  if (start === text.length) return false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const alnum = (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
    if (!alnum && c !== 0x2e && c !== 0x3a && c !== 0x2d) return false;
  }
  return true;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** The mask of the first `bits` bits of a 32-bit word (`bits` clamped to 0–32). */
export function wordMask(bits: number): number {
  if (bits <= 0) return 0;
  return bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
}

/**
 * `'a.b.c.d/n'`, `'v6/n'`, or a bare address (a /32 or /128) → the prefix; a string
 * saying what is wrong otherwise (host bits set, a zone id, a bad length…).
 */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const lengthText = slash === -1 ? undefined : text.slice(slash + 1);
  const v6 = address.includes(':');
  if (address.includes('%')) return 'a zone id has no place in a CIDR';
  const max = v6 ? 128 : 32;
  const bits = lengthText === undefined ? max : /^(0|[1-9][0-9]{0,2})$/.test(lengthText) ? Number(lengthText) : NaN;
  if (!(bits <= max)) return `the prefix length must be a whole number from 0 to ${max}`;
  if (!v6) {
    const value = parseIPv4(address);
    if (value < 0) return 'not an IPv4 or IPv6 address';
    if ((value & ~wordMask(bits)) >>> 0 !== 0) return 'host bits are set after the prefix length';
    return { family: 4, bits, address: value };
  }
  const words = new Uint32Array(4);
  if (!parseIPv6(address, words)) return 'not an IPv4 or IPv6 address';
  for (let k = 0; k < 4; k++) if ((words[k]! & ~wordMask(bits - 32 * k)) >>> 0 !== 0) return 'host bits are set after the prefix length';
  return { family: 6, bits, words };
}

/** A set of prefixes of both families, matched by a linear scan of flat typed arrays. */
export class CidrList {
  /** Pairs: network, mask. */
  readonly #v4: Uint32Array;
  /** Groups of eight: four network words, four mask words. */
  readonly #v6: Uint32Array;

  constructor(cidrs: readonly Cidr[]) {
    const v4: number[] = [];
    const v6: number[] = [];
    for (const cidr of cidrs) {
      if (cidr.family === 4) {
        v4.push(cidr.address, wordMask(cidr.bits));
      } else {
        v6.push(...cidr.words);
        for (let k = 0; k < 4; k++) v6.push(wordMask(cidr.bits - 32 * k));
      }
    }
    this.#v4 = Uint32Array.from(v4);
    this.#v6 = Uint32Array.from(v6);
  }

  get size(): number {
    return this.#v4.length / 2 + this.#v6.length / 8;
  }

  hasV4(address: number): boolean {
    const list = this.#v4;
    for (let i = 0; i < list.length; i += 2) if ((address & list[i + 1]!) >>> 0 === list[i]) return true;
    return false;
  }

  hasV6(words: Uint32Array): boolean {
    const list = this.#v6;
    const w0 = words[0]!;
    const w1 = words[1]!;
    const w2 = words[2]!;
    const w3 = words[3]!;
    for (let i = 0; i < list.length; i += 8) {
      if (
        (w0 & list[i + 4]!) >>> 0 === list[i] &&
        (w1 & list[i + 5]!) >>> 0 === list[i + 1] &&
        (w2 & list[i + 6]!) >>> 0 === list[i + 2] &&
        (w3 & list[i + 7]!) >>> 0 === list[i + 3]
      ) {
        return true;
      }
    }
    return false;
  }
}
