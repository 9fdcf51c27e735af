/**
 * Pure syntax checks for what the CLI takes from the command line: host names,
 * `host:port` forms and ports. No DNS, no I/O: `args.ts` turns a `false` here into a
 * usage error that names the value.
 */
import { isIP, isIPv6 } from 'node:net';

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

const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

/**
 * A host name per RFC 1123 §2.1: dot-separated labels of letters, digits and inner
 * hyphens, a label at most 63 octets, the name at most 253 (one trailing dot, for an
 * absolute name, is allowed on top). The last label must not be all digits
 * (RFC 3696 §2), so `1.2.3` or `256.1.1.1` is never taken for a name.
 */
export function isHostName(name: string): boolean {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare.length === 0 || bare.length > 253) return false;
  const labels = bare.split('.');
  if (!labels.every((label) => label.length <= 63 && LABEL.test(label))) return false;
  return !/^[0-9]+$/.test(labels[labels.length - 1] as string);
}

/** A host the CLI can use: an IP literal or an RFC 1123 host name. */
export function isHost(host: string): boolean {
  return isIP(host) !== 0 || isHostName(host);
}

/** A TCP/UDP port written in decimal digits, 1–65535; `undefined` otherwise. */
export function parsePort(text: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * A nameserver as `Resolver`'s `servers` takes it: `ip`, `ip:port` or `[v6]:port`
 * (`[v6]` alone is accepted and written back as `v6`). `undefined` when the text is
 * not an IP address with an optional valid port: names are refused, since resolving
 * the nameserver's own name would need a nameserver.
 */
export function parseNameserver(text: string): string | undefined {
  const split = splitHostPort(text);
  if (!split) return undefined;
  const family = isIP(split.host);
  if (family === 0 || (split.bracketed && family !== 6)) return undefined;
  if (split.port === undefined) return split.host;
  const port = parsePort(split.port);
  if (port === undefined) return undefined;
  return isIPv6(split.host) ? `[${split.host}]:${port}` : `${split.host}:${port}`;
}
