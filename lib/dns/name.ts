/**
 * Host name checks before a name goes on the wire (RFC 1035 §2.3.4, RFC 1123 §2.1).
 *
 * Accepted: ASCII letters, digits, `-` and `_` (underscore names such as
 * `_acme-challenge.example` are real); labels of 1-63 octets; at most 253 octets
 * without the optional trailing dot (255 on the wire). Everything else is refused
 * before any query is sent, with a message saying what is wrong: spaces, control
 * characters, `/` or `:` (a URL or `host:port` passed as a host), and non-ASCII
 * (which must be sent in its punycode `xn--` form, RFC 5891).
 */
import { DnsError } from '../errors.js';

export const MAX_NAME_OCTETS = 253;
export const MAX_LABEL_OCTETS = 63;

/**
 * Returns `name` unchanged (case kept: DNS 0x20 may use it, RFC 4343 keeps it) when it
 * is a valid host name; throws `DnsError` `EBADNAME` carrying `hostname` otherwise.
 */
export function normalizeHostname(name: unknown): string {
  if (typeof name !== 'string') throw badName(safeString(name), `must be a string, got ${typeName(name)}`);
  const problem = findProblem(name);
  if (problem) throw badName(name, problem);
  return name;
}

/** The same check as `normalizeHostname`, as a boolean. */
export function isValidHostname(name: unknown): name is string {
  return typeof name === 'string' && findProblem(name) === undefined;
}

/** The cache key form: ASCII lowercase (RFC 4343 §3), no trailing dot. */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** `localhost`, `foo.localhost`, any case, trailing dot or not (RFC 6761 §6.3). */
export function isLocalhostName(name: string): boolean {
  // Every lookup asks this: most names are out at the first letters compared, no copy made.
  if (!endsWithAscii(name, 'localhost')) return false;
  const key = canonicalName(name);
  return key === 'localhost' || key.endsWith('.localhost');
}

/**
 * Whether `name`, less one trailing dot, ends with `suffix` (lower-case ASCII letters)
 * in any ASCII case. `| 0x20` lower-cases A-Z and maps no other character to a-z.
 */
export function endsWithAscii(name: string, suffix: string): boolean {
  const end = name.charCodeAt(name.length - 1) === 0x2e ? name.length - 1 : name.length;
  const start = end - suffix.length;
  if (start < 0) return false;
  for (let i = 0; i < suffix.length; i++) if ((name.charCodeAt(start + i) | 0x20) !== suffix.charCodeAt(i)) return false;
  return true;
}

function findProblem(name: string): string | undefined {
  return isPlainHostname(name) ? undefined : describeProblem(name);
}

/**
 * The accepting half of `describeProblem` in one pass without a RegExp or a split: it
 * is on every query and lookup, so valid names skip the slower, wordier checks.
 */
export function isPlainHostname(name: string): boolean {
  const end = name.charCodeAt(name.length - 1) === 0x2e ? name.length - 1 : name.length;
  if (end === 0 || end > MAX_NAME_OCTETS) return false;
  let label = 0;
  for (let i = 0; i < end; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2e) {
      if (label === 0) return false;
      label = 0;
    } else if (!isHostChar(c) || ++label > MAX_LABEL_OCTETS) {
      return false;
    }
  }
  return label > 0;
}

/** [A-Za-z0-9_-] */
function isHostChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;
}

/** What is wrong with `name`, or `undefined` when nothing is. */
export function describeProblem(name: string): string | undefined {
  if (name === '' || name === '.') return 'is empty';
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  const bad = badCharacter(bare);
  if (bad) return bad;
  if (bare.length > MAX_NAME_OCTETS) return `is ${bare.length} octets long (at most ${MAX_NAME_OCTETS})`;
  for (const label of bare.split('.')) {
    if (label === '') return 'has an empty label';
    if (label.length > MAX_LABEL_OCTETS) {
      return `has a label of ${label.length} octets (at most ${MAX_LABEL_OCTETS}): "${label.slice(0, 20)}..."`;
    }
  }
  return undefined;
}

/** Names the first character a host name cannot hold. */
function badCharacter(name: string): string | undefined {
  const match = /[^A-Za-z0-9._-]/u.exec(name);
  if (!match) return undefined;
  const char = match[0];
  const code = char.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) return `contains the control character 0x${code.toString(16).padStart(2, '0')}`;
  if (code === 0x20) return 'contains a space';
  if (code > 0x7e) return `contains the non-ASCII character "${char}": use its punycode (xn--) form`;
  const hint = char === '/' || char === ':' ? ' (a URL or host:port is not a host name)' : '';
  return `contains "${char}"${hint}`;
}

function badName(hostname: string, problem: string): DnsError {
  return new DnsError('EBADNAME', { hostname }, `Invalid host name ${JSON.stringify(hostname)}: ${problem}`);
}

function typeName(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

function safeString(value: unknown): string {
  return typeof value === 'symbol' || typeof value === 'object' || typeof value === 'function' ? '' : String(value);
}
