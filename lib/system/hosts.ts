/**
 * The hosts file, hosts(5): `address name [alias...]` per line, `#` starts a comment,
 * fields split by spaces or tabs. Names and aliases are matched without regard to case,
 * but exactly otherwise, as glibc's nss_files compares them: `name.` does not find
 * `name`. A line whose first field is not an IP address (IPv6 zone ids are allowed,
 * brackets are not) or that has no name is skipped.
 *
 * Which lines answer, as nss_files has them: a lookup of both families gets every line
 * for the name with its own family, and knows the name when any line lists it; a lookup
 * of IPv4 alone gets the IPv4 lines plus the IPv6 lines it can read as IPv4 (`::1` as
 * 127.0.0.1, `::ffff:a.b.c.d` as a.b.c.d), one of IPv6 alone the IPv6 lines; with none,
 * the file does not know the name for that family and DNS is asked.
 *
 * Localhost names (RFC 6761 §6.3): `localhost` and every `*.localhost` always resolve to
 * loopback and never go to DNS. Loopback addresses the hosts file lists for that exact
 * name come first, in file order; anything else it lists for them is ignored, so a
 * hosts file cannot send `localhost` off the machine. With no loopback entry for a
 * family, the answer is 127.0.0.1 or ::1.
 */
import { InvalidArgumentError } from '../errors.js';
import { canonicalName, isLocalhostName } from '../dns/name.js';
import { isLoopback, isV4Mapped, parseIpLiteral, stripZone, toBytes16 } from './ip.js';

interface HostsEntry {
  /** IPv4 addresses in file order, duplicates removed. */
  v4: string[];
  /** IPv6 addresses (IPv4-mapped included) in file order, duplicates removed. */
  v6: string[];
  /** What a lookup of IPv4 alone gets: the IPv4 lines and the IPv6 ones read as IPv4, in file order. */
  v4Only: string[];
}

/** Lower-cased name, as written (a trailing dot kept) → its addresses. */
export type HostsTable = ReadonlyMap<string, HostsEntry>;

const LOOPBACK = { 4: '127.0.0.1', 6: '::1' } as const;

export function parseHosts(text: string): HostsTable {
  const table = new Map<string, HostsEntry>();
  for (const line of text.split('\n')) {
    const [address, ...names] = hostsFields(line);
    const literal = address === undefined || address.startsWith('[') ? undefined : parseIpLiteral(address);
    if (!literal) continue;
    for (const name of names) addAddress(table, name.toLowerCase(), literal.family, literal.address);
  }
  return table;
}

/**
 * The addresses of one family for `name`: `undefined` when the hosts file does not know
 * the name (ask DNS), `[]` when it knows the name but not for this family (glibc and Go
 * then do not ask DNS either: the name is answered by the file). `alone`: the lookup asks
 * this family only (see the file comment), so only this family's lines know the name.
 */
export function lookupHosts(table: HostsTable, name: string, family: 4 | 6, alone = false): string[] | undefined {
  if (typeof name !== 'string') throw new InvalidArgumentError('hostname', name, 'a string');
  if (family !== 4 && family !== 6) throw new InvalidArgumentError('family', family, '4 or 6');
  if (isLocalhostName(name)) {
    const listed = table.get(canonicalName(name));
    const loopback = ((family === 4 ? listed?.v4 : listed?.v6) ?? []).filter(isLoopback);
    return loopback.length > 0 ? loopback : [LOOPBACK[family]];
  }
  const entry = table.get(name.toLowerCase());
  if (entry === undefined) return undefined;
  const listed = family === 6 ? entry.v6 : alone ? entry.v4Only : entry.v4;
  return alone && listed.length === 0 ? undefined : [...listed];
}

/** Whitespace-separated fields before any `#`; `\r` of CRLF files counts as whitespace. */
function hostsFields(line: string): string[] {
  const hash = line.indexOf('#');
  const content = hash === -1 ? line : line.slice(0, hash);
  return content.split(/[ \t\r\f\v]+/).filter((field) => field !== '');
}

function addAddress(table: Map<string, HostsEntry>, name: string, family: 4 | 6, address: string): void {
  let entry = table.get(name);
  if (!entry) {
    entry = { v4: [], v6: [], v4Only: [] };
    table.set(name, entry);
  }
  const list = family === 4 ? entry.v4 : entry.v6;
  if (!list.includes(address)) list.push(address);
  const asV4 = family === 4 ? address : readAsIPv4(address);
  if (asV4 !== undefined && !entry.v4Only.includes(asV4)) entry.v4Only.push(asV4);
}

/** nss_files for an IPv4 lookup: `::ffff:a.b.c.d` is a.b.c.d and `::1` is 127.0.0.1; other IPv6 lines are skipped. */
function readAsIPv4(address: string): string | undefined {
  const bytes = toBytes16(stripZone(address));
  if (isV4Mapped(bytes)) return bytes.subarray(12).join('.');
  return isLoopback(address) ? LOOPBACK[4] : undefined;
}
