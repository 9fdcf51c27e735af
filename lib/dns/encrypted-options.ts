/**
 * Options of the encrypted transports (DoT, DoH) and the checks of their server entries:
 * documented, defaulted and validated up front, as options.ts does for the rest.
 */
import { isIP } from 'node:net';
import type tls from 'node:tls';
import { InvalidArgumentError } from '../errors.js';
import { isValidHostname } from './name.js';
import { integerIn, MAX_TIMER_MS, oneOf } from '../options.js';
import type { HttpsServerAddress, TlsServerAddress } from './types.js';

export interface EncryptedTransportOptions {
  /**
   * Milliseconds a DoT connection or DoH session stays open with no query in flight
   * (RFC 7766 §6.2.3: clients close idle connections; RFC 7858 §3.4 keeps them for reuse).
   * An idle connection never keeps the process alive. @default 10000
   */
  idleTimeout?: number;
  /**
   * Queries in flight on one DoT connection (RFC 7766 §6.2.1.1 pipelining); more wait
   * for a slot. DoH streams are bounded by the server's SETTINGS_MAX_CONCURRENT_STREAMS.
   * @default 100
   */
  maxInFlight?: number;
  /** HTTP method of DoH requests (RFC 8484 §4.1). @default 'POST' */
  dohMethod?: 'POST' | 'GET';
  /** Milliseconds before a server whose connect failed is tried again; doubles per failure. @default 250 */
  reconnectDelay?: number;
  /** Ceiling of that delay, ms. @default 10000 */
  maxReconnectDelay?: number;
}

export interface EncryptedConfig {
  idleTimeout: number;
  maxInFlight: number;
  dohMethod: 'POST' | 'GET';
  reconnectDelay: number;
  maxReconnectDelay: number;
  /**
   * tls.connect options shared by every DoT and DoH server (`ca`, client certificates,
   * `minVersion`…); `host`, `port`, `path`, `socket`, `lookup` and `servername` are dropped.
   */
  tls: tls.ConnectionOptions;
}

export function resolveEncrypted(options: unknown, tlsOptions: unknown): EncryptedConfig {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('encrypted', options, 'an object');
  if (tlsOptions === null || typeof tlsOptions !== 'object') throw new InvalidArgumentError('tls', tlsOptions, 'tls.connect options (an object)');
  const o = options as EncryptedTransportOptions;
  const dohMethod = oneOf('encrypted.dohMethod', o.dohMethod ?? 'POST', ['POST', 'GET'] as const);
  const reconnectDelay = integerIn('encrypted.reconnectDelay', o.reconnectDelay ?? 250, 1, MAX_TIMER_MS);
  return {
    idleTimeout: integerIn('encrypted.idleTimeout', o.idleTimeout ?? 10_000, 1, MAX_TIMER_MS),
    maxInFlight: integerIn('encrypted.maxInFlight', o.maxInFlight ?? 100, 1, 4096),
    dohMethod,
    reconnectDelay,
    maxReconnectDelay: integerIn('encrypted.maxReconnectDelay', o.maxReconnectDelay ?? Math.max(10_000, reconnectDelay), reconnectDelay, MAX_TIMER_MS),
    tls: sharedTlsOptions(tlsOptions as tls.ConnectionOptions),
  };
}

/**
 * What a server entry decides is not taken from the shared options: where to connect and
 * which name to authenticate (the DoT entry's `#SERVERNAME` or address, the DoH URL's host).
 */
function sharedTlsOptions(options: tls.ConnectionOptions): tls.ConnectionOptions {
  const { host, port, path, socket, lookup, servername, ...shared } = options;
  void [host, port, path, socket, lookup, servername];
  return shared;
}

/** A DoT server object as `DnsClient` takes it; `option` names it in the error. */
export function validTlsServer(server: Partial<TlsServerAddress>, option: string): TlsServerAddress {
  const family = typeof server.address === 'string' ? isIP(server.address) : 0;
  const name = server.servername;
  if (family === 0 || server.family !== family || !validPort(server.port) || (name !== undefined && !isValidHostname(name))) {
    throw new InvalidArgumentError(option, server, "{ transport: 'tls', address: an IP literal, family, port, servername?: a host name }");
  }
  return { transport: 'tls', address: server.address!, port: server.port, family, servername: name };
}

/** A DoH server object as `DnsClient` takes it. */
export function validHttpsServer(server: Partial<HttpsServerAddress>, option: string): HttpsServerAddress {
  const { url, host, port, path } = server;
  const ok =
    typeof url === 'string' &&
    url.startsWith('https://') &&
    typeof host === 'string' &&
    (isIP(host) !== 0 || isValidHostname(host)) &&
    validPort(port) &&
    typeof path === 'string' &&
    path.startsWith('/');
  if (!ok) throw new InvalidArgumentError(option, server, "{ transport: 'https', url, host: an IP literal or a host name, port, path: '/…' }");
  return { transport: 'https', url, host, port, path };
}

function validPort(port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535;
}
