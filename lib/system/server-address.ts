/**
 * DNS server entries as users write them in `servers` or `--nameserver`:
 * `'192.0.2.53'`, `'192.0.2.53:5300'`, `'[2001:db8::53]:5300'`, `'[::1]'`, `'::1'`,
 * `'fe80::1%eth0'`. The port defaults to 53 (RFC 1035 §4.2).
 * Encrypted ones: `'tls://IP[:PORT][#SERVERNAME]'` (DoT, RFC 7858, port 853) and
 * `'https://HOST[:PORT]/PATH'` (DoH, RFC 8484, port 443; a `{?dns}` template suffix is
 * accepted and dropped).
 */
import { isIP } from 'node:net';
import { isValidHostname } from '../dns/name.js';
import type { DnsServer, HttpsServerAddress, ServerAddress, TlsServerAddress } from '../dns/types.js';
import { InvalidArgumentError } from '../errors.js';
import { parsePort, splitHostPort } from '../options.js';
import { parseIpLiteral } from './ip.js';

export const DNS_PORT = 53;
/** RFC 7858 §3.1. */
export const DOT_PORT = 853;
export const DOH_PORT = 443;

const EXPECTED = "'ip', 'ip:port', '[ipv6]:port' or '[ipv6]' with port 1-65535";
const EXPECTED_TLS = "'tls://IP[:PORT][#SERVERNAME]': an IP address, port 1-65535, a host name to authenticate";
const EXPECTED_HTTPS = "'https://HOST[:PORT]/PATH': an IP address or a host name, port 1-65535, a path such as /dns-query";
const EXPECTED_ENTRY = "'ip[:port]', '[ipv6]:port', 'tls://IP[:PORT][#SERVERNAME]' or 'https://HOST[:PORT]/PATH'";

/** Parses one entry; `option` names the option in the error (e.g. `'servers[1]'`). */
export function parseServerAddress(entry: string, option = 'servers'): ServerAddress {
  const server = typeof entry === 'string' ? parseHostPort(entry, DNS_PORT) : undefined;
  if (!server) throw new InvalidArgumentError(option, entry, EXPECTED);
  return server;
}

/** Any entry: plain, `tls://…` or `https://…`. Other schemes (`http://` too) are refused. */
export function parseServerEntry(entry: string, option = 'servers'): DnsServer {
  const scheme = typeof entry === 'string' ? /^([a-z][a-z0-9+.-]*):\/\//i.exec(entry)?.[1]?.toLowerCase() : undefined;
  if (scheme === undefined) {
    const server = typeof entry === 'string' ? parseHostPort(entry, DNS_PORT) : undefined;
    if (!server) throw new InvalidArgumentError(option, entry, EXPECTED_ENTRY);
    return server;
  }
  if (scheme === 'tls') return parseTlsEntry(entry, option);
  if (scheme === 'https') return parseHttpsEntry(entry, option);
  // http:// would be DNS in plaintext under another name: never.
  throw new InvalidArgumentError(option, entry, EXPECTED_ENTRY);
}

function parseTlsEntry(entry: string, option: string): TlsServerAddress {
  const rest = entry.slice('tls://'.length);
  const hash = rest.indexOf('#');
  const server = parseHostPort(hash < 0 ? rest : rest.slice(0, hash), DOT_PORT);
  const servername = hash < 0 ? undefined : rest.slice(hash + 1);
  if (!server || (servername !== undefined && !isValidHostname(servername))) throw new InvalidArgumentError(option, entry, EXPECTED_TLS);
  return { transport: 'tls', address: server.address, port: server.port, family: server.family, servername };
}

function parseHttpsEntry(entry: string, option: string): HttpsServerAddress {
  const text = entry.replace(/\{\?dns\}$/, '');
  const url = URL.canParse(text) ? new URL(text) : undefined;
  const host = url?.hostname.replace(/^\[(.*)\]$/, '$1') ?? '';
  const ok =
    url !== undefined && url.username === '' && url.password === '' && url.hash === '' && url.pathname !== '/' && (isIP(host) !== 0 || isValidHostname(host));
  if (!ok) throw new InvalidArgumentError(option, entry, EXPECTED_HTTPS);
  const path = url.pathname + url.search;
  const port = url.port === '' ? DOH_PORT : Number(url.port);
  return { transport: 'https', url: `https://${url.host}${path}`, host, port, path };
}

/** `ip`, `ip:port`, `[v6]`, `[v6]:port`; undefined when it is none of these. */
function parseHostPort(text: string, defaultPort: number): ServerAddress | undefined {
  const split = splitHostPort(text);
  const literal = split === undefined ? undefined : parseIpLiteral(split.host);
  // Brackets are for IPv6 only (RFC 3986 §3.2.2); `[192.0.2.1]` is a typo, not a server.
  const bracketedV4 = literal?.family === 4 && split?.bracketed === true;
  const port = split?.port === undefined ? defaultPort : parsePort(split.port);
  if (!literal || bracketedV4 || port === undefined) return undefined;
  return { address: literal.address, port, family: literal.family };
}
