/**
 * The `'public'` preset: every block of the IANA IPv4 and IPv6 Special-Purpose Address
 * Registries (RFC 6890 §2.2 and the RFCs that add to them, as of 2026) whose "Globally
 * Reachable" column is not True, plus multicast and IPv6 site-local, which have
 * registries of their own. Where the registry nests a globally reachable block inside
 * one that is not (192.0.0.9/32 inside 192.0.0.0/24), the more specific entry decides.
 *
 * IPv6 forms that carry an IPv4 address are judged by that address: IPv4-mapped and
 * IPv4-compatible (the same IPv4 host), NAT64 (RFC 6052, RFC 8215: the translator
 * connects to it) and 6to4 (RFC 3056: packets are tunnelled to it). So the NAT64 form
 * of a public IPv4 is allowed, that of 10.0.0.1 is not. Teredo (RFC 4380) hides its
 * IPv4 addresses obfuscated and relays through third parties: denied whole.
 */
import { CidrList, parseCidr, type Cidr } from './cidr.js';

export interface SpecialRange {
  cidr: string;
  /** The registry's name for it. */
  name: string;
  rfc: string;
}

/** IPv4 blocks not globally reachable (IANA "Globally Reachable" False or withdrawn). */
export const deniedIPv4: readonly SpecialRange[] = [
  { cidr: '0.0.0.0/8', name: '"This network" (0.0.0.0/32: "this host")', rfc: 'RFC 791 §3.2, RFC 1122 §3.2.1.3' },
  { cidr: '10.0.0.0/8', name: 'Private-Use', rfc: 'RFC 1918' },
  { cidr: '100.64.0.0/10', name: 'Shared Address Space (carrier-grade NAT)', rfc: 'RFC 6598' },
  { cidr: '127.0.0.0/8', name: 'Loopback', rfc: 'RFC 1122 §3.2.1.3' },
  { cidr: '169.254.0.0/16', name: 'Link Local (cloud metadata services live here)', rfc: 'RFC 3927' },
  { cidr: '172.16.0.0/12', name: 'Private-Use', rfc: 'RFC 1918' },
  {
    cidr: '192.0.0.0/24',
    name: 'IETF Protocol Assignments (DS-Lite/464XLAT 192.0.0.0/29, dummy 192.0.0.8, NAT64 discovery 192.0.0.170–171)',
    rfc: 'RFC 6890 §2.1, RFC 7335, RFC 7600, RFC 8880',
  },
  { cidr: '192.0.2.0/24', name: 'Documentation (TEST-NET-1)', rfc: 'RFC 5737' },
  { cidr: '192.88.99.0/24', name: 'Deprecated 6to4 Relay Anycast, 6a44 relay 192.88.99.2', rfc: 'RFC 7526, RFC 6751' },
  { cidr: '192.168.0.0/16', name: 'Private-Use', rfc: 'RFC 1918' },
  { cidr: '198.18.0.0/15', name: 'Benchmarking', rfc: 'RFC 2544' },
  { cidr: '198.51.100.0/24', name: 'Documentation (TEST-NET-2)', rfc: 'RFC 5737' },
  { cidr: '203.0.113.0/24', name: 'Documentation (TEST-NET-3)', rfc: 'RFC 5737' },
  { cidr: '224.0.0.0/4', name: 'Multicast (its own registry)', rfc: 'RFC 5771' },
  { cidr: '240.0.0.0/4', name: 'Reserved (255.255.255.255/32: Limited Broadcast)', rfc: 'RFC 1112 §4, RFC 919 §7, RFC 8190' },
];

/** Globally reachable blocks nested inside a denied one: allowed. */
export const reachableIPv4: readonly SpecialRange[] = [
  { cidr: '192.0.0.9/32', name: 'Port Control Protocol Anycast', rfc: 'RFC 7723' },
  { cidr: '192.0.0.10/32', name: 'Traversal Using Relays around NAT Anycast', rfc: 'RFC 8155' },
];

/** IPv6 blocks judged by the IPv4 address they carry (see `embeddedIPv4`). */
export const embeddingIPv6: readonly SpecialRange[] = [
  { cidr: '::ffff:0:0/96', name: 'IPv4-mapped', rfc: 'RFC 4291 §2.5.5.2' },
  { cidr: '::/96', name: 'IPv4-compatible, deprecated (holds :: and ::1)', rfc: 'RFC 4291 §2.5.5.1' },
  { cidr: '64:ff9b::/96', name: 'NAT64 well-known prefix', rfc: 'RFC 6052 §2.1' },
  { cidr: '64:ff9b:1::/48', name: 'NAT64 local-use prefix (IPv4 in the last 32 bits, a /96 inside it)', rfc: 'RFC 8215' },
  { cidr: '2002::/16', name: '6to4 (IPv4 in bits 16–47)', rfc: 'RFC 3056' },
];

