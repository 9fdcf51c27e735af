/**
 * /etc/gai.conf as glibc's getaddrinfo reads it (gai.conf(5), sysdeps/posix/getaddrinfo.c
 * gaiconf_init): the RFC 6724 policy for sorting destination addresses.
 * - `precedence <ipv6-prefix>[/bits] <value>` and `label <ipv6-prefix>[/bits] <value>`:
 *   one such line replaces the whole built-in table of its kind; a table without a `/0`
 *   entry gets `::/0` (precedence 40, label 1), so every address still matches a line;
 * - `scopev4 <prefix>[/bits] <value>`: IPv4 scopes, the prefix written as IPv4 (bits up
 *   to 32) or IPv4-mapped IPv6 (bits 96 to 128); a table without a catch-all gets one of
 *   scope 14 (global);
 * - `#` starts a comment; other keywords (`reload`) and malformed lines are ignored; a
 *   missing value reads as 0 and a missing `/bits` as the full length (glibc's strtoul).
 * The tables come out longest prefix first, file order kept among equal lengths.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { isV4Mapped, toBytes16 } from './ip.js';

export interface PrefixValue {
  /** The prefix as written, IPv6 (IPv4 scopes as IPv4-mapped `::ffff:a.b.c.d`). */
  prefix: string;
  /** Prefix length over the 128-bit address. */
  bits: number;
  value: number;
}

export interface GaiConf {
  /** `undefined` when the file has no line of the kind: the built-in table is used. */
  precedence: PrefixValue[] | undefined;
  label: PrefixValue[] | undefined;
  scopev4: PrefixValue[] | undefined;
}

const INT_MAX = 2 ** 31 - 1;
/** glibc's catch-alls, added when a table has no line covering every address. */
const CATCH_ALL: Readonly<Record<keyof GaiConf, PrefixValue>> = {
  precedence: { prefix: '::', bits: 0, value: 40 },
  label: { prefix: '::', bits: 0, value: 1 },
  scopev4: { prefix: '::ffff:0.0.0.0', bits: 96, value: 14 },
};

export function parseGaiConf(text: string): GaiConf {
  const lists: Record<keyof GaiConf, PrefixValue[]> = { precedence: [], label: [], scopev4: [] };
  for (const line of text.split('\n')) {
    const [keyword, target = '', value = ''] = line.replace(/#.*/, '').trim().split(/\s+/);
    const number = /^[0-9]*$/.test(value) ? Number(value) : NaN;
    if (!(number <= INT_MAX)) continue;
    if (keyword === 'precedence' || keyword === 'label') {
      const entry = prefixOf(target, number);
      if (entry) lists[keyword].push(entry);
    } else if (keyword === 'scopev4') {
      const entry = scopeOf(target, number);
      if (entry) lists.scopev4.push(entry);
    }
  }
  return { precedence: table(lists, 'precedence'), label: table(lists, 'label'), scopev4: table(lists, 'scopev4') };
}

function table(lists: Record<keyof GaiConf, PrefixValue[]>, kind: keyof GaiConf): PrefixValue[] | undefined {
  const list = lists[kind];
  if (list.length === 0) return undefined;
  const all = list.some((e) => e.bits === CATCH_ALL[kind].bits) ? list : [...list, CATCH_ALL[kind]];
  return all
    .map((e, i) => ({ e, i }))
    .sort((a, b) => b.e.bits - a.e.bits || a.i - b.i)
    .map(({ e }) => e);
}

function prefixOf(target: string, value: number): PrefixValue | undefined {
  const [address = '', length] = target.split('/', 2);
  const bits = length === undefined ? 128 : bitsOf(length);
  if (!isIPv6(address) || !(bits <= 128)) return undefined;
  return { prefix: address, bits, value };
}

function scopeOf(target: string, value: number): PrefixValue | undefined {
  const [address = '', length] = target.split('/', 2);
  if (isIPv4(address)) {
    const bits = length === undefined ? 32 : bitsOf(length);
    return bits <= 32 ? { prefix: `::ffff:${address}`, bits: bits + 96, value } : undefined;
  }
  const bits = length === undefined ? 128 : bitsOf(length);
  if (!isIPv6(address) || !isV4Mapped(toBytes16(address)) || !(bits >= 96 && bits <= 128)) return undefined;
  return { prefix: address, bits, value };
}

/** strtoul over the whole field: digits only, empty is 0; anything else is NaN. */
function bitsOf(text: string): number {
  return /^[0-9]*$/.test(text) ? Number(text) : NaN;
}
