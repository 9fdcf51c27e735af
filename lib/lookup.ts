/**
 * The `dns.lookup` contract on top of an AddressResolver, so this library's DNS
 * client and cache can be passed as the `lookup` option of `net`, `http`, undici,
 * got or axios. Errors speak Node's language (`code`, `hostname`, `syscall`).
 */
import { isIP, isIPv4 } from 'node:net';
import type { Clock } from './clock.js';
import type { AddressRecordType, Answer, AddressResolver } from './dns/types.js';
import { AddressBlockedError, DnsError, InvalidArgumentError, mostTellingDnsError } from './errors.js';
import { LookupMemo, type MemoAddress, NOT_ASKED } from './lookup-memo.js';
import { neverSynthesized } from './nat64/exclusions.js';
import { synthesize } from './nat64/nat64.js';
import type { Nat64Prefix } from './nat64/prefix.js';
import { booleanOption } from './options.js';
import { hostUnderPolicy } from './policy/host.js';
import { type AddressPolicyOption, AddressPolicy } from './policy/policy.js';
import { nodeDns } from './system/lazy-builtins.js';

export interface LookupAddress {
  address: string;
  family: 4 | 6;
}

export interface LookupOptions {
  /** 0 (both), 4 or 6; `'IPv4'`/`'IPv6'` accepted as Node does. @default 0 */
  family?: number | 'IPv4' | 'IPv6' | undefined;
  /** `dns.ADDRCONFIG`, `dns.V4MAPPED`, `dns.ALL`, or-ed. @default 0 */
  hints?: number | undefined;
  /** Every address instead of the first. @default false */
  all?: boolean | undefined;
  /**
   * `'verbatim'` keeps Happy Eyeballs order (RFC 6724 sort, families interleaved);
   * `'ipv4first'`/`'ipv6first'` put one family first.
   * @default `dns.getDefaultResultOrder()` (`--dns-result-order`, `dns.setDefaultResultOrder()`), as `dns.lookup` has it
   */
  order?: 'verbatim' | 'ipv4first' | 'ipv6first' | undefined;
  /** Legacy form of `order`: true = `'verbatim'`, false = `'ipv4first'`. @default undefined (see `order`) */
  verbatim?: boolean | undefined;
  /**
   * Only addresses this policy allows are answered; none left is an `ERR_HE_ADDRESS_BLOCKED`
   * error (see `ConnectOptions.policy`). @default the Resolver's `policy`, else none
   */
  policy?: AddressPolicyOption | undefined;
}

type LookupOneCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;
type LookupAllCallback = (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

export interface LookupFunction {
  (hostname: string, callback: LookupOneCallback): void;
  (hostname: string, family: number, callback: LookupOneCallback): void;
  (hostname: string, options: LookupOptions & { all: true }, callback: LookupAllCallback): void;
  (hostname: string, options: LookupOptions, callback: LookupOneCallback | LookupAllCallback): void;
}

/** Puts candidates in connection order (RFC 6724 sort, then family interleaving). */
type AddressOrder = (addresses: LookupAddress[]) => Promise<LookupAddress[]> | LookupAddress[];

// Values of node:dns's getaddrinfo hint flags.
const ADDRCONFIG = 0x20;
const V4MAPPED = 0x08;
const ALL = 0x10;

type Order = 'verbatim' | 'ipv4first' | 'ipv6first';

interface Request {
  family: 0 | 4 | 6;
  all: boolean;
  /** `undefined`: the process default, read when the addresses are ordered. */
  order: Order | undefined;
  v4mapped: boolean;
  mapAll: boolean;
  addrconfig: boolean;
  policy: AddressPolicy | undefined;
}

export interface LookupDependencies {
  resolver: AddressResolver;
  order: AddressOrder;
  /** Families with a configured address, as glibc counts them for `ADDRCONFIG` (interfaces.ts). */
  configuredFamilies?: () => ReadonlySet<4 | 6>;
  /**
   * The answer for (name, type), or the error a query would fail with, at once when a
   * fresh cache entry holds it; else `undefined` (then `resolver.query` is asked). Lets
   * a warm lookup skip every promise. `both`: as QueryOptions.both.
   */
  peek?: (name: string, type: AddressRecordType, both: boolean) => Answer | Error | undefined;
  /**
   * As `peek`, the addresses only, and the same list object for as long as its cache
   * entry is fresh (DnsCache#peekAddresses): with it, ordered answers are kept per list
   * (lookup-memo.ts) and a warm lookup neither sorts nor builds new lists. Tried before `peek`.
   */
  peekAddresses?: (name: string, type: AddressRecordType, both: boolean) => readonly string[] | Error | undefined;
  /** The order's other input (the policy table): a kept answer is used only while it is the same. */
  orderEpoch?: () => unknown;
  /** The network's key (NetworkMonitor#key): a kept answer is used only on the network it was made on. */
  networkKey?: () => string;
  /** Times kept answers (they live 1 s). @default systemClock */
  clock?: Clock;
  /** The default `policy` of every lookup. */
  policy?: AddressPolicy | undefined;
  /**
   * The network's NAT64 prefixes (nat64/nat64.ts): none off an IPv6-only network. With
   * some, a request for both families gets what connect() would try (RFC 8305 §7):
   * IPv4 literals and names without AAAA synthesized first, other names' synthesized
   * addresses last (the last resort, RFC 8305 §7.2).
   */
  nat64?: () => Nat64Prefix[] | Promise<Nat64Prefix[]>;
}

/** Builds a `dns.lookup`-compatible function over `resolver`. */
export function createLookup(deps: LookupDependencies): LookupFunction {
  const memo = deps.peekAddresses === undefined ? undefined : new LookupMemo(deps.clock);
  function lookup(hostname: unknown, arg2: unknown, arg3?: unknown): void {
    const callback = (typeof arg2 === 'function' ? arg2 : arg3) as LookupOneCallback | LookupAllCallback;
    if (typeof callback !== 'function') throw new InvalidArgumentError('callback', callback, 'a function');
    if (typeof hostname !== 'string') throw new InvalidArgumentError('hostname', hostname, 'a string');
    const request = parseRequest(typeof arg2 === 'function' ? undefined : arg2);
    const policy = request.policy ?? deps.policy;
    if (policy !== undefined) return lookupUnderPolicy(deps, memo, hostname, request, policy, callback);
    const now = answerNow(deps, memo, hostname, request);
    // The callback is never called synchronously, as with dns.lookup (which uses nextTick too).
    if (Array.isArray(now)) return void process.nextTick(deliver, callback, request.all, null, now);
    const later = now ?? resolveAll(deps, hostname, request);
    later.then(
      (addresses) => deliver(callback, request.all, null, addresses),
      (err: NodeJS.ErrnoException) => deliver(callback, request.all, err, undefined),
    );
  }
  return lookup as LookupFunction;
}

/**
 * A lookup whose answer is filtered by `policy`. As for connect(), a host whose last
 * label is numeric is the IPv4 address a URL parser makes of it, never a DNS name.
 */
function lookupUnderPolicy(
  deps: LookupDependencies,
  memo: LookupMemo | undefined,
  hostname: string,
  request: Request,
  policy: AddressPolicy,
  callback: LookupOneCallback | LookupAllCallback,
): void {
  let name: string;
  try {
    name = hostUnderPolicy(hostname, 'hostname');
  } catch (err) {
    return void process.nextTick(deliver, callback, request.all, err, undefined);
  }
  const now = answerNow(deps, memo, name, request);
  const later = Array.isArray(now) ? Promise.resolve(now) : (now ?? resolveAll(deps, name, request));
  later.then(
    (addresses) => {
      // After NAT64 synthesis: a synthesized address is judged with the IPv4 it was made from.
      const allowed = addresses.filter((a) => policy.allows(a.address, a.family, hostname, synthesizedFrom.get(a)));
      const blocked =
        allowed.length === 0
          ? new AddressBlockedError(
              hostname,
              addresses.map((a) => a.address),
            )
          : null;
      deliver(callback, request.all, blocked, allowed);
    },
    (err: NodeJS.ErrnoException) => deliver(callback, request.all, err, undefined),
  );
}

function deliver(callback: LookupOneCallback | LookupAllCallback, all: boolean, err: Error | null, addresses: LookupAddress[] | undefined): void {
  if (err !== null) (callback as LookupAllCallback)(err as NodeJS.ErrnoException, undefined as never);
  else if (all) (callback as LookupAllCallback)(null, addresses!);
  else (callback as LookupOneCallback)(null, addresses![0]!.address, addresses![0]!.family);
}

function parseRequest(options: unknown): Request {
  const request: Request = { family: 0, all: false, order: undefined, v4mapped: false, mapAll: false, addrconfig: false, policy: undefined };
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
  if (o.all !== undefined) request.all = booleanOption('options.all', o.all);
  if (o.verbatim !== undefined) request.order = booleanOption('options.verbatim', o.verbatim) ? 'verbatim' : 'ipv4first';
  if (o.order !== undefined) {
    if (o.order !== 'verbatim' && o.order !== 'ipv4first' && o.order !== 'ipv6first') {
      throw new InvalidArgumentError('options.order', o.order, "'verbatim', 'ipv4first' or 'ipv6first'");
    }
    request.order = o.order;
  }
  request.policy = AddressPolicy.from(o.policy, 'options.policy');
  return request;
}

function parseFamily(value: unknown, option: string): 0 | 4 | 6 {
  if (value === 'IPv4') return 4;
  if (value === 'IPv6') return 6;
  if (value === 0 || value === 4 || value === 6) return value;
  throw new InvalidArgumentError(option, value, "0, 4, 6, 'IPv4' or 'IPv6'");
}

/** `isIP`, without running its long IPv6 pattern on names with no ':' (every IPv6 literal has one). */
function literalFamily(hostname: string): number {
  return hostname.includes(':') ? isIP(hostname) : isIPv4(hostname) ? 4 : 0;
}

/**
 * The addresses at once when nothing needs waiting for (an IP literal, or fresh cache
 * entries for every family asked and an order known without I/O); the ordering still
 * to come when only it needs I/O; else `undefined` and the caller takes the slow path.
 */
function answerNow(
  deps: LookupDependencies,
  memo: LookupMemo | undefined,
  hostname: string,
  request: Request,
): LookupAddress[] | Promise<LookupAddress[]> | undefined {
  // IP literals are answered as they are, whatever the family asked (as dns.lookup does).
  const family = literalFamily(hostname);
  if (family === 4 && deps.nat64 !== undefined && request.family === 0 && !neverSynthesized(hostname)) return literalNat64(deps.nat64, hostname, request.order);
  if (family === 4 || family === 6) return [{ address: hostname, family }];
  if (hostname === '' || (deps.peek === undefined && memo === undefined)) return undefined;
  const families = wantedFamilies(deps, request);
  if (families === NONE) return undefined;
  const both = families.size === 2;
  let v6: Answer | Error | undefined;
  let v4: Answer | Error | undefined;
  if (memo !== undefined) {
    const l6 = families.has(6) ? deps.peekAddresses!(hostname, 'AAAA', both) : NOT_ASKED;
    const l4 = families.has(4) ? deps.peekAddresses!(hostname, 'A', both) : NOT_ASKED;
    if (Array.isArray(l6) && Array.isArray(l4)) return fromMemo(deps, memo, hostname, request, l6, l4);
    // A list or an error was counted as a cache hit already: kept, not asked again.
    v6 = l6 === undefined ? deps.peek?.(hostname, 'AAAA', both) : knownFrom(l6 as string[] | Error);
    v4 = l4 === undefined ? deps.peek?.(hostname, 'A', both) : knownFrom(l4 as string[] | Error);
  } else {
    v6 = families.has(6) ? deps.peek!(hostname, 'AAAA', both) : NO_RECORDS;
    v4 = families.has(4) ? deps.peek!(hostname, 'A', both) : NO_RECORDS;
  }
  // What was peeked is counted already (cache hits): pass it on rather than ask again.
  if (v6 === undefined || v4 === undefined || v6 instanceof Error || v4 instanceof Error) return resolveAll(deps, hostname, request, v6, v4);
  const [v6Addresses, v4Addresses] = [addressesOf(v6), addressesOf(v4)];
  const addresses = combine(v6Addresses, v4Addresses, request);
  if (addresses.length === 0) return Promise.reject(lookupError(hostname));
  const prefixes = nat64Prefixes(deps, request);
  if (!Array.isArray(prefixes)) return prefixes.then((p) => finish(deps, addresses, request.order, v6Addresses, v4Addresses, p));
  return finish(deps, addresses, request.order, v6Addresses, v4Addresses, prefixes);
}

/**
 * A fresh answer from the cache's address lists: the one kept for them and this
 * request's shape, else one computed (and kept when no NAT64 prefix applies).
 */
function fromMemo(
  deps: LookupDependencies,
  memo: LookupMemo,
  hostname: string,
  request: Request,
  v6: readonly string[],
  v4: readonly string[],
): LookupAddress[] | Promise<LookupAddress[]> {
  const order = resultOrder(request.order);
  const shape = (request.family === 0 ? 0 : request.family === 4 ? 1 : 2) + (request.v4mapped ? 3 : 0) + (request.mapAll ? 6 : 0) + ORDERS.indexOf(order) * 12;
  const epoch = deps.orderEpoch?.();
  const network = deps.networkKey?.() ?? '';
  const kept = memo.get(v6, v4, shape, epoch, network);
  if (kept !== undefined) return handOut(kept, request.all);
  const addresses = combine(v6, v4, request);
  if (addresses.length === 0) return Promise.reject(lookupError(hostname));
  const prefixes = nat64Prefixes(deps, request);
  if (!Array.isArray(prefixes)) return prefixes.then((p) => finish(deps, addresses, order, v6, v4, p));
  if (prefixes.length > 0) return finish(deps, addresses, order, v6, v4, prefixes);
  const ordered = orderAddresses(deps, addresses, order);
  const keep = (list: LookupAddress[]): LookupAddress[] => handOut(memo.set(v6, v4, shape, epoch, network, list), request.all);
  return Array.isArray(ordered) ? keep(ordered) : ordered.then(keep);
}

const ORDERS: readonly Order[] = ['verbatim', 'ipv4first', 'ipv6first'];

/** A kept answer for one caller: every address gets its own object (callers may change them), as from `dns.lookup`. */
function handOut(kept: readonly MemoAddress[], all: boolean): LookupAddress[] {
  // Only the first address of a single answer is read (deliver): no copy needed.
  return all ? kept.map((a) => ({ address: a.address, family: a.family })) : (kept as LookupAddress[]);
}

/** A peeked address list (or error) as a known outcome of its family. */
function knownFrom(peeked: readonly string[] | Error): Answer | Error {
  if (peeked instanceof Error) return peeked;
  return peeked.length === 0 ? NO_RECORDS : { ...NO_RECORDS, records: peeked.map((address) => ({ address, ttl: 0 })) };
}

/** The slow path: asks the resolver for each family asked whose outcome is not `known` yet. */
async function resolveAll(
  deps: LookupDependencies,
  hostname: string,
  request: Request,
  known6?: Answer | Error,
  known4?: Answer | Error,
): Promise<LookupAddress[]> {
  if (hostname === '') throw new DnsError('ENOTFOUND', { hostname });

  const families = wantedFamilies(deps, request);
  // RFC 3493 §6.1 as glibc has it: no configured address of the family asked, no answer.
  if (families === NONE)
    throw new DnsError('ENOTFOUND', { hostname }, `getaddrinfo ENOTFOUND ${hostname} (ADDRCONFIG: no IPv${request.family} address configured)`);
  const options = { both: families.size === 2 };
  const [v6, v4] = await Promise.allSettled([
    known6 ? settled(known6) : families.has(6) ? deps.resolver.query(hostname, 'AAAA', options) : NO_RECORDS,
    known4 ? settled(known4) : families.has(4) ? deps.resolver.query(hostname, 'A', options) : NO_RECORDS,
  ]);
  const [v6Addresses, v4Addresses] = [addressesOf(v6), addressesOf(v4)];
  const addresses = combine(v6Addresses, v4Addresses, request);
  if (addresses.length === 0) throw lookupError(hostname, v6, v4);
  const prefixes = await nat64Prefixes(deps, request);
  return finish(deps, addresses, request.order, v6Addresses, v4Addresses, prefixes);
}

/** Connection order, the synthesized addresses where connect() would try them, then the `order` option. */
function finish(
  deps: LookupDependencies,
  addresses: LookupAddress[],
  order: Request['order'],
  v6: readonly string[],
  v4: readonly string[],
  prefixes: Nat64Prefix[],
): LookupAddress[] | Promise<LookupAddress[]> {
  if (prefixes.length === 0) return orderAddresses(deps, addresses, order);
  const withNat64 = withSynthesized(orderAddresses(deps, addresses, 'verbatim'), v6, v4, prefixes);
  const wanted = resultOrder(order);
  if (wanted === 'verbatim') return withNat64;
  return Array.isArray(withNat64) ? familyFirst(withNat64, wanted) : withNat64.then((o) => familyFirst(o, wanted));
}

const NO_PREFIXES: Nat64Prefix[] = [];

/** The NAT64 prefixes that apply to this request: only a request for both families synthesizes. */
function nat64Prefixes(deps: LookupDependencies, request: Request): Nat64Prefix[] | Promise<Nat64Prefix[]> {
  return deps.nat64 === undefined || request.family !== 0 ? NO_PREFIXES : deps.nat64();
}

/** The IPv4 address each synthesized answer was made from, for the address policy (not a visible property). */
const synthesizedFrom = new WeakMap<LookupAddress, string>();

/** NAT64 syntheses of `ipv4` (RFC 6052) as answers, minus the addresses in `skip`. */
function synthesizedAnswers(ipv4: readonly string[], prefixes: Nat64Prefix[], skip?: ReadonlySet<string>): LookupAddress[] {
  return synthesize(ipv4, prefixes).flatMap(({ address, from }) => {
    if (skip?.has(address)) return [];
    const answer: LookupAddress = { address, family: 6 };
    synthesizedFrom.set(answer, from);
    return [answer];
  });
}

/** An IPv4 literal on a NAT64 network: its synthesized forms first, then itself (RFC 8305 §7.1). */
function literalNat64(
  nat64: () => Nat64Prefix[] | Promise<Nat64Prefix[]>,
  literal: string,
  order: Request['order'],
): LookupAddress[] | Promise<LookupAddress[]> {
  const build = (prefixes: Nat64Prefix[]): LookupAddress[] => {
    const all: LookupAddress[] = [...synthesizedAnswers([literal], prefixes), { address: literal, family: 4 }];
    const wanted = resultOrder(order);
    return wanted === 'verbatim' ? all : familyFirst(all, wanted);
  };
  const prefixes = nat64();
  return Array.isArray(prefixes) ? build(prefixes) : prefixes.then(build);
}

/**
 * Adds the synthesized addresses where connect() would try them: first for a name
 * without AAAA (RFC 8305 §7.1), after everything else for one with AAAA (the last resort, §7.2).
 */
function withSynthesized(
  ordered: LookupAddress[] | Promise<LookupAddress[]>,
  v6: readonly string[],
  v4: readonly string[],
  prefixes: Nat64Prefix[],
): LookupAddress[] | Promise<LookupAddress[]> {
  // A DNS64 resolver may have synthesized the same addresses into the AAAA answer already.
  const synthesized = synthesizedAnswers(v4, prefixes, new Set(v6));
  if (synthesized.length === 0) return ordered;
  const place = (list: LookupAddress[]): LookupAddress[] => (v6.length === 0 ? [...synthesized, ...list] : [...list, ...synthesized]);
  return Array.isArray(ordered) ? place(ordered) : ordered.then(place);
}

const settled = (known: Answer | Error): Answer | Promise<never> => (known instanceof Error ? Promise.reject(known) : known);

/** Both families' records as the request wants them: IPv6 first, mapped or filtered, no duplicates. */
function combine(v6: readonly string[], v4: readonly string[], request: Request): LookupAddress[] {
  const mapV4 = request.family === 6 && request.v4mapped && (request.mapAll || v6.length === 0);
  const addresses: LookupAddress[] = [];
  for (const address of v6) addresses.push({ address, family: 6 });
  if (mapV4) for (const address of v4) addresses.push({ address: `::ffff:${address}`, family: 6 });
  else if (request.family !== 6) for (const address of v4) addresses.push({ address, family: 4 });
  return dedupe(addresses);
}

/**
 * Which record types to ask: the family asked, plus A when IPv4-mapped answers may be
 * wanted; NONE when ADDRCONFIG rules out the family asked. ADDRCONFIG as glibc's
 * getaddrinfo applies it (RFC 3493 §6.1): family 4 or 6 without a configured address of
 * that family gets no answer at all; family 0 with addresses of one family only asks
 * that one, and with none at all (loopback only) asks both, so local names still work.
 */
function wantedFamilies(deps: LookupDependencies, request: Request): ReadonlySet<4 | 6> {
  let family = request.family;
  if (request.addrconfig && deps.configuredFamilies) {
    const configured = deps.configuredFamilies();
    if (family !== 0 && !configured.has(family)) return NONE;
    if (family === 0 && configured.size === 1) family = configured.has(4) ? 4 : 6;
  }
  if (family === 0) return BOTH;
  return family === 6 && request.v4mapped ? BOTH : family === 4 ? ONLY4 : ONLY6;
}

const BOTH: ReadonlySet<4 | 6> = new Set([6, 4]);
const ONLY4: ReadonlySet<4 | 6> = new Set([4]);
const ONLY6: ReadonlySet<4 | 6> = new Set([6]);
const NONE: ReadonlySet<4 | 6> = new Set();

/**
 * A family not asked for: no addresses and no error (lookupError falls back to ENODATA
 * when nothing was asked). Shared, and no Error built per lookup: building one (its
 * stack) is a large part of a cached lookup's time.
 */
const NO_RECORDS: Answer = { name: '', type: 'A', records: [], ttl: 0, cnames: [], source: 'dns' };

/** The addresses of an answer (settled, or peeked). */
function addressesOf(result: PromiseSettledResult<Answer> | Answer): string[] {
  const answer = 'status' in result ? (result.status === 'fulfilled' ? result.value : undefined) : result;
  return answer === undefined ? [] : answer.records.map((r) => r.address);
}

/** Drops repeated addresses; the common one- or two-address case without a Set. */
function dedupe(addresses: LookupAddress[]): LookupAddress[] {
  if (addresses.length < 2) return addresses;
  if (addresses.length === 2) return addresses[0]!.address === addresses[1]!.address ? [addresses[0]!] : addresses;
  const seen = new Set<string>();
  return addresses.filter((a) => !seen.has(a.address) && seen.add(a.address));
}

/** In connection order, then the `order` option; at once unless the order needs I/O. */
function orderAddresses(deps: LookupDependencies, addresses: LookupAddress[], requested: Request['order']): LookupAddress[] | Promise<LookupAddress[]> {
  // One address has one order: no sort (and no source-address lookup) for it.
  const ordered = addresses.length > 1 ? deps.order(addresses) : addresses;
  const order = resultOrder(requested);
  if (order === 'verbatim' || addresses.length < 2) return ordered;
  return Array.isArray(ordered) ? familyFirst(ordered, order) : ordered.then((o) => familyFirst(o, order));
}

/** The `order` option, else the process default (`--dns-result-order`), as for `dns.lookup`. */
function resultOrder(requested: Request['order']): Order {
  return requested ?? (nodeDns().getDefaultResultOrder() as Order);
}

function familyFirst(ordered: LookupAddress[], order: 'ipv4first' | 'ipv6first'): LookupAddress[] {
  const first = order === 'ipv4first' ? 4 : 6;
  return [...ordered.filter((a) => a.family === first), ...ordered.filter((a) => a.family !== first)];
}

/** No address at all: report the most telling failure (errors.ts), AAAA's on a tie. */
function lookupError(hostname: string, ...results: Array<PromiseSettledResult<Answer>>): DnsError {
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const chosen = mostTellingDnsError(errors);
  if (chosen instanceof DnsError) {
    // At the lookup boundary the syscall is getaddrinfo, as in node:dns.
    return new DnsError(chosen.code, { hostname, server: chosen.server, cause: chosen });
  }
  const code = (chosen as { code?: unknown } | undefined)?.code === 'ABORT_ERR' ? 'ECANCELLED' : 'ENODATA';
  return new DnsError(code, { hostname, cause: chosen });
}
