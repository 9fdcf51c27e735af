/**
 * IP literals: recognising them (so they skip DNS) and turning them into the 16-byte
 * form the RFC 6724 sorter matches prefixes on.
 */
import { isIP, isIPv4 } from 'node:net';
import { InvalidArgumentError } from '../errors.js';

export interface IpLiteral {
  /** The address without brackets; an IPv6 zone id (`%eth0`) is kept. */
  address: string;
  family: 4 | 6;
}

/**
 * `'192.0.2.1'`, `'2001:db8::1'`, `'[2001:db8::1]'`, `'fe80::1%eth0'`, `'::ffff:192.0.2.1'`
 * → the address and its family; anything else (names, `'1.2.3'`, `'01.2.3.4'`, ports,
 * brackets around IPv4) → `undefined`. IPv4 is strict dotted quad, as Go's ParseAddr:
 * the old inet_aton shorthands (`127.1`, octal, hex, leading zeros) are not literals.
 */
export function parseIpLiteral(host: string): IpLiteral | undefined {
  if (typeof host !== 'string') return undefined;
  // Most hosts are names: IPv4 ends in a digit, IPv6 (bracketed or not) has a colon. This
  // skips node:net's IPv6 RegExp, a visible share of a cache-less query (docs/benchmarks.md).
  const last = host.charCodeAt(host.length - 1);
  if (!(last >= 0x30 && last <= 0x39) && !host.includes(':')) return undefined;
  if (host.startsWith('[') && host.endsWith(']')) {
    const inner = host.slice(1, -1);
    return isIP(inner) === 6 ? { address: inner, family: 6 } : undefined;
  }
  const family = isIP(host);
  return family === 4 || family === 6 ? { address: host, family } : undefined;
}

/** The address without its zone id: `'fe80::1%eth0'` → `'fe80::1'`. */
export function stripZone(address: string): string {
  const percent = address.indexOf('%');
  return percent === -1 ? address : address.slice(0, percent);
}

/**
 * The 16 bytes of an address; IPv4 as IPv4-mapped `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2),
 * which is how RFC 6724 §2.1 labels and matches IPv4 too. Brackets and zone ids are
 * dropped. Throws InvalidArgumentError for anything that is not an IP address.
 */
export function toBytes16(address: string): Uint8Array {
  // Plain hex groups are parsed without isIP: its IPv6 pattern costs ~25 ms on its first
  // use and ~3 ms on the next few, paid at import by the constant tables (policy table, special-purpose blocks).
  const plain = typeof address === 'string' && PLAIN_V6.test(address) ? plainIpv6Bytes(address) : undefined;
  if (plain !== undefined) return plain;
  const literal = parseIpLiteral(address);
  if (!literal) throw new InvalidArgumentError('address', address, 'an IPv4 or IPv6 address');
  const bare = stripZone(literal.address);
  if (literal.family === 4) return v4Mapped(ipv4Bytes(bare));
  return ipv6Bytes(bare);
}

/** 127.0.0.0/8 (RFC 1122 §3.2.1.3), ::1 (RFC 4291 §2.5.3), and IPv4-mapped 127/8. */
export function isLoopback(address: string): boolean {
  if (address === '::1') return true;
  if (!mayBeLoopback(address)) return false;
  const literal = parseIpLiteral(address);
  if (!literal) return false;
  const bytes = toBytes16(literal.address);
  if (isV4Mapped(bytes)) return bytes[12] === 127;
  return bytes.every((b, i) => b === (i === 15 ? 1 : 0));
}

/**
 * False for most addresses without parsing them (connections record every address they
 * try): dotted IPv4 outside 127/8, and IPv6 whose first group is not zero.
 */
function mayBeLoopback(address: string): boolean {
  if (!address.includes(':')) return address.startsWith('127.');
  const first = address.charCodeAt(0);
  // ':' (`::1`), '0' (`0:0:…:1`, `0::ffff:…`) or '[' (brackets)
  return first === 0x3a || first === 0x30 || first === 0x5b;
}

/** True for `::ffff:0:0/96`, the IPv4-mapped prefix. */
export function isV4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

function ipv4Bytes(address: string): Uint8Array {
  return Uint8Array.from(address.split('.'), Number);
}

function v4Mapped(v4: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(v4, 12);
  return bytes;
}

const PLAIN_V6 = /^[0-9A-Fa-f:]{2,39}$/;

/**
 * RFC 4291 §2.2 forms 1 and 2 (hex groups of 1 to 4 digits, at most one `::` standing for
 * at least one group), checked while parsed; `undefined` for anything else, which then
 * takes the isIP path (and is valid there or not: this accepts nothing isIP rejects).
 */
function plainIpv6Bytes(address: string): Uint8Array | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const front = hexGroups(halves[0]!);
  const back = halves.length === 2 ? hexGroups(halves[1]!) : [];
  if (front === undefined || back === undefined) return undefined;
  const count = front.length + back.length;
  if (halves.length === 2 ? count > 7 : count !== 8) return undefined;
  const bytes = new Uint8Array(16);
  const put = (value: number, i: number): void => {
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  };
  front.forEach(put);
  back.forEach((value, i) => put(value, 8 - back.length + i));
  return bytes;
}

function hexGroups(part: string): number[] | undefined {
  if (part === '') return [];
  const values: number[] = [];
  for (const text of part.split(':')) {
    if (text.length === 0 || text.length > 4) return undefined;
    values.push(parseInt(text, 16));
  }
  return values;
}

/** Expands `::` and a dotted IPv4 tail (RFC 4291 §2.2 forms 2 and 3) into 8 groups. */
function ipv6Bytes(address: string): Uint8Array {
  const groups = (part: string): number[] => (part === '' ? [] : part.split(':').flatMap(group));
  const [head = '', tail] = address.split('::');
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const zeros = new Array<number>(8 - front.length - back.length).fill(0);
  const bytes = new Uint8Array(16);
  [...front, ...zeros, ...back].forEach((value, i) => {
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  return bytes;
}

/** One hex group, or two groups for an embedded dotted IPv4 address. */
function group(text: string): number[] {
  if (!isIPv4(text)) return [parseInt(text, 16)];
  const [a = 0, b = 0, c = 0, d = 0] = ipv4Bytes(text);
  return [(a << 8) | b, (c << 8) | d];
}