/** IPv6 blocks not globally reachable, plus Teredo, site-local and multicast. */
export const deniedIPv6: readonly SpecialRange[] = [
  { cidr: '::/128', name: 'Unspecified', rfc: 'RFC 4291 §2.5.2' },
  { cidr: '::1/128', name: 'Loopback', rfc: 'RFC 4291 §2.5.3' },
  { cidr: '100::/64', name: 'Discard-Only', rfc: 'RFC 6666' },
  { cidr: '100:0:0:1::/64', name: 'Dummy IPv6 Prefix', rfc: 'RFC 9780' },
  {
    cidr: '2001::/23',
    name: 'IETF Protocol Assignments (Teredo 2001::/32, benchmarking 2001:2::/48, old ORCHID 2001:10::/28)',
    rfc: 'RFC 2928, RFC 4380, RFC 5180, RFC 4843',
  },
  { cidr: '2001:db8::/32', name: 'Documentation', rfc: 'RFC 3849' },
  { cidr: '3fff::/20', name: 'Documentation', rfc: 'RFC 9637' },
  { cidr: '5f00::/16', name: 'Segment Routing (SRv6) SIDs', rfc: 'RFC 9602' },
  { cidr: 'fc00::/7', name: 'Unique-Local', rfc: 'RFC 4193' },
  { cidr: 'fe80::/10', name: 'Link-Local Unicast', rfc: 'RFC 4291 §2.5.6' },
  { cidr: 'fec0::/10', name: 'Site-Local, deprecated', rfc: 'RFC 3879' },
  { cidr: 'ff00::/8', name: 'Multicast', rfc: 'RFC 4291 §2.7' },
];

/** Globally reachable blocks inside 2001::/23: allowed. */
export const reachableIPv6: readonly SpecialRange[] = [
  { cidr: '2001:1::1/128', name: 'Port Control Protocol Anycast', rfc: 'RFC 7723' },
  { cidr: '2001:1::2/128', name: 'Traversal Using Relays around NAT Anycast', rfc: 'RFC 8155' },
  { cidr: '2001:1::3/128', name: 'DNS-SD Service Registration Protocol Anycast', rfc: 'RFC 9665' },
  { cidr: '2001:3::/32', name: 'AMT', rfc: 'RFC 7450' },
  { cidr: '2001:4:112::/48', name: 'AS112-v6', rfc: 'RFC 7535' },
  { cidr: '2001:20::/28', name: 'ORCHIDv2', rfc: 'RFC 7343' },
  { cidr: '2001:30::/28', name: 'Drone Remote ID Protocol Entity Tags', rfc: 'RFC 9374' },
];

interface Tables {
  denied4: CidrList;
  reachable4: CidrList;
  denied6: CidrList;
  reachable6: CidrList;
  /** Per first octet: 0 no special block starts there, 1 all of it is denied, 2 look closer. */
  byFirstOctet: Uint8Array;
}

/** Built on the first check, not at import: most programs never set a policy. */
let tables: Tables | undefined;

function buildTables(): Tables {
  const list = (ranges: readonly SpecialRange[]): CidrList => new CidrList(ranges.map((r) => parseCidr(r.cidr) as Cidr));
  const byFirstOctet = new Uint8Array(256);
  for (const range of deniedIPv4) {
    const cidr = parseCidr(range.cidr) as Extract<Cidr, { family: 4 }>;
    const first = cidr.address >>> 24;
    const count = cidr.bits >= 8 ? 1 : 2 ** (8 - cidr.bits);
    for (let octet = first; octet < first + count; octet++) byFirstOctet[octet] = cidr.bits <= 8 ? 1 : 2;
  }
  for (const range of reachableIPv4) byFirstOctet[(parseCidr(range.cidr) as Extract<Cidr, { family: 4 }>).address >>> 24] = 2;
  return { denied4: list(deniedIPv4), reachable4: list(reachableIPv4), denied6: list(deniedIPv6), reachable6: list(reachableIPv6), byFirstOctet };
}

/** True when the 'public' preset lets this IPv4 address (unsigned 32-bit) through. */
export function isPublicIPv4(address: number): boolean {
  tables ??= buildTables();
  const kind = tables.byFirstOctet[address >>> 24];
  if (kind === 0) return true;
  if (kind === 1) return false;
  return !tables.denied4.hasV4(address) || tables.reachable4.hasV4(address);
}

/** True when the 'public' preset lets this IPv6 address (four words) through. */
export function isPublicIPv6(words: Uint32Array): boolean {
  const embedded = embeddedIPv4(words);
  if (embedded >= 0) return isPublicIPv4(embedded);
  tables ??= buildTables();
  return !tables.denied6.hasV6(words) || tables.reachable6.hasV6(words);
}

/**
 * The IPv4 address an IPv6 address carries (unsigned 32-bit), or -1: IPv4-mapped
 * `::ffff:0:0/96`, IPv4-compatible `::/96`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`
 * (the last 32 bits, RFC 6052 §2.2 /96 layout), 6to4 `2002::/16` (bits 16–47).
 */
export function embeddedIPv4(words: Uint32Array): number {
  const w0 = words[0]!;
  const w1 = words[1]!;
  if (w0 === 0 && w1 === 0) {
    const w2 = words[2]!;
    return w2 === 0 || w2 === 0xffff ? words[3]! : -1;
  }
  if (w0 === 0x0064ff9b) return (w1 === 0 && words[2] === 0) || w1 >>> 16 === 1 ? words[3]! : -1;
  if (w0 >>> 16 === 0x2002) return ((w0 << 16) | (w1 >>> 16)) >>> 0;
  return -1;
}

/** True for `::ffff:0:0/96`: the IPv4 host itself, reached over an IPv6 socket. */
export function isIPv4Mapped(words: Uint32Array): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0xffff;
}
