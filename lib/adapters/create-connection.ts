/**
 * `createConnection(options, callback)`: a drop-in for `http.Agent#createConnection`
 * (and the `createConnection` request option) and for undici's `connect` function. It
 * maps the request's options onto `connect()`: name from `hostname`/`host`, port (or the
 * scheme's default), TLS for HTTPS, and hands the winner to the callback exactly once.
 */
import net from 'node:net';
import type stream from 'node:stream';
import tls from 'node:tls';
import type { ConnectOptions } from '../connect-options.js';
import { InvalidArgumentError } from '../errors.js';
import { serverNameFor } from '../options.js';
import type { RaceOptions } from './race-options.js';
import { raceToCallback, type SocketCallback, type SocketHooks, socketToCallback } from './socket-callback.js';

/** What the request gives (http.ClientRequest's options, or undici's), plus the racer's options. */
export interface CreateConnectionOptions
  extends Omit<RaceOptions, 'family' | 'localAddress' | 'timeout'>,
    Omit<tls.ConnectionOptions, 'host' | 'port' | 'path' | 'socket' | 'lookup' | 'timeout' | 'servername'> {
  /** Host name or IP literal; wins over `host` (undici's `host` carries the port). @default 'localhost' */
  hostname?: string | null | undefined;
  /** Host name or IP literal, when `hostname` is not given. @default 'localhost' */
  host?: string | null | undefined;
  /** Port, 0–65535. @default 443 for HTTPS, else 80 */
  port?: number | string | null | undefined;
  /** `'https:'` means TLS (so does an HTTPS agent as `agent` / `_defaultAgent`, or `tls`). @default undefined (plain TCP) */
  protocol?: string | null | undefined;
  /** `true`/TLS options force TLS, `false` forces plain TCP, whatever the protocol. @default undefined (by `protocol`) */
  tls?: boolean | tls.ConnectionOptions | undefined;
  /** SNI name. @default the host when it is a name; `''` sends none */
  servername?: string | null | undefined;
  /** Connect to this Unix socket instead: no DNS, no race. @default undefined */
  socketPath?: string | null | undefined;
  /** TLS over this already connected socket (undici's proxy tunnel): no DNS, no race. @default undefined */
  httpSocket?: net.Socket | undefined;
  /** 0 (both), 4 or 6. @default 0 */
  family?: number | undefined;
  /** Bind every attempt to this IP; only its family is asked for and tried. @default undefined */
  localAddress?: string | null | undefined;
  /**
   * Milliseconds for the whole connect (DNS and every attempt), then the socket's idle
   * timeout, as `net.connect` sets it. @default undefined (no limit)
   */
  timeout?: number | undefined;
  /** The agent making the request (http's), read for its protocol. @default undefined */
  agent?: unknown;
  /** As `agent`, as http passes it. @default undefined */
  _defaultAgent?: unknown;
}

/** How http's Agent calls back. */
export type AgentCallback = (err: Error | null, socket: stream.Duplex) => void;
/** How undici calls back. */
export type UndiciCallback = (...args: [null, net.Socket] | [Error, null]) => void;

/**
 * Opens the connection the Happy Eyeballs way and calls `callback(err, socket)` once;
 * returns undefined, so an http.Agent waits for the callback.
 */
export function createConnection(options: CreateConnectionOptions, callback: AgentCallback): undefined;
export function createConnection(options: CreateConnectionOptions, callback: UndiciCallback): undefined;
export function createConnection(options: CreateConnectionOptions, callback: AgentCallback | UndiciCallback): undefined {
  openConnection(options, callback as SocketCallback);
  return undefined;
}

export interface OpenSettings {
  /** Decided by the caller (agents, connector); else by `isSecure`. */
  secure?: boolean | undefined;
  hooks?: SocketHooks | undefined;
  /** `timeout` also becomes the socket's idle timeout, as with `net.connect`. @default true */
  idleTimeout?: boolean | undefined;
}

