/**
 * `createConnection(options[, callback])`: a drop-in for `net.createConnection` /
 * `tls.connect` where a library takes their result, for `http.Agent#createConnection`
 * (and the `createConnection` request option) and for undici's `connect` function. It
 * maps the request's options onto `connect()` (name from `hostname`/`host`, port or the
 * scheme's default, TLS for HTTPS) and returns the socket at once; the race's winner
 * moves into it. `callback(err, socket)` is called once, when it connects or fails.
 */
import net from 'node:net';
import type stream from 'node:stream';
import type tls from 'node:tls';
import { type ConnectOptions, normalizeConnectOptions } from '../connect-options.js';
import { AbortError, InvalidArgumentError } from '../errors.js';
import { serverNameFor } from '../options.js';
import { nodeTls } from '../system/lazy-builtins.js';
import { HappyEyeballsSocket } from './happy-eyeballs-socket.js';
import { HappyEyeballsTlsSocket } from './happy-eyeballs-tls-socket.js';
import { fromNodeOptions } from './node-options.js';
import { startRace } from './pending-connection.js';
import type { RaceOptions } from './race-options.js';
import { raceToCallback, type SocketCallback, type SocketHooks, socketToCallback } from './socket-callback.js';

/**
 * What the request gives (http.ClientRequest's options, or undici's), plus the racer's
 * options. Node's "not set" spellings mean what they mean to Node: `signal: null`,
 * `family: null`, `timeout: 0`, `localAddress: null`; `lookup` and `hints` are not used.
 */
