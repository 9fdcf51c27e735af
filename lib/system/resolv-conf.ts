/**
 * /etc/resolv.conf as glibc (>= 2.26) reads it, resolv.conf(5) and resolv/res_init.c:
 * - a keyword counts only at the start of a line and followed by a space or tab;
 *   lines starting with `#` or `;` are comments; unknown lines are ignored;
 * - `nameserver` takes one IPv4 or IPv6 address (zone id kept, port 53); glibc uses
 *   the first MAXNS = 3 of them, and so do we;
 * - `search` and `domain` replace each other, the last one wins;
 * - `options` and the RES_OPTIONS variable set ndots (cap 15), timeout (seconds,
 *   cap 30), attempts (cap 5) and rotate; LOCALDOMAIN replaces the search list.
 * Where we differ, on purpose: IPv4 must be a strict dotted quad (no `127.1`); an option
 * with a non-numeric value is ignored (glibc's atoi would read it as 0); `timeout:0` is
 * 1 s and `attempts:0` is 1 (glibc's res_send floors the timeout at 1 s, and no
 * attempt at all would fail every lookup); a token starting with `#` or `;` ends a line
 * (glibc would take it as a search domain); the root domain `.` (systemd-resolved
 * writes `search .`) and invalid names (`a..b`, non-ASCII) are left out of the search
 * list; the search list is kept to
 * MAX_SEARCH_DOMAINS entries (glibc >= 2.26 has no limit, glibc <= 2.25 kept 6).
 */
import { readFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { isValidHostname } from '../dns/name.js';
import type { ServerAddress } from '../dns/types.js';
import { parseIpLiteral } from './ip.js';
import { DNS_PORT } from './server-address.js';

export interface ResolvConf {
  /** Empty when the file names none: the caller decides (glibc uses DEFAULT_NAMESERVERS). */
  nameservers: ServerAddress[];
  /** Search domains in order, without trailing dot. */
  search: string[];
  ndots: number;
  /** Per-query wait before the next server or attempt, milliseconds. */
  timeout: number;
  /** Rounds over the server list. */
  attempts: number;
  /** Start at a different server for each query. */
  rotate: boolean;
}

export interface ResolvConfEnv {
  /** Environment: `LOCALDOMAIN` (search list) and `RES_OPTIONS` (options), as glibc reads them. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** When nothing sets a search list, the part after the first dot becomes it (glibc, Go). */
  hostname?: string | undefined;
}

/** glibc's MAXNS: nameserver lines after the third are ignored. */
const MAX_NAMESERVERS = 3;
/** Bounds the queries one lookup can fan out into (Kubernetes allows 32 search domains). */
export const MAX_SEARCH_DOMAINS = 32;
const MAX_NDOTS = 15;
const MAX_TIMEOUT = 30_000;
const MAX_ATTEMPTS = 5;
/** What glibc asks when resolv.conf names no server: the local machine. */
export const DEFAULT_NAMESERVERS: readonly ServerAddress[] = Object.freeze([
  Object.freeze({ address: '127.0.0.1', port: DNS_PORT, family: 4 as const }),
]);

export function defaultResolvConf(): ResolvConf {
  return { nameservers: [], search: [], ndots: 1, timeout: 5000, attempts: 2, rotate: false };
}

/** Parses the text of a resolv.conf; with `env`/`hostname` it also does what glibc does with those. */
export function parseResolvConf(text: string, options: ResolvConfEnv = {}): ResolvConf {
  const conf = defaultResolvConf();
  const localDomain = options.env?.['LOCALDOMAIN'];
  // glibc: LOCALDOMAIN, even empty, overrides search and domain lines.
  let searchSet = localDomain !== undefined;
  if (localDomain !== undefined) conf.search = searchDomains(localDomain.replace(/\n[\s\S]*/, ''));
  for (const line of text.split('\n')) {
    const [keyword, ...args] = fields(line);
    if (keyword === 'nameserver') addNameserver(conf, args[0]);
    else if (keyword === 'options') applyOptions(conf, args);
    else if ((keyword === 'search' || keyword === 'domain') && args.length > 0 && localDomain === undefined) {
      conf.search = searchDomains((keyword === 'domain' ? args.slice(0, 1) : args).join(' '));
      searchSet = true;
    }
  }
  if (!searchSet) conf.search = searchDomains(domainOf(options.hostname));
  const resOptions = options.env?.['RES_OPTIONS'];
  if (resOptions !== undefined) applyOptions(conf, resOptions.split(/[ \t]+/));
  return conf;
}

/**
 * Reads and parses a resolv.conf. A missing or unreadable file gives the defaults, as in
 * glibc. By default LOCALDOMAIN/RES_OPTIONS come from `process.env` and the hostname
 * from the OS, like getaddrinfo; pass `{}` to read the file alone.
 */
export async function loadResolvConf(
  path = '/etc/resolv.conf',
  options: ResolvConfEnv = { env: process.env, hostname: osHostname() },
): Promise<ResolvConf> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    // ENOENT, EACCES, EISDIR…: glibc ignores these and uses its defaults.
  }
  return parseResolvConf(text, options);
}

/**
 * The keyword and its arguments, or nothing for a comment or a line whose keyword does
 * not start it. Trailing `\r` (CRLF files) is whitespace; a `#`/`;` token starts a comment.
 */
function fields(line: string): string[] {
  if (!/^[a-z]+[ \t]/.test(line)) return [];
  const tokens = line.split(/[ \t\r]+/).filter((token) => token !== '');
  const comment = tokens.findIndex((token) => token.startsWith('#') || token.startsWith(';'));
  return comment === -1 ? tokens : tokens.slice(0, comment);
}

/** glibc ignores whatever follows the address; an invalid address skips the line. */
function addNameserver(conf: ResolvConf, entry: string | undefined): void {
  if (entry === undefined || entry.startsWith('[') || conf.nameservers.length >= MAX_NAMESERVERS) return;
  const literal = parseIpLiteral(entry);
  if (literal) conf.nameservers.push({ address: literal.address, port: DNS_PORT, family: literal.family });
}

/** Drops the root and names no query could carry (glibc would send them and fail). */
function searchDomains(text: string): string[] {
  return text
    .split(/[ \t\r]+/)
    .map((domain) => (domain.endsWith('.') ? domain.slice(0, -1) : domain))
    .filter((domain) => domain !== '' && isValidHostname(domain))
    .slice(0, MAX_SEARCH_DOMAINS);
}

function domainOf(hostname: string | undefined): string {
  const dot = hostname?.indexOf('.') ?? -1;
  return hostname !== undefined && dot !== -1 ? hostname.slice(dot + 1) : '';
}

/** `ndots:n`, `timeout:n`, `attempts:n`, `rotate`; anything else is ignored (resolv.conf(5)). */
function applyOptions(conf: ResolvConf, options: readonly string[]): void {
  for (const option of options) {
    const [name, value] = option.split(':', 2);
    const n = value !== undefined && /^[0-9]+$/.test(value) ? Number(value) : undefined;
    if (name === 'rotate' && value === undefined) conf.rotate = true;
    if (n === undefined) continue;
    if (name === 'ndots') conf.ndots = Math.min(n, MAX_NDOTS);
    else if (name === 'timeout') conf.timeout = Math.min(Math.max(n, 1) * 1000, MAX_TIMEOUT);
    else if (name === 'attempts') conf.attempts = Math.min(Math.max(n, 1), MAX_ATTEMPTS);
  }
}
