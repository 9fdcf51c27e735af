/**
 * The options of `connect()`, their defaults and their validation: every option is
 * checked up front and a bad one rejects with an InvalidArgumentError naming it.
 */
import net from 'node:net';
import type tls from 'node:tls';
import type { Family, OrderFunction } from './address/types.js';
import { History } from './address/history.js';
import type { Clock } from './clock.js';
import type { AddressResolver } from './dns/types.js';
import { InvalidArgumentError } from './errors.js';
import { Nat64 } from './nat64/nat64.js';
import { type Nat64Prefix, parseNat64Prefix } from './nat64/prefix.js';
import {
  booleanOption,
  clockOption,
  functionOption,
  hostOption,
  integerIn,
  milliseconds,
  portOption,
  serverNameFor,
  signalOption,
  withMethods,
} from './options.js';
import { hostUnderPolicy } from './policy/host.js';
import { type AddressPolicyOption, AddressPolicy, resolverAddressPolicy } from './policy/policy.js';
import type { AttemptFactory, PassThroughSocketOptions } from './racer/attempt.js';
import type { RaceEvent } from './racer/timeline.js';

export interface ConnectOptions extends PassThroughSocketOptions {
  /** Host name or IP literal (`[v6]` brackets allowed). IP literals are connected to directly. Required. */
  host: string;
  /** Port, 0–65535; a numeric string is accepted, as by `net.connect`. Required. */
  port: number | string;
  /**
   * `true` or TLS options: every attempt is TCP then TLS; success means the handshake is
   * done. `servername` defaults to `host` when it is a name. @default undefined (plain TCP)
   */
  tls?: boolean | tls.ConnectionOptions | undefined;
  /** Aborting it ends the race with an AbortError. @default undefined */
  signal?: AbortSignal | undefined;
  /** Milliseconds for the whole operation (DNS and every attempt), 1 to 2^31 - 1. @default undefined (no limit) */
  timeout?: number | undefined;
  /**
   * Milliseconds between attempt starts (RFC 8305 §5), 10–2000 (100–2000 recommended), or
   * `'auto'`: twice the smoothed handshake RTT the history holds for the address just
   * tried, clamped to 100–2000, and 250 when it holds none. @default 250
   */
  connectionAttemptDelay?: number | 'auto' | undefined;
  /** Milliseconds to wait for AAAA after a positive A answer (RFC 8305 §3), 0–2000. @default 50 */
  resolutionDelay?: number | undefined;
  /** How many addresses of the first family lead before the families alternate (RFC 8305 §4). @default 1 */
  firstAddressFamilyCount?: number | undefined;
  /** 4 or 6: only that family is asked for and tried; 0: both. @default 0 */
  family?: 0 | 4 | 6 | undefined;
  /** Bind every attempt to this IP; only its family is asked for and tried. @default undefined */
  localAddress?: string | undefined;
  /** Where addresses come from. @default the shared resolver built from the system configuration */
  resolver?: AddressResolver | undefined;
  /**
   * Happy Eyeballs v3: ask the host's HTTPS record (RFC 9460) with AAAA and A and let it
   * steer the race: service endpoints' ports, hint addresses, endpoint order, ALPN. Only
   * for TLS: ignored without `tls`. @default true when `tls` is set
   */
  httpsRecords?: boolean | undefined;
  /**
   * Where connections may go (SSRF guard): `'public'`, `{ preset?: 'public', allow?, deny? }`
   * (CIDRs) or `(address, family, host) => boolean`. Checked on every address right before
   * its attempt would start; a host whose last label is numeric is read as a URL parser
   * reads it. @default the `resolver`'s `policy`, else none (every address allowed)
   */
  policy?: AddressPolicyOption | undefined;
  /**
   * The connection history read to order addresses and written with each attempt's outcome
   * (RFC 8305 §4). `false`: neither read nor written. @default the process-wide `defaultHistory`
   */
  history?: History | false | undefined;
  /**
   * The NAT64 prefix (RFC 6052: `'64:ff9b::/96'`, or a network-specific one of length 32,
   * 40, 48, 56, 64 or 96) for networks that announce it otherwise than RFC 7050's
   * `ipv4only.arpa`; used only on an IPv6-only network (RFC 8305 §7). `false`: no NAT64
   * synthesis at all. @default discovered through the resolver when the network is IPv6-only
   */
  nat64Prefix?: string | false | undefined;
  /** Gets every race event (DNS answers, attempts, end) in order, on a microtask. @default undefined */
  onEvent?: ((event: RaceEvent) => void) | undefined;
  /** Time source of every timer of the race (a seam for tests). @default the system clock */
  clock?: Clock | undefined;
  /** Starts one attempt to one IP address (a seam for tests). @default net.connect (+ TLS) */
  connectAttempt?: AttemptFactory<net.Socket> | undefined;
  /**
   * Connection order; if it throws or rejects, the race ends with that error.
   * @default RFC 6724 sort, then interleave by `firstAddressFamilyCount`
   */
  order?: OrderFunction | undefined;
  /** NAT64 detection and what it learnt per network (a seam for tests). @default the process-wide one */
  nat64?: Nat64 | undefined;
}