export interface CreateConnectionOptions
  extends Omit<RaceOptions, 'family' | 'localAddress' | 'timeout' | 'signal'>,
    Omit<tls.ConnectionOptions, 'host' | 'port' | 'path' | 'socket' | 'lookup' | 'timeout' | 'servername' | 'signal'> {
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
  /** 0 or null (both), 4 or 6 (`'IPv4'`, `'IPv6'`). @default 0 */
  family?: number | string | null | undefined;
  /** Bind every attempt to this IP; only its family is asked for and tried; null or `''`: none. @default undefined */
  localAddress?: string | null | undefined;
  /** Milliseconds for the whole connect (DNS and every attempt), then the socket's idle timeout, as `net.connect` sets it; 0 or null: none. @default undefined (no limit) */
  timeout?: number | null | undefined;
  /** As `net.Socket`'s: keep the writable side open after the peer ends. @default false */
  allowHalfOpen?: boolean | undefined;
  /** Aborting it ends the race with an AbortError, or destroys the connected socket. @default undefined */
  signal?: AbortSignal | null | undefined;
  /** Not used: the `resolver` answers (Node's agents pass it on to `dns.lookup`). */
  lookup?: unknown;
  /** Not used, as `lookup`. */
  hints?: number | undefined;
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
 * Returns the socket at once, as `net.createConnection` / `tls.connect` do: a
 * `net.Socket`, or with TLS a `tls.TLSSocket`. It emits 'connect' (and 'secureConnect')
 * when an attempt wins and 'error' with the race's error; writes made before are sent
 * then. `callback(err, socket)` is called exactly once, on its own tick. Bad options
 * throw an InvalidArgumentError, or with a callback reach it (and the socket's 'error').
 */
export function createConnection(options: CreateConnectionOptions, callback?: AgentCallback): net.Socket;
export function createConnection(options: CreateConnectionOptions, callback: UndiciCallback): net.Socket;
export function createConnection(options: CreateConnectionOptions, callback?: AgentCallback | UndiciCallback): net.Socket {
  if (callback !== undefined && typeof callback !== 'function') throw new InvalidArgumentError('callback', callback, 'a function');
  let socket: net.Socket;
  try {
    socket = openSocket(options);
  } catch (err) {
    if (callback === undefined) throw err;
    socket = new net.Socket();
    socket.destroy(err as Error);
  }
  if (callback !== undefined) callWhenSettled(socket, callback as SocketCallback);
  return socket;
}

/** The socket for `options`: one that races, or Node's own for a Unix path or a tunnel. */
function openSocket(input: CreateConnectionOptions): net.Socket {
  if (input === null || typeof input !== 'object') throw new InvalidArgumentError('options', input, 'an object');
  const options = fromNodeOptions(input);
  const secure = isSecure(options);
  if (options.socketPath || options.httpSocket !== undefined) return directSocket(options, secure, true);
  const race = toConnectOptions(options, secure);
  const settings = normalizeConnectOptions(race);
  const idle = options.timeout ?? undefined;
  const allowHalfOpen = options.allowHalfOpen;
  if (settings.tls === undefined) {
    const socket = new HappyEyeballsSocket({ allowHalfOpen });
    socket[startRace](race, idle);
    return socket;
  }
  // One context for every attempt and the socket (tls.connect would make one per attempt),
  // from what each attempt's tls.connect would read: the TLS options over the others (attempt.ts).
  const tlsOptions: tls.ConnectionOptions = { ...settings.net, ...settings.tls };
  const secureContext = tlsOptions.secureContext ?? nodeTls().createSecureContext(tlsOptions);
  const socket = new HappyEyeballsTlsSocket({ secureContext, rejectUnauthorized: tlsOptions.rejectUnauthorized !== false, allowHalfOpen });
  socket[startRace]({ ...race, tls: { ...settings.tls, secureContext } }, idle);
  return socket;
}

/** `callback(null, socket)` when it is ready, `callback(err, null)` when it fails or is destroyed first. */
function callWhenSettled(socket: net.Socket, callback: SocketCallback): void {
  // A TLSSocket says so (`encrypted`), without node:tls loaded for an instanceof.
  const readyEvent = (socket as { encrypted?: unknown }).encrypted === true ? 'secureConnect' : 'connect';
  const settle = (err: Error | null): void => {
    socket.off(readyEvent, onReady);
    socket.off('error', onError);
    socket.off('close', onClose);
    callback(err, err === null ? socket : null);
  };
  const onReady = (): void => settle(null);
  const onError = (err: Error): void => settle(err);
  const onClose = (): void => settle(new AbortError(new Error('the socket was destroyed before it connected')));
  socket.once(readyEvent, onReady);
  socket.once('error', onError);
  socket.once('close', onClose);
}

export interface OpenSettings {
  /** TLS or not: the agent's protocol, or the connector's request. */
  secure: boolean;
  hooks?: SocketHooks | undefined;
  /** `timeout` also becomes the socket's idle timeout, as with `net.connect`. @default true */
  idleTimeout?: boolean | undefined;
}

/** The agents' and the connector's step: the race's winner itself goes to the callback. */
export function openConnection(options: CreateConnectionOptions, callback: SocketCallback, settings: OpenSettings): void {
  if (typeof callback !== 'function') throw new InvalidArgumentError('callback', callback, 'a function');
  if (options === null || typeof options !== 'object') {
    process.nextTick(callback, new InvalidArgumentError('options', options, 'an object'), null);
    return;
  }
  const given = fromNodeOptions(options);
  const { secure } = settings;
  const idle = settings.idleTimeout !== false;
  if (given.socketPath || given.httpSocket !== undefined) {
    const readyEvent = secure ? 'secureConnect' : 'connect';
    socketToCallback(() => directSocket(given, secure, idle), readyEvent, callback, settings.hooks);
    return;
  }
  const hooks = idle ? withIdleTimeout(settings.hooks ?? {}, given.timeout ?? undefined) : settings.hooks;
  raceToCallback(toConnectOptions(given, secure), callback, hooks);
}

/** The request's options as `connect()` takes them. */
function toConnectOptions(options: CreateConnectionOptions, secure: boolean): ConnectOptions {
  const { hostname, host, port, protocol, tls: tlsOption, servername, socketPath, httpSocket, agent, _defaultAgent, ...rest } = options;
  return {
    ...(rest as Omit<ConnectOptions, 'host' | 'port'>),
    family: rest.family as ConnectOptions['family'],
    localAddress: rest.localAddress ?? undefined,
    timeout: rest.timeout ?? undefined,
    signal: rest.signal ?? undefined,
    host: hostname || host || 'localhost',
    port: port === undefined || port === null || port === '' ? (secure ? 443 : 80) : port,
    tls: secure ? { ...tlsObject(tlsOption), ...(servername == null ? {} : { servername }) } : undefined,
  };
}

/** A Unix socket path, or TLS over the caller's socket: Node's own socket, no DNS, no race. */
function directSocket(options: CreateConnectionOptions, secure: boolean, idle: boolean): net.Socket {
  const { hostname, host, port, protocol, tls: tlsOption, servername, socketPath, httpSocket, agent, _defaultAgent, timeout, signal, ...rest } = options;
  const name = hostname || host || 'localhost';
  // net/tls set `timeout` as the idle timeout themselves; the connector's is a connect deadline only.
  const common = {
    ...rest,
    ...(idle && timeout ? { timeout } : {}),
    ...(signal ? { signal } : {}),
    ...tlsObject(tlsOption),
    host: name,
    servername: servername ?? serverNameFor(name),
  } as tls.ConnectionOptions;
  if (socketPath) {
    const path = { ...common, path: socketPath };
    return secure ? nodeTls().connect(path) : net.connect(path);
  }
  if (!secure) throw new InvalidArgumentError('httpSocket', httpSocket, 'only with TLS (https:)');
  return nodeTls().connect({ ...common, socket: httpSocket });
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