/** The shared step of createConnection, the agents and the connector. */
export function openConnection(options: CreateConnectionOptions, callback: SocketCallback, settings: OpenSettings = {}): void {
  if (typeof callback !== 'function') throw new InvalidArgumentError('callback', callback, 'a function');
  if (options === null || typeof options !== 'object') {
    process.nextTick(callback, new InvalidArgumentError('options', options, 'an object'), null);
    return;
  }
  const secure = settings.secure ?? isSecure(options);
  const idle = settings.idleTimeout !== false;
  if (options.socketPath || options.httpSocket !== undefined) return openDirect(options, secure, idle, callback, settings.hooks);
  const hooks = idle ? withIdleTimeout(settings.hooks ?? {}, options.timeout) : settings.hooks;
  raceToCallback(toConnectOptions(options, secure), callback, hooks);
}

/** The request's options as `connect()` takes them. */
function toConnectOptions(options: CreateConnectionOptions, secure: boolean): ConnectOptions {
  const { hostname, host, port, protocol, tls: tlsOption, servername, socketPath, httpSocket, agent, _defaultAgent, ...rest } = options;
  return {
    ...(rest as Omit<ConnectOptions, 'host' | 'port'>),
    family: rest.family as ConnectOptions['family'],
    localAddress: rest.localAddress ?? undefined,
    host: hostname || host || 'localhost',
    port: port === undefined || port === null || port === '' ? (secure ? 443 : 80) : port,
    tls: secure ? { ...tlsObject(tlsOption), ...(servername == null ? {} : { servername }) } : undefined,
  };
}

/** A Unix socket path, or TLS over the caller's socket: one socket, no DNS, no race. */
function openDirect(options: CreateConnectionOptions, secure: boolean, idle: boolean, callback: SocketCallback, hooks?: SocketHooks): void {
  const { hostname, host, port, protocol, tls: tlsOption, servername, socketPath, httpSocket, agent, _defaultAgent, timeout, ...rest } = options;
  const name = hostname || host || 'localhost';
  // net/tls set `timeout` as the idle timeout themselves; the connector's is a connect deadline only.
  const common = { ...rest, ...(idle && timeout !== undefined ? { timeout } : {}), ...tlsObject(tlsOption), host: name, servername: servername ?? serverNameFor(name) };
  if (socketPath) {
    const path = { ...common, path: socketPath };
    socketToCallback(() => (secure ? tls.connect(path) : net.connect(path)), secure ? 'secureConnect' : 'connect', callback, hooks);
  } else if (!secure) {
    process.nextTick(callback, new InvalidArgumentError('httpSocket', httpSocket, 'only with TLS (https:)'), null);
  } else {
    socketToCallback(() => tls.connect({ ...common, socket: httpSocket }), 'secureConnect', callback, hooks);
  }
}

/** TLS when asked for (`tls`), else when the scheme or the agent is HTTPS. */
function isSecure(options: CreateConnectionOptions): boolean {
  if (options.tls !== undefined) return options.tls !== false;
  const protocol = options.protocol ?? protocolOf(options.agent) ?? protocolOf(options._defaultAgent);
  return protocol === 'https:';
}

function protocolOf(agent: unknown): unknown {
  return agent !== null && typeof agent === 'object' ? (agent as { protocol?: unknown }).protocol : undefined;
}


function tlsObject(value: CreateConnectionOptions['tls']): tls.ConnectionOptions {
  return value !== null && typeof value === 'object' ? value : {};
}

/** As `net.connect({ timeout })`: the socket times out after that long idle (http.Agent frees it then). */
function withIdleTimeout(hooks: SocketHooks, timeout: number | undefined): SocketHooks {
  if (timeout === undefined) return hooks;
  return {
    onAttempt: hooks.onAttempt,
    onConnected: (socket) => {
      socket.setTimeout(timeout);
      hooks.onConnected?.(socket);
    },
  };
}
