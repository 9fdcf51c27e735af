/**
 * The `dns.lookup` contract on top of an AddressResolver, so this library's DNS
 * client and cache can be passed as the `lookup` option of `net`, `http`, undici,
 * got or axios. Errors speak Node's language (`code`, `hostname`, `syscall`).
 */
import { isIP } from 'node:net';
import type { Answer, AddressResolver, RecordType } from './dns/types.js';
import { DnsError, InvalidArgumentError } from './errors.js';

export interface LookupAddress {
  address: string;
  family: 4 | 6;
}

export interface LookupOptions {
  /** 0 (both), 4 or 6; `'IPv4'`/`'IPv6'` accepted as Node does. Default 0. */
  family?: number | 'IPv4' | 'IPv6' | undefined;
  /** `dns.ADDRCONFIG`, `dns.V4MAPPED`, `dns.ALL`, or-ed. Default 0. */
  hints?: number | undefined;
  /** Every address instead of the first. Default false. */
  all?: boolean | undefined;
  /** `'verbatim'` keeps Happy Eyeballs order (RFC 6724 sort, families interleaved). Default `'verbatim'`. */
  order?: 'verbatim' | 'ipv4first' | 'ipv6first' | undefined;
  /** Legacy form of `order`: true = `'verbatim'`, false = `'ipv4first'`. */
  verbatim?: boolean | undefined;
}