export interface ConnectSettings {
  host: string;
  port: number;
  /** Family of `host` when it is an IP literal, else 0. */
  literalFamily: 0 | Family;
  families: Family[];
  tls: tls.ConnectionOptions | undefined;
  signal: AbortSignal | undefined;
  timeout: number | undefined;
  connectionAttemptDelay: number | 'auto';
  resolutionDelay: number;
  firstAddressFamilyCount: number;
  resolver: AddressResolver | undefined;
  /** HTTPS records steer the race: `httpsRecords` (default on) and TLS and a host name. */
  httpsRecords: boolean;
  /** undefined: the default history. */
  history: History | false | undefined;
  /** undefined: discover it (RFC 7050). */
  nat64Prefix: Nat64Prefix | false | undefined;
  nat64: Nat64 | undefined;
  onEvent: ((event: RaceEvent) => void) | undefined;
  clock: Clock | undefined;
  connectAttempt: AttemptFactory<net.Socket> | undefined;
  order: OrderFunction | undefined;
  /**
   * The policy, bound to the host as the caller gave it: `false` blocks the address. A NAT64
   * synthesis is judged with the IPv4 address it was made from (`synthesizedFrom`) too.
   */
  policy: ((address: string, family: Family, synthesizedFrom?: string) => boolean) | undefined;
  /** The ordinary socket options, passed through to every attempt. */
  net: PassThroughSocketOptions;
}

/** RFC 8305 §5: never below 10 ms, and a ceiling of 2 s; larger values are refused, not clamped. */
export const attemptDelayRange = { min: 10, max: 2000 } as const;
export const resolutionDelayRange = { min: 0, max: 2000 } as const;

/** Options the race owns; everything else is passed to the sockets. */
const owned = new Set([
  'host',
  'port',
  'tls',
  'signal',
  'timeout',
  'connectionAttemptDelay',
  'resolutionDelay',
  'firstAddressFamilyCount',
  'family',
  'resolver',
  'httpsRecords',
  'onEvent',
  'clock',
  'connectAttempt',
  'order',
  'policy',
  'history',
  'nat64Prefix',
  'nat64',
  'lookup',
  'hints',
  'autoSelectFamily',
  'autoSelectFamilyAttemptTimeout',
  'path',
  'socket',
  'fd',
]);

