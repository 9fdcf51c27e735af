/**
 * DNS server entries as users write them in `servers` or `--nameserver`:
 * `'192.0.2.53'`, `'192.0.2.53:5300'`, `'[2001:db8::53]:5300'`, `'[::1]'`, `'::1'`,
 * `'fe80::1%eth0'`. The port defaults to 53 (RFC 1035 §4.2).
 */
import { InvalidArgumentError } from '../errors.js';
import type { ServerAddress } from '../dns/types.js';
import { parseIpLiteral } from './ip.js';

export const DNS_PORT = 53;

const EXPECTED = "'ip', 'ip:port', '[ipv6]:port' or '[ipv6]' with port 1-65535";

/** Parses one entry; `option` names the option in the error (e.g. `'servers[1]'`). */
export function parseServerAddress(entry: string, option = 'servers'): ServerAddress {
  if (typeof entry !== 'string') throw new InvalidArgumentError(option, entry, EXPECTED);
  const { host, port } = splitHostPort(entry);
  const literal = host === undefined ? undefined : parseIpLiteral(host);
  // Brackets are for IPv6 only (RFC 3986 §3.2.2); `[192.0.2.1]` is a typo, not a server.
  const bracketedV4 = literal?.family === 4 && host !== literal.address;
  const portNumber = port === undefined ? DNS_PORT : parsePort(port);
  if (!literal || bracketedV4 || portNumber === undefined) throw new InvalidArgumentError(option, entry, EXPECTED);
  return { address: literal.address, port: portNumber, family: literal.family };
}

/** `'192.0.2.53:53'` or `'[2001:db8::53]:53'`: the form used in messages and `Answer#server`. */
export function formatServerAddress(server: ServerAddress): string {
  return server.family === 6 ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`;
}

/**
 * Separates a port only where it cannot be part of the address: after `]`, or after
 * the single colon of an IPv4 entry. A bare IPv6 address (`::1`, even `::1:53`) has none.
 */
function splitHostPort(entry: string): { host: string | undefined; port: string | undefined } {
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    if (close === -1) return { host: undefined, port: undefined };
    const rest = entry.slice(close + 1);
    if (rest === '') return { host: entry, port: undefined };
    return rest.startsWith(':') ? { host: entry.slice(0, close + 1), port: rest.slice(1) } : { host: undefined, port: undefined };
  }
  const colons = entry.split(':').length - 1;
  if (colons !== 1) return { host: entry, port: undefined };
  const [host = '', port = ''] = entry.split(':');
  return { host, port };
}

/** Decimal 1-65535, no sign, no spaces. */
function parsePort(text: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}