export type LookupOneCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;
export type LookupAllCallback = (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

export interface LookupFunction {
  (hostname: string, callback: LookupOneCallback): void;
  (hostname: string, family: number, callback: LookupOneCallback): void;
  (hostname: string, options: LookupOptions & { all: true }, callback: LookupAllCallback): void;
  (hostname: string, options: LookupOptions, callback: LookupOneCallback | LookupAllCallback): void;
}

/** Puts candidates in connection order (RFC 6724 sort, then family interleaving). */
export type AddressOrder = (addresses: LookupAddress[]) => Promise<LookupAddress[]> | LookupAddress[];

// Values of node:dns's getaddrinfo hint flags.
const ADDRCONFIG = 0x20;
const V4MAPPED = 0x08;
const ALL = 0x10;

interface Request {
  family: 0 | 4 | 6;
  all: boolean;
  order: 'verbatim' | 'ipv4first' | 'ipv6first';
  v4mapped: boolean;
  mapAll: boolean;
  addrconfig: boolean;
}

export interface LookupDependencies {
  resolver: AddressResolver;
  order: AddressOrder;
  /** Families with a configured non-loopback address, for `ADDRCONFIG`. */
  configuredFamilies?: () => ReadonlySet<4 | 6>;
}

/** Builds a `dns.lookup`-compatible function over `resolver`. */
export function createLookup(deps: LookupDependencies): LookupFunction {
  function lookup(hostname: unknown, arg2: unknown, arg3?: unknown): void {
    const callback = (typeof arg2 === 'function' ? arg2 : arg3) as LookupOneCallback | LookupAllCallback;
    if (typeof callback !== 'function') throw new InvalidArgumentError('callback', callback, 'a function');
    if (typeof hostname !== 'string') throw new InvalidArgumentError('hostname', hostname, 'a string');
    const request = parseRequest(typeof arg2 === 'function' ? undefined : arg2);
    resolveAll(deps, hostname, request).then(
      (addresses) => {
        if (request.all) (callback as LookupAllCallback)(null, addresses);
        else (callback as LookupOneCallback)(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: NodeJS.ErrnoException) => (callback as LookupAllCallback)(err, undefined as never),
    );
  }
  return lookup as LookupFunction;
}

function parseRequest(options: unknown): Request {
  const request: Request = { family: 0, all: false, order: 'verbatim', v4mapped: false, mapAll: false, addrconfig: false };
  if (options === undefined || options === null) return request;
  if (typeof options === 'number') {
    request.family = parseFamily(options, 'family');
    return request;
  }
  if (typeof options !== 'object') throw new InvalidArgumentError('options', options, 'an object, a family or a callback');
  const o = options as LookupOptions;
  if (o.family !== undefined) request.family = parseFamily(o.family, 'options.family');
  if (o.hints !== undefined) {
    if (typeof o.hints !== 'number' || (o.hints & ~(ADDRCONFIG | V4MAPPED | ALL)) !== 0) {
      throw new InvalidArgumentError('options.hints', o.hints, 'a combination of dns.ADDRCONFIG, dns.V4MAPPED and dns.ALL');
    }
    request.addrconfig = (o.hints & ADDRCONFIG) !== 0;
    request.v4mapped = (o.hints & V4MAPPED) !== 0;
    request.mapAll = (o.hints & ALL) !== 0;
  }
  if (o.all !== undefined) request.all = bool(o.all, 'options.all');
  if (o.verbatim !== undefined) request.order = bool(o.verbatim, 'options.verbatim') ? 'verbatim' : 'ipv4first';
  if (o.order !== undefined) {
    if (o.order !== 'verbatim' && o.order !== 'ipv4first' && o.order !== 'ipv6first') {
      throw new InvalidArgumentError('options.order', o.order, "'verbatim', 'ipv4first' or 'ipv6first'");
    }
    request.order = o.order;
  }
  return request;
}

function parseFamily(value: unknown, option: string): 0 | 4 | 6 {
  if (value === 'IPv4') return 4;
  if (value === 'IPv6') return 6;
  if (value === 0 || value === 4 || value === 6) return value;
  throw new InvalidArgumentError(option, value, "0, 4, 6, 'IPv4' or 'IPv6'");
}

function bool(value: unknown, option: string): boolean {
  if (typeof value !== 'boolean') throw new InvalidArgumentError(option, value, 'a boolean');
  return value;
}

async function resolveAll(deps: LookupDependencies, hostname: string, request: Request): Promise<LookupAddress[]> {
  // IP literals are answered as they are, whatever the family asked (as dns.lookup does).
  const literalFamily = isIP(hostname);
  if (literalFamily === 4 || literalFamily === 6) return [{ address: hostname, family: literalFamily }];
  if (hostname === '') throw new DnsError('ENOTFOUND', { hostname });

  const families = wantedFamilies(deps, request);
  const [v6, v4] = await Promise.allSettled([
    families.has(6) ? deps.resolver.query(hostname, 'AAAA') : NOT_ASKED,
    families.has(4) ? deps.resolver.query(hostname, 'A') : NOT_ASKED,
  ]);
  let addresses = [...addressesOf(v6, 6), ...addressesOf(v4, 4)];
  if (request.family === 6 && request.v4mapped && (request.mapAll || addresses.every((a) => a.family === 4))) {
    addresses = addresses.map((a) => (a.family === 4 ? { address: `::ffff:${a.address}`, family: 6 } : a));
  } else if (request.family === 6) {
    addresses = addresses.filter((a) => a.family === 6);
  }
  if (addresses.length === 0) throw lookupError(hostname, v6, v4);
  return orderAddresses(deps, dedupe(addresses), request.order);
}

/** Which record types to ask: the family asked, plus A when IPv4-mapped answers may be wanted. */
function wantedFamilies(deps: LookupDependencies, request: Request): Set<4 | 6> {
  const wanted = new Set<4 | 6>(request.family === 0 ? [6, 4] : [request.family]);
  if (request.family === 6 && request.v4mapped) wanted.add(4);
  if (request.addrconfig && deps.configuredFamilies) {
    const configured = deps.configuredFamilies();
    // RFC 3493 §6.1: only families with a configured (non-loopback) address; a host with
    // none at all (loopback only) keeps both, as glibc does, so local names still work.
    if (configured.size > 0) for (const family of wanted) if (!configured.has(family)) wanted.delete(family);
  }
  return wanted;
}

/**
 * A family not asked for: no addresses and no error (lookupError falls back to ENODATA
 * when nothing was asked). Shared, and no Error built per lookup: building one (its
 * stack) cost a quarter of a cached lookup's time.
 */
const NOT_ASKED: Promise<Answer> = Promise.resolve({ name: '', type: 'A', records: [], ttl: 0, cnames: [], source: 'dns' });

function addressesOf(result: PromiseSettledResult<Answer>, family: 4 | 6): LookupAddress[] {
  return result.status === 'fulfilled' ? result.value.records.map((r) => ({ address: r.address, family })) : [];
}

function dedupe(addresses: LookupAddress[]): LookupAddress[] {
  const seen = new Set<string>();
  return addresses.filter((a) => !seen.has(a.address) && seen.add(a.address));
}

async function orderAddresses(
  deps: LookupDependencies,
  addresses: LookupAddress[],
  order: Request['order'],
): Promise<LookupAddress[]> {
  // One address has one order: no sort (and no source-address lookup) for it.
  const ordered = addresses.length > 1 ? await deps.order(addresses) : addresses;
  if (order === 'verbatim') return ordered;
  const first = order === 'ipv4first' ? 4 : 6;
  return [...ordered.filter((a) => a.family === first), ...ordered.filter((a) => a.family !== first)];
}

/**
 * No address at all: report the most telling failure. A name that does not exist
 * (ENOTFOUND) comes first, so callers that check `err.code === 'ENOTFOUND'` behave as
 * with getaddrinfo; then a transport failure (ETIMEOUT, ESERVFAIL...: the records may
 * exist); "no record of that type" (ENODATA) last.
 */
function lookupError(
  hostname: string,
  ...results: Array<PromiseSettledResult<Answer>>
): DnsError {
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const rank = (e: unknown): number => {
    const code = (e as { code?: unknown } | undefined)?.code;
    return code === 'ENOTFOUND' ? 0 : code === 'ENODATA' ? 2 : 1;
  };
  const chosen = errors.sort((a, b) => rank(a) - rank(b))[0];
  if (chosen instanceof DnsError) {
    // At the lookup boundary the syscall is getaddrinfo, as in node:dns.
    return new DnsError(chosen.code, { hostname, server: chosen.server, cause: chosen });
  }
  const code = (chosen as { code?: unknown } | undefined)?.code === 'ABORT_ERR' ? 'ECANCELLED' : 'ENODATA';
  return new DnsError(code, { hostname, cause: chosen });
}
