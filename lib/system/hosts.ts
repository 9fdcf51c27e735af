/**
 * The hosts file, hosts(5): `address name [alias...]` per line, `#` starts a comment,
 * fields split by spaces or tabs. Names and aliases are matched without regard to case
 * and trailing dot; a line whose first field is not an IP address (IPv6 zone ids are
 * allowed, brackets are not) or that has no name is skipped.
 *
 * Localhost names (RFC 6761 §6.3): `localhost` and every `*.localhost` always resolve to
 * loopback and never go to DNS. Loopback addresses the hosts file lists for that exact
 * name come first, in file order; anything else it lists for them is ignored, so a
 * hosts file cannot send `localhost` off the machine. With no loopback entry for a
 * family, the answer is 127.0.0.1 or ::1.
 */
import { InvalidArgumentError } from '../errors.js';
import { canonicalName, isLocalhostName } from '../dns/name.js';
import { isLoopback, parseIpLiteral } from './ip.js';

interface HostsEntry {
  /** IPv4 addresses in file order, duplicates removed. */
  v4: string[];
  /** IPv6 addresses (IPv4-mapped included) in file order, duplicates removed. */
  v6: string[];
}

/** Canonical name (lowercase, no trailing dot) → its addresses. */
export type HostsTable = ReadonlyMap<string, HostsEntry>;

const LOOPBACK = { 4: '127.0.0.1', 6: '::1' } as const;

export function parseHosts(text: string): HostsTable {
  const table = new Map<string, HostsEntry>();
  for (const line of text.split('\n')) {
    const [address, ...names] = hostsFields(line);
    const literal = address === undefined || address.startsWith('[') ? undefined : parseIpLiteral(address);
    if (!literal) continue;
    for (const name of names) addAddress(table, canonicalName(name), literal.family, literal.address);
  }
  return table;
}

/**
 * The addresses of one family for `name`: `undefined` when the hosts file does not know
 * the name (ask DNS), `[]` when it knows the name but not for this family (glibc and Go
 * then do not ask DNS either: the name is answered by the file).
 */
export function lookupHosts(table: HostsTable, name: string, family: 4 | 6): string[] | undefined {
  if (typeof name !== 'string') throw new InvalidArgumentError('hostname', name, 'a string');
  if (family !== 4 && family !== 6) throw new InvalidArgumentError('family', family, '4 or 6');
  const key = canonicalName(name);
  const entry = table.get(key);
  const listed = family === 4 ? entry?.v4 : entry?.v6;
  if (isLocalhostName(key)) {
    const loopback = (listed ?? []).filter(isLoopback);
    return loopback.length > 0 ? loopback : [LOOPBACK[family]];
  }
  return listed && [...listed];
}

/** Whitespace-separated fields before any `#`; `\r` of CRLF files counts as whitespace. */
function hostsFields(line: string): string[] {
  const hash = line.indexOf('#');
  const content = hash === -1 ? line : line.slice(0, hash);
  return content.split(/[ \t\r\f\v]+/).filter((field) => field !== '');
}

function addAddress(table: Map<string, HostsEntry>, name: string, family: 4 | 6, address: string): void {
  if (name === '') return;
  let entry = table.get(name);
  if (!entry) {
    entry = { v4: [], v6: [] };
    table.set(name, entry);
  }
  const list = family === 4 ? entry.v4 : entry.v6;
  if (!list.includes(address)) list.push(address);
}
