/**
 * `connector(options)`: an undici `connect` function, for
 * `new undici.Agent({ connect: connector({ ... }) })`. It does what undici's own
 * connector does around the connection (default ports, SNI, ALPN, a TLS session cache
 * by server name, TCP keep-alive and no-delay, a connect timeout) and leaves the
 * connection itself to the racer.
 */
import type net from 'node:net';
import { InvalidArgumentError } from '../errors.js';
import { booleanOption, integerIn, milliseconds, serverNameFor } from '../options.js';
import { type CreateConnectionOptions, openConnection, type UndiciCallback } from './create-connection.js';
import { checkRaceOptions } from './race-options.js';
import type { SocketCallback, SocketHooks } from './socket-callback.js';
import { TlsSessionCache } from './tls-session-cache.js';

export interface ConnectorOptions
  extends Omit<
    CreateConnectionOptions,
    'hostname' | 'host' | 'port' | 'protocol' | 'httpSocket' | 'tls' | 'timeout' | 'keepAlive' | 'keepAliveInitialDelay' | 'agent' | '_defaultAgent'
  > {
  /** Offer HTTP/2 by ALPN (`['h2', 'http/1.1']`). @default false (`['http/1.1']`) */
  allowH2?: boolean | undefined;
  /** TLS sessions kept, one per server name; 0 keeps none. @default 100 */
  maxCachedSessions?: number | undefined;
  /** TCP keep-alive on the connected socket. @default true */
  keepAlive?: boolean | null | undefined;
  /** Milliseconds before the first keep-alive probe. @default 60000 */
  keepAliveInitialDelay?: number | null | undefined;
  /** Milliseconds for the whole connect (DNS, every attempt, TLS); 0 for none. @default 10000, as undici */
  timeout?: number | null | undefined;
}

/** What undici passes to its `connect` function. */
export interface ConnectorRequest {
  /** The host name or IP literal, without brackets. */
  hostname: string;
  /** `hostname[:port]`, as in the URL. */
  host?: string | undefined;
  protocol: string;
  /** `''` for the scheme's default port. */
  port: string | number;
  servername?: string | null | undefined;
  localAddress?: string | null | undefined;
  /** A connected socket to run TLS over (a proxy tunnel). */
  httpSocket?: net.Socket | undefined;
}

export type Connector = (request: ConnectorRequest, callback: UndiciCallback) => void;

export function connector(options: ConnectorOptions = {}): Connector {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'an object');
  const { allowH2, maxCachedSessions, keepAlive, keepAliveInitialDelay, timeout, ...base } = options;
  checkRaceOptions(base);
  const h2 = booleanOption('allowH2', allowH2 ?? false);
  const sessions = new TlsSessionCache(integerIn('maxCachedSessions', maxCachedSessions ?? 100, 0, Number.MAX_SAFE_INTEGER));
  const probeDelay = milliseconds('keepAliveInitialDelay', keepAliveInitialDelay ?? 60e3);
  const deadline = milliseconds('timeout', timeout ?? 10e3);
  const alpn = h2 ? ['h2', 'http/1.1'] : ['http/1.1'];

  return function connect(request, callback) {
    const secure = request.protocol === 'https:';
    const servername = request.servername || base.servername || serverNameFor(request.hostname);
    const sessionKey = servername ?? request.hostname;
    const hooks: SocketHooks = {
      onAttempt: secure ? (socket) => socket.on('session', (session: Buffer) => sessions.set(sessionKey, session)) : undefined,
      // As undici's connector: keep-alive probes, and no Nagle delay on requests.
      onConnected: (socket) => {
        if (keepAlive !== false) socket.setKeepAlive(true, probeDelay);
        socket.setNoDelay(true);
      },
    };
    const tlsPart = secure ? { servername, session: base.session ?? sessions.get(sessionKey), ALPNProtocols: alpn } : {};
    const open: CreateConnectionOptions = {
      ...base,
      ...tlsPart,
      hostname: request.hostname,
      host: request.host,
      port: request.port,
      protocol: request.protocol,
      localAddress: request.localAddress ?? base.localAddress,
      httpSocket: request.httpSocket,
      timeout: deadline === 0 ? undefined : deadline,
    };
    openConnection(open, callback as SocketCallback, { secure, hooks, idleTimeout: false });
  };
}
