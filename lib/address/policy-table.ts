/**
 * RFC 6724 §2.1 default policy table and §3.1/§3.2 scopes, for destination selection (§6),
 * or the tables /etc/gai.conf gives instead (lib/system/gai-conf.ts).
 * Addresses are 16 bytes; IPv4 is matched as IPv4-mapped IPv6 (::ffff:0:0/96).
 */
import type { GaiConf, PrefixValue } from '../system/gai-conf.js';
import { type IpBytes, commonPrefixLength, hasPrefix, isMappedIPv4, parseIp } from './ip-bytes.js';

export interface Policy {
  precedence: number;
  label: number;
}

interface PrefixEntry {
  prefix: IpBytes;
  bits: number;
  value: number;
}

/**
 * The policy the sort uses: precedence and label tables, and IPv4 scopes (`undefined`:
 * RFC 6724 §3.2's). Each table longest prefix first, so the first match is the longest.
 */
export interface PolicyTable {
  readonly precedence: readonly PrefixEntry[];
  readonly label: readonly PrefixEntry[];
  readonly scopev4: readonly PrefixEntry[] | undefined;
}

// prefix, precedence, label: RFC 6724 §2.1, in the RFC's order.
const RFC6724_TABLE = [
  ['::1', 128, 50, 0],
  ['::', 0, 40, 1],
  ['::ffff:0:0', 96, 35, 4],
  ['2002::', 16, 30, 2], // 6to4
  ['2001::', 32, 5, 5], // Teredo
  ['fc00::', 7, 3, 13], // ULA
  ['::', 96, 1, 3], // IPv4-compatible (deprecated)
  ['fec0::', 10, 1, 11], // site-local (deprecated)
  ['3ffe::', 16, 1, 12], // 6bone (returned)
] as const;

const longestFirst = (entries: PrefixEntry[]): PrefixEntry[] => entries.sort((a, b) => b.bits - a.bits);

/** RFC 6724 §2.1's table. glibc's built-in one is RFC 3484's (see the README's differences). */
export const DEFAULT_POLICY_TABLE: PolicyTable = Object.freeze({
  precedence: longestFirst(RFC6724_TABLE.map(([prefix, bits, precedence]) => ({ prefix: parseIp(prefix)!, bits, value: precedence }))),
  label: longestFirst(RFC6724_TABLE.map(([prefix, bits, , label]) => ({ prefix: parseIp(prefix)!, bits, value: label }))),
  scopev4: undefined,
});

/** The table gai.conf makes: each kind it has lines for replaces the default one (gai-conf.ts keeps the order). */
export function policyTableFrom(conf: GaiConf): PolicyTable {
  if (!conf.precedence && !conf.label && !conf.scopev4) return DEFAULT_POLICY_TABLE;
  const entries = (list: PrefixValue[]): PrefixEntry[] => list.map((e) => ({ prefix: parseIp(e.prefix)!, bits: e.bits, value: e.value }));
  return Object.freeze({
    precedence: conf.precedence ? entries(conf.precedence) : DEFAULT_POLICY_TABLE.precedence,
    label: conf.label ? entries(conf.label) : DEFAULT_POLICY_TABLE.label,
    scopev4: conf.scopev4 ? entries(conf.scopev4) : undefined,
  });
}

/** The value of the longest matching prefix; every table has a catch-all, so there is one. */
function lookup(table: readonly PrefixEntry[], ip: IpBytes): number {
  return table.find((e) => hasPrefix(ip, e.prefix, e.bits))!.value;
}

/** Precedence and label of the longest matching prefixes. ::/0 matches every address. */
export function policyOf(ip: IpBytes, table: PolicyTable = DEFAULT_POLICY_TABLE): Policy {
  return { precedence: lookup(table.precedence, ip), label: lookup(table.label, ip) };
}

const SAMPLE_V6 = parseIp('2001:db8::1')!;
const SAMPLE_V4 = parseIp('192.0.2.1')!;

/**
 * The family the table puts first for global unicast addresses: IPv6 in RFC 6724's table
 * (precedence 40 against 35), IPv4 under a gai.conf that raises ::ffff:0:0/96. The race
 * turns its family rules around for IPv4 (RFC 8305 §3 speaks of the preferred family).
 */
export function preferredFamily(table: PolicyTable = DEFAULT_POLICY_TABLE): 4 | 6 {
  return lookup(table.precedence, SAMPLE_V4) > lookup(table.precedence, SAMPLE_V6) ? 4 : 6;
}

/** RFC 4291 §2.7 scope values, as used by RFC 6724 §3.1 (smaller is narrower). */
export const Scope = {
  interfaceLocal: 0x1,
  linkLocal: 0x2,
  adminLocal: 0x4,
  siteLocal: 0x5,
  organizationLocal: 0x8,
  global: 0xe,
} as const;

const LOOPBACK_V6 = parseIp('::1')!;
const LINK_LOCAL_V6 = parseIp('fe80::')!;
const SITE_LOCAL_V6 = parseIp('fec0::')!;
const LOOPBACK_V4 = parseIp('127.0.0.0')!;
const LINK_LOCAL_V4 = parseIp('169.254.0.0')!;

/** RFC 6724 §3.1 scope of an address; IPv4 from the table's `scopev4` when it has one. */
export function scopeOf(ip: IpBytes, table: PolicyTable = DEFAULT_POLICY_TABLE): number {
  if (isMappedIPv4(ip)) {
    if (table.scopev4) return lookup(table.scopev4, ip);
    // §3.2: "IPv4 autoconfiguration addresses [169.254/16] and IPv4 loopback addresses
    // [127/8] have link-local scope"; every other IPv4 address is global.
    return hasPrefix(ip, LOOPBACK_V4, 104) || hasPrefix(ip, LINK_LOCAL_V4, 112) ? Scope.linkLocal : Scope.global;
  }
  if (ip[0] === 0xff) return ip[1]! & 0x0f; // multicast: the scope field (RFC 4291 §2.7)
  // RFC 4007 §4: the loopback address is treated as link-local.
  if (hasPrefix(ip, LOOPBACK_V6, 128) || hasPrefix(ip, LINK_LOCAL_V6, 10)) return Scope.linkLocal;
  if (hasPrefix(ip, SITE_LOCAL_V6, 10)) return Scope.siteLocal; // RFC 3879: deprecated, still site scope
  return Scope.global; // ULAs (fc00::/7) too: RFC 4193 §3.3 gives them global scope
}

const SIX_TO_FOUR = parseIp('2002::')!;
const TEREDO = parseIp('2001::')!;

/**
 * Whether traffic from `source` leaves through an encapsulating transition mechanism
 * (RFC 6724 rule 7): a 6to4 (2002::/16) or Teredo (2001::/32) source address means the
 * kernel routes via such a tunnel. Seen from user space this is the only visible sign;
 * a tunnel with native-looking addresses (6in4, a VPN) cannot be told apart.
 */
export function isEncapsulatedSource(source: IpBytes): boolean {
  return hasPrefix(source, SIX_TO_FOUR, 16) || hasPrefix(source, TEREDO, 32);
}

/**
 * CommonPrefixLen (RFC 6724 §2.2) for rule 9: "up to the length of S's prefix", which for
 * IPv6 unicast is the 64-bit subnet prefix (the interface ID is not compared), as Go does.
 */
export function commonPrefixLen(source: IpBytes, destination: IpBytes): number {
  return commonPrefixLength(source, destination, 64);
}
