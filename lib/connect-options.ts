/**
 * The options of `connect()`, their defaults and their validation: every option is
 * checked up front and a bad one rejects with an InvalidArgumentError naming it.
 */
import net from 'node:net';
import type tls from 'node:tls';
import { History } from './address/history.js';
import type { Clock } from './clock.js';
import type { AddressResolver } from './dns/types.js';
import { InvalidArgumentError } from './errors.js';
import { Nat64 } from './nat64/nat64.js';
import { type Nat64Prefix, parseNat64Prefix } from './nat64/prefix.js';
import type { AttemptFactory, PassThroughSocketOptions } from './racer/attempt.js';
import type { OrderFunction } from './racer/queue.js';
import type { Family, RaceEvent } from './racer/timeline.js';

export interface ConnectOptions extends PassThroughSocketOptions {
  /** Host name or IP literal (`[v6]` brackets allowed). IP literals are connected to directly. */
  host: string;
  /** 0–65535; a numeric string is accepted, as by `net.connect`. */
  port: number | string;
  /** `true` or TLS options: every attempt is TCP then TLS; success means the handshake is done. `servername` defaults to `host` when it is a name. */
  tls?: boolean | tls.ConnectionOptions | undefined;
  /** Aborting it ends the race with an AbortError. */
  signal?: AbortSignal | undefined;
  /** Milliseconds for the whole operation (DNS and every attempt); none by default. */
  timeout?: number | undefined;
  /**
   * Milliseconds between attempt starts (RFC 8305 §5). Default 250; 10–2000 allowed, 100–2000
   * recommended. `'auto'`: twice the smoothed handshake RTT the history holds for the address
   * just tried, clamped to 100–2000; 250 when it holds none.
   */
  connectionAttemptDelay?: number | 'auto' | undefined;
  /** Milliseconds to wait for AAAA after a positive A answer (RFC 8305 §3). Default 50; 0–2000. */
  resolutionDelay?: number | undefined;
  /** How many addresses of the first family lead before the families alternate (RFC 8305 §4). Default 1. */
  firstAddressFamilyCount?: number | undefined;
  /** 4 or 6: only that family is asked for and tried. Default 0 (both). */
  family?: 0 | 4 | 6 | undefined;
  /** Bind every attempt to this IP; only its family is asked for and tried. */
  localAddress?: string | undefined;
  /** Where addresses come from. Default: the shared resolver built from the system configuration. */
  resolver?: AddressResolver | undefined;
  /**
   * The connection history read to order addresses and written with each attempt's outcome
   * (RFC 8305 §4). `false`: neither read nor written. Default: the process-wide `defaultHistory`.
   */
  history?: History | false | undefined;
  /**
   * The NAT64 prefix (RFC 6052: `'64:ff9b::/96'`, or a network-specific one of length 32,
   * 40, 48, 56, 64 or 96) for networks that announce it otherwise than RFC 7050's
   * `ipv4only.arpa`; used only on an IPv6-only network (RFC 8305 §7). `false`: no NAT64
   * synthesis at all. Default: discovered through the resolver when the network is IPv6-only.
   */
  nat64Prefix?: string | false | undefined;
  /** Gets every race event (DNS answers, attempts, end) in order, on a microtask. */
  onEvent?: ((event: RaceEvent) => void) | undefined;
  /** Test seam: time source. Default: the system clock. */
  clock?: Clock | undefined;
  /** Test seam: starts one attempt to one IP. Default: net.connect (+ TLS). */
  connectAttempt?: AttemptFactory<net.Socket> | undefined;
  /** Seam: connection order. Default: RFC 6724 sort, then interleave by `firstAddressFamilyCount`. */
  order?: OrderFunction | undefined;
  /** Test seam: NAT64 detection and what it learnt per network. Default: the process-wide one. */
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
  /** undefined: the default history. */
  history: History | false | undefined;
  /** undefined: discover it (RFC 7050). */
  nat64Prefix: Nat64Prefix | false | undefined;
  nat64: Nat64 | undefined;
  onEvent: ((event: RaceEvent) => void) | undefined;
  clock: Clock | undefined;
  connectAttempt: AttemptFactory<net.Socket> | undefined;
  order: OrderFunction | undefined;
  /** The ordinary socket options, passed through to every attempt. */
  net: PassThroughSocketOptions;
}

/** R13: never below 10 ms. R14: a ceiling of 2 s; larger values are refused, not clamped. */
export const attemptDelayRange = { min: 10, max: 2000 } as const;
export const resolutionDelayRange = { min: 0, max: 2000 } as const;
const maxTimer = 2 ** 31 - 1;

