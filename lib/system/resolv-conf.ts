/**
 * /etc/resolv.conf as glibc (>= 2.26; options as of 2.36) reads it, resolv.conf(5) and
 * resolv/res_init.c:
 * - a keyword counts only at the start of a line and followed by a space or tab;
 *   lines starting with `#` or `;` are comments; unknown lines are ignored;
 * - `nameserver` takes one IPv4 or IPv6 address (zone id kept, port 53); glibc uses
 *   the first MAXNS = 3 of them, and so do we;
 * - `search` and `domain` replace each other, the last one wins; the root `.` stays in
 *   the list (systemd-resolved writes `search .`): the search asks the bare name there;
 * - search domains are kept as written, one leading dot dropped (res_search does);
 *   one that cannot be asked (`bad..example`) ends the search there, as in glibc;
 * - `options` and the RES_OPTIONS variable set ndots (cap 15), timeout (seconds,
 *   cap 30; 0 is 1 s, as res_send floors it), attempts (cap 5), rotate, no-tld-query,
 *   no-aaaa, use-vc, no-reload, and the flags that change nothing here (edns0, trust-ad,
 *   single-request, single-request-reopen, inet6: see ResolvConf). As in glibc a number
 *   is read with atoi (`ndots:x` is 0, `ndots:2x` is 2) and a flag matches as a prefix
 *   (`rotatex` is `rotate`); LOCALDOMAIN replaces the search list (empty: the root alone).
 * Where we differ, on purpose: IPv4 must be a strict dotted quad (no `127.1`);
 * `attempts:0` (or below) is 1 (glibc then sends nothing and fails every lookup); a token
 * starting with `#` or `;` ends a line (glibc would take it as a search domain); the
 * search list is kept to MAX_SEARCH_DOMAINS entries (glibc >= 2.26 has no limit), and a
 * domain longer than any name can be is left out (glibc would end the search there).
 */
import { hostname as osHostname } from 'node:os';
import { MAX_NAME_OCTETS } from '../dns/name.js';
import type { ServerAddress } from '../dns/types.js';
import { parseIpLiteral } from './ip.js';
import { readText } from './files.js';
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
  /** `no-tld-query`: a name without a dot is never asked as it is, only with the search domains. */
  noTldQuery: boolean;
  /** `no-aaaa` (glibc 2.36): no AAAA query is sent; a lookup of IPv6 addresses asks A and finds none. */
  noAaaa: boolean;
  /** `use-vc`: every query over TCP. */
  useVc: boolean;
  /** `no-reload`: the file is read once and never again when it changes. */
  noReload: boolean;
  /** `edns0`: glibc then sends an EDNS0 OPT record; this client always does (RFC 6891). */
  edns0: boolean;
  /** `trust-ad`: glibc then sets AD in queries and keeps it in replies; nothing here reads AD. */
  trustAd: boolean;
  /**
   * `single-request` and `single-request-reopen`: glibc then sends A and AAAA one after
   * the other (the second from a new socket), for middleboxes that drop one of two
   * queries sent together from one port. Here every query has its own socket ID and the
   * two are never sent as a pair, so both have no effect.
   */
  singleRequest: boolean;
  singleRequestReopen: boolean;
  /** `inet6`: ignored by glibc since 2.26, and here. */
  inet6: boolean;
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
export const DEFAULT_NAMESERVERS: readonly ServerAddress[] = Object.freeze([Object.freeze({ address: '127.0.0.1', port: DNS_PORT, family: 4 as const })]);

/** The search-list entry for the root: the name itself is asked at its place. */
const ROOT_DOMAIN = '.';

export function defaultResolvConf(): ResolvConf {
  return {
    nameservers: [],
    search: [],
    ndots: 1,
    timeout: 5000,
    attempts: 2,
    rotate: false,
    noTldQuery: false,
    noAaaa: false,
    useVc: false,
    noReload: false,
    edns0: false,
    trustAd: false,
    singleRequest: false,
    singleRequestReopen: false,
    inet6: false,
  };
}