export function normalizeConnectOptions(options: ConnectOptions): ConnectSettings {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'an object');
  const policy = AddressPolicy.from(options.policy) ?? resolverAddressPolicy(options.resolver);
  const given = hostOption(options.host);
  // Under a policy, `0x7f.1` is the IPv4 address it names to a URL parser, never a DNS name.
  const host = policy === undefined ? given : hostUnderPolicy(given, 'host');
  const literalFamily = net.isIP(host) as 0 | Family;
  const family = checkFamily(options.family, options.localAddress, literalFamily, host);
  const tls = checkTls(options.tls, host, literalFamily);
  const httpsRecords = options.httpsRecords === undefined ? true : booleanOption('httpsRecords', options.httpsRecords);
  return {
    host,
    port: portOption(options.port),
    literalFamily,
    families: family === 0 ? [6, 4] : [family],
    tls,
    signal: signalOption(options.signal),
    timeout: options.timeout === undefined ? undefined : milliseconds('timeout', options.timeout, 1),
    connectionAttemptDelay:
      options.connectionAttemptDelay === 'auto'
        ? 'auto'
        : milliseconds('connectionAttemptDelay', options.connectionAttemptDelay ?? 250, attemptDelayRange.min, attemptDelayRange.max),
    resolutionDelay: milliseconds('resolutionDelay', options.resolutionDelay ?? 50, resolutionDelayRange.min, resolutionDelayRange.max),
    firstAddressFamilyCount: integerIn('firstAddressFamilyCount', options.firstAddressFamilyCount ?? 1, 1, Number.MAX_SAFE_INTEGER),
    resolver: withMethods('resolver', options.resolver, ['query']),
    httpsRecords: httpsRecords && tls !== undefined && literalFamily === 0,
    history: checkHistory(options.history),
    nat64Prefix: checkNat64Prefix(options.nat64Prefix),
    nat64: checkNat64(options.nat64),
    onEvent: functionOption('onEvent', options.onEvent),
    clock: clockOption(options.clock),
    connectAttempt: functionOption('connectAttempt', options.connectAttempt),
    order: functionOption('order', options.order),
    policy: policy && ((address, family, synthesizedFrom) => policy.allows(address, family, options.host, synthesizedFrom)),
    net: passThrough(options),
  };
}

/** The ordinary socket options: every own enumerable option the race does not own. */
function passThrough(options: ConnectOptions): PassThroughSocketOptions {
  const net: Record<string, unknown> = {};
  for (const key of Object.keys(options)) if (!owned.has(key)) net[key] = options[key as keyof ConnectOptions];
  return net as PassThroughSocketOptions;
}

/** Which family to use: `family`, else that of `localAddress`, else both; conflicts are errors. */
function checkFamily(family: unknown, localAddress: unknown, literalFamily: 0 | Family, host: string): 0 | Family {
  if (family !== undefined && family !== 0 && family !== 4 && family !== 6) throw new InvalidArgumentError('family', family, '0, 4 or 6');
  let chosen: 0 | Family = family ?? 0;
  if (localAddress !== undefined) {
    const localFamily = typeof localAddress === 'string' ? net.isIP(localAddress) : 0;
    if (localFamily === 0) throw new InvalidArgumentError('localAddress', localAddress, 'an IP address');
    if (chosen !== 0 && chosen !== localFamily) throw new InvalidArgumentError('localAddress', localAddress, `an IPv${chosen} address (family is ${chosen})`);
    chosen = localFamily as Family;
  }
  if (literalFamily !== 0 && chosen !== 0 && chosen !== literalFamily) {
    const option = family === chosen ? 'family' : 'localAddress';
    throw new InvalidArgumentError(option, option === 'family' ? family : localAddress, `IPv${literalFamily} to reach ${host}`);
  }
  return chosen;
}

function checkTls(value: unknown, host: string, literalFamily: 0 | Family): tls.ConnectionOptions | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw new InvalidArgumentError('tls', value, 'true, false or TLS connection options');
  }
  const options: tls.ConnectionOptions = value === true ? {} : { ...value };
  // Without a server name the certificate is checked against the IP address.
  const sni = literalFamily === 0 ? serverNameFor(host) : undefined;
  if (options.servername === undefined && sni !== undefined) options.servername = sni;
  return options;
}

function checkHistory(value: unknown): History | false | undefined {
  if (value === undefined || value === false || value instanceof History) return value;
  throw new InvalidArgumentError('history', value, 'a History or false');
}

function checkNat64Prefix(value: unknown): Nat64Prefix | false | undefined {
  if (value === undefined || value === false) return value;
  const prefix = parseNat64Prefix(value);
  if (prefix === undefined)
    throw new InvalidArgumentError('nat64Prefix', value, "an RFC 6052 IPv6 prefix ('64:ff9b::/96'; length 32, 40, 48, 56, 64 or 96, bits 64-71 zero) or false");
  return prefix;
}

function checkNat64(value: unknown): Nat64 | undefined {
  if (value === undefined || value instanceof Nat64) return value;
  throw new InvalidArgumentError('nat64', value, 'a Nat64');
}