/** Options the race owns; everything else is passed to the sockets. */
const owned = new Set([
  'host', 'port', 'tls', 'signal', 'timeout', 'connectionAttemptDelay', 'resolutionDelay',
  'firstAddressFamilyCount', 'family', 'resolver', 'history', 'nat64Prefix', 'nat64', 'onEvent', 'clock', 'connectAttempt', 'order',
  'lookup', 'hints', 'autoSelectFamily', 'autoSelectFamilyAttemptTimeout', 'path', 'socket', 'fd',
]);

export function normalizeConnectOptions(options: ConnectOptions): ConnectSettings {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'an object');
  const host = checkHost(options.host);
  const literalFamily = net.isIP(host) as 0 | Family;
  const family = checkFamily(options.family, options.localAddress, literalFamily, host);
  return {
    host,
    port: checkPort(options.port),
    literalFamily,
    families: family === 0 ? [6, 4] : [family],
    tls: checkTls(options.tls, host, literalFamily),
    signal: checkSignal(options.signal),
    timeout: options.timeout === undefined ? undefined : checkNumber('timeout', options.timeout, 1, maxTimer),
    connectionAttemptDelay: options.connectionAttemptDelay === 'auto' ? 'auto' : checkNumber('connectionAttemptDelay', options.connectionAttemptDelay ?? 250, attemptDelayRange.min, attemptDelayRange.max),
    resolutionDelay: checkNumber('resolutionDelay', options.resolutionDelay ?? 50, resolutionDelayRange.min, resolutionDelayRange.max),
    firstAddressFamilyCount: checkCount(options.firstAddressFamilyCount ?? 1),
    resolver: checkObject('resolver', options.resolver, ['query']),
    history: checkHistory(options.history),
    nat64Prefix: checkNat64Prefix(options.nat64Prefix),
    nat64: checkNat64(options.nat64),
    onEvent: checkFunction('onEvent', options.onEvent),
    clock: checkObject('clock', options.clock, ['now', 'setTimeout', 'clearTimeout']),
    connectAttempt: checkFunction('connectAttempt', options.connectAttempt),
    order: checkFunction('order', options.order),
    net: Object.fromEntries(Object.entries(options).filter(([key]) => !owned.has(key))),
  };
}

function checkHost(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError('host', value, 'a host name or IP address');
  const unbracketed = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (unbracketed !== value && !net.isIPv6(unbracketed)) throw new InvalidArgumentError('host', value, 'an IPv6 address inside brackets');
  return unbracketed;
}

/** As Node's validatePort: an integer 0–65535, or a non-blank string that converts to one. */
function checkPort(value: unknown): number {
  const ok = (typeof value === 'number' || (typeof value === 'string' && value.trim() !== '')) && +value === +value >>> 0 && +value <= 0xffff;
  if (!ok) throw new InvalidArgumentError('port', value, 'an integer from 0 to 65535');
  return +value;
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
  // SNI names a host, never an IP address (RFC 6066 §3); without it the certificate is checked against the IP.
  if (options.servername === undefined && literalFamily === 0) options.servername = host.replace(/\.$/, '');
  return options;
}

function checkSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  const ok = value !== null && typeof value === 'object' && typeof (value as AbortSignal).aborted === 'boolean'
    && typeof (value as AbortSignal).addEventListener === 'function' && typeof (value as AbortSignal).removeEventListener === 'function';
  if (!ok) throw new InvalidArgumentError('signal', value, 'an AbortSignal');
  return value as AbortSignal;
}

function checkNumber(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !(value >= min && value <= max)) throw new InvalidArgumentError(option, value, `a number of milliseconds from ${min} to ${max}`);
  return value;
}

function checkCount(value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) throw new InvalidArgumentError('firstAddressFamilyCount', value, 'an integer of at least 1');
  return value as number;
}

function checkHistory(value: unknown): History | false | undefined {
  if (value === undefined || value === false || value instanceof History) return value;
  throw new InvalidArgumentError('history', value, 'a History or false');
}

function checkNat64Prefix(value: unknown): Nat64Prefix | false | undefined {
  if (value === undefined || value === false) return value;
  const prefix = parseNat64Prefix(value);
  if (prefix === undefined) throw new InvalidArgumentError('nat64Prefix', value, "an RFC 6052 IPv6 prefix ('64:ff9b::/96'; length 32, 40, 48, 56, 64 or 96, bits 64-71 zero) or false");
  return prefix;
}

function checkNat64(value: unknown): Nat64 | undefined {
  if (value === undefined || value instanceof Nat64) return value;
  throw new InvalidArgumentError('nat64', value, 'a Nat64');
}

function checkFunction<F>(option: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') throw new InvalidArgumentError(option, value, 'a function');
  return value;
}

function checkObject<T>(option: string, value: T | undefined, methods: string[]): T | undefined {
  if (value === undefined) return undefined;
  const ok = value !== null && typeof value === 'object' && methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
  if (!ok) throw new InvalidArgumentError(option, value, `an object with ${methods.join(', ')}`);
  return value;
}