/** Parses the text of a resolv.conf; with `env`/`hostname` it also does what glibc does with those. */
export function parseResolvConf(text: string, options: ResolvConfEnv = {}): ResolvConf {
  const conf = defaultResolvConf();
  const localDomain = options.env?.['LOCALDOMAIN'];
  // glibc: LOCALDOMAIN, even empty, overrides search and domain lines. Its first entry
  // starts at its first character, so an empty value or a leading blank makes an empty
  // first domain, which res_search takes for the root.
  let searchSet = localDomain !== undefined;
  if (localDomain !== undefined) {
    const line = localDomain.replace(/\n[\s\S]*/, '');
    conf.search = /^[ \t]|^$/.test(line) ? [ROOT_DOMAIN, ...searchDomains(line)].slice(0, MAX_SEARCH_DOMAINS) : searchDomains(line);
  }
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
export async function loadResolvConf(path = '/etc/resolv.conf', options: ResolvConfEnv = { env: process.env, hostname: osHostname() }): Promise<ResolvConf> {
  let text = '';
  try {
    text = await readText(path);
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

/**
 * The domains as res_search uses them: one leading dot dropped (`.` alone is the root,
 * kept as `.`), a trailing dot dropped. A domain no query can carry stays: asking it
 * fails, which ends the search as in glibc.
 */
function searchDomains(text: string): string[] {
  return (
    text
      .split(/[ \t\r]+/)
      // Longer than any name can be: never askable, and refused as a `search` option.
      .filter((domain) => domain !== '' && domain.length <= MAX_NAME_OCTETS + 1)
      .map((domain) => {
        const bare = domain.startsWith('.') ? domain.slice(1) : domain;
        if (bare === '') return ROOT_DOMAIN;
        return bare.endsWith('.') && bare.length > 1 ? bare.slice(0, -1) : bare;
      })
      .slice(0, MAX_SEARCH_DOMAINS)
  );
}

function domainOf(hostname: string | undefined): string {
  const dot = hostname?.indexOf('.') ?? -1;
  return hostname !== undefined && dot !== -1 ? hostname.slice(dot + 1) : '';
}

type Flag = 'rotate' | 'noTldQuery' | 'noAaaa' | 'useVc' | 'noReload' | 'edns0' | 'trustAd' | 'singleRequest' | 'singleRequestReopen' | 'inet6';

/**
 * The flags resolv.conf(5) names, in glibc 2.36's order (res_setoptions): each matches
 * as a prefix of the option, the first match wins (so `single-request-reopen` is tried
 * before `single-request`); `no_tld_query` is the older spelling.
 */
const FLAGS: ReadonlyArray<[string, Flag]> = [
  ['inet6', 'inet6'],
  ['rotate', 'rotate'],
  ['edns0', 'edns0'],
  ['single-request-reopen', 'singleRequestReopen'],
  ['single-request', 'singleRequest'],
  ['no_tld_query', 'noTldQuery'],
  ['no-tld-query', 'noTldQuery'],
  ['no-reload', 'noReload'],
  ['use-vc', 'useVc'],
  ['trust-ad', 'trustAd'],
  ['no-aaaa', 'noAaaa'],
];

/** `ndots:n`, `timeout:n`, `attempts:n` and the FLAGS; anything else is ignored (resolv.conf(5)). */
function applyOptions(conf: ResolvConf, options: readonly string[]): void {
  for (const option of options) {
    if (option.startsWith('ndots:')) {
      // A negative ndots asks every name as is first, as 0 does.
      conf.ndots = Math.max(0, Math.min(atoi(option.slice(6)), MAX_NDOTS));
    } else if (option.startsWith('timeout:')) {
      conf.timeout = Math.max(1, Math.min(atoi(option.slice(8)), MAX_TIMEOUT / 1000)) * 1000;
    } else if (option.startsWith('attempts:')) {
      conf.attempts = Math.max(1, Math.min(atoi(option.slice(9)), MAX_ATTEMPTS));
    } else {
      const flag = FLAGS.find(([name]) => option.startsWith(name));
      if (flag) conf[flag[1]] = true;
    }
  }
}

/** C's atoi on glibc: optional sign, the leading digits (none: 0), the long cut to an int. */
function atoi(text: string): number {
  const digits = /^[+-]?[0-9]+/.exec(text)?.[0];
  if (digits === undefined) return 0;
  const LONG_MAX = 2n ** 63n - 1n;
  const long = BigInt(digits);
  const clamped = long > LONG_MAX ? LONG_MAX : long < -LONG_MAX - 1n ? -LONG_MAX - 1n : long;
  return Number(BigInt.asIntN(32, clamped));
}
