/**
 * The checks every entry point runs on its options (connect(), the adapters, Resolver,
 * DnsClient, the cache, the CLI), so each rule is written once. A bad value throws an
 * InvalidArgumentError that names the option, the value and what was expected.
 * Durations are milliseconds unless an option's name or documentation says seconds.
 */
import { isIP, isIPv6 } from 'node:net';
import type { Clock } from './clock.js';
import { InvalidArgumentError } from './errors.js';

/** Node keeps timer delays in 32 bits: a longer one fires after 1 ms instead. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** An options object (not null, not an array); `undefined` is `{}`. */
export function optionsObject<T extends object>(value: T | undefined, option = 'options'): T {
  if (value === undefined) return {} as T;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidArgumentError(option, value, 'an object');
  return value;
}

/** An integer from `min` to `max`. */
export function integerIn(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(option, value, max === Number.MAX_SAFE_INTEGER ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`);
  }
  return value;
}

/** A number from `min` to `max`, fractions allowed; `unit` goes into the message. */
export function numberIn(option: string, value: unknown, min: number, max: number, unit = ''): number {
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    const what = unit === '' ? 'a number' : `a number of ${unit}`;
    throw new InvalidArgumentError(option, value, max === Number.MAX_VALUE ? `${what} of at least ${min}` : `${what} from ${min} to ${max}`);
  }
  return value;
}

/** A delay or timeout that a timer will wait: milliseconds from `min` to `max`, at most Node's largest timer. */
export function milliseconds(option: string, value: unknown, min = 0, max = MAX_TIMER_MS): number {
  return numberIn(option, value, min, Math.min(max, MAX_TIMER_MS), 'milliseconds');
}

export function booleanOption(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidArgumentError(option, value, 'a boolean');
  return value;
}

/** One of the listed values (compared with ===). */
export function oneOf<const T>(option: string, value: unknown, values: readonly T[]): T {
  if (!values.includes(value as T)) throw new InvalidArgumentError(option, value, values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', '));
  return value as T;
}

export function functionOption<F>(option: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') throw new InvalidArgumentError(option, value, 'a function');
  return value;
}

/** An object with these methods (a resolver, a clock…), or `undefined`. */
export function withMethods<T>(option: string, value: T | undefined, methods: readonly string[]): T | undefined {
  if (value === undefined) return undefined;
  const ok = value !== null && typeof value === 'object' && methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
  if (!ok) throw new InvalidArgumentError(option, value, `an object with ${methods.join(', ')}`);
  return value;
}

/** A `Clock`, or `undefined` (the caller's default). */
export function clockOption(value: unknown, option = 'clock'): Clock | undefined {
  return withMethods(option, value as Clock | undefined, ['now', 'setTimeout', 'clearTimeout']);
}

/**
 * An AbortSignal, or `undefined`. Checked by shape, not `instanceof`: a signal from
 * another realm or an AbortController polyfill works as well.
 */
export function signalOption(value: unknown, option = 'signal'): AbortSignal | undefined {
  if (value === undefined) return undefined;
  const s = value as Partial<AbortSignal> | null;
  const ok =
    s !== null &&
    typeof s === 'object' &&
    typeof s.aborted === 'boolean' &&
    typeof s.addEventListener === 'function' &&
    typeof s.removeEventListener === 'function';
  if (!ok) throw new InvalidArgumentError(option, value, 'an AbortSignal');
  return value as AbortSignal;
}

/** As Node's validatePort: an integer 0–65535, or a non-blank string that converts to one. */
export function portOption(value: unknown, option = 'port'): number {
  const ok = (typeof value === 'number' || (typeof value === 'string' && value.trim() !== '')) && +value === +value >>> 0 && +value <= 0xffff;
  if (!ok) throw new InvalidArgumentError(option, value, 'an integer from 0 to 65535');
  return +value;
}

/** A host name or IP literal; an IPv6 literal may come in brackets, which are removed. */
export function hostOption(value: unknown, option = 'host'): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError(option, value, 'a host name or IP address');
  const unbracketed = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (unbracketed !== value && !isIPv6(unbracketed)) throw new InvalidArgumentError(option, value, 'an IPv6 address inside brackets');
  return unbracketed;
}

/** The TLS server name (SNI) for a host: a name without its trailing dot, never an IP address (RFC 6066 §3). */
export function serverNameFor(host: string): string | undefined {
  return host !== '' && isIP(host) === 0 ? host.replace(/\.$/, '') : undefined;
}

/** A `host[:port]` split by syntax only; nothing is validated yet. */
export interface HostPort {
  host: string;
  /** The text after the port colon, as typed (may be empty or not a number). */
  port: string | undefined;
  /** The host was written in brackets (`[v6]` or `[v6]:port`). */
  bracketed: boolean;
}

/**
 * Splits `name`, `name:port`, `v4:port`, `[v6]`, `[v6]:port` and a bare IPv6 literal
 * (two or more colons and no brackets: the whole text is the address, as in RFC 3986
 * §3.2.2 a port needs the brackets). `undefined` when the brackets do not match.
 */
export function splitHostPort(input: string): HostPort | undefined {
  if (input.startsWith('[')) {
    const close = input.indexOf(']');
    if (close < 0) return undefined;
    const rest = input.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return undefined;
    return { host: input.slice(1, close), port: rest === '' ? undefined : rest.slice(1), bracketed: true };
  }
  if (input.includes(']')) return undefined;
  const colons = input.split(':').length - 1;
  if (colons === 1) {
    const at = input.indexOf(':');
    return { host: input.slice(0, at), port: input.slice(at + 1), bracketed: false };
  }
  return { host: input, port: undefined, bracketed: false };
}

/** `host:port`, an IPv6 address in brackets (RFC 3986 §3.2.2): how servers and targets are named in messages. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A port written in decimal digits (no sign, no spaces), 1–65535; `undefined` otherwise. */
export function parsePort(text: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}
