/**
 * One connection attempt to one IP address: the seam between the scheduler and sockets.
 * The default factory opens a TCP connection with `net.connect` (never a host name, so
 * no lookup happens) and, for TLS races, runs the TLS handshake on it.
 */
import net from 'node:net';
import type tls from 'node:tls';
import type { Family } from '../address/types.js';
import { nodeTls } from '../system/lazy-builtins.js';

export interface AttemptTarget {
  address: string;
  family: Family;
  port: number;
}

/** How an attempt reports back. Call each at most once and never from inside the factory call. */
export interface AttemptCallbacks {
  /** TCP is up and a TLS handshake is in progress (TLS attempts only). */
  connected(): void;
  /** The connection is usable: TCP connected, or TLS handshake done (Happy Eyeballs v3). */
  succeeded(): void;
  /** The attempt failed in the given phase. */
  failed(error: unknown, phase: 'tcp' | 'tls'): void;
}

export interface Attempt<S> {
  readonly socket: S;
  /** Stops the attempt and frees its socket. */
  destroy(): void;
  /** Hands the socket over to the caller: removes the attempt's own listeners. */
  detach(): void;
}

/** Starts one attempt. May throw: the scheduler counts that as the attempt's failure. */
export type AttemptFactory<S> = (target: AttemptTarget, callbacks: AttemptCallbacks) => Attempt<S>;

/** Socket options the factory passes through; the scheduler owns host, port and family. */
export type PassThroughSocketOptions = Omit<
  net.TcpNetConnectOpts,
  'host' | 'port' | 'family' | 'lookup' | 'hints' | 'timeout' | 'signal' | 'fd' | 'autoSelectFamily' | 'autoSelectFamilyAttemptTimeout'
>;

export interface SocketAttemptOptions {
  /** Ordinary net options (noDelay, keepAlive, allowHalfOpen, localAddress, …). */
  net?: PassThroughSocketOptions | undefined;
  /** TLS options: present means every attempt is TCP then TLS. */
  tls?: tls.ConnectionOptions | undefined;
}

/**
 * One `net.Socket` object (no handle, no file descriptor) made ahead, while the loop is
 * idle, for the next plain TCP attempt without socket options: building it is then not
 * on the path from a DNS answer to the SYN. Never used twice.
 */
let spareSocket: net.Socket | undefined;

/** Makes the spare socket object now, unless one is waiting. */
export function prepareSpareSocket(): void {
  spareSocket ??= new net.Socket();
}

export function socketAttemptFactory(options: SocketAttemptOptions = {}): AttemptFactory<net.Socket> {
  const netOptions = options.net ?? {};
  const plain = Object.keys(netOptions).length === 0;
  return (target, callbacks) => {
    if (options.tls !== undefined) {
      // With no servername, tls checks the certificate against `host`, here the IP: right for IP literals.
      const where = { host: target.address, port: target.port, family: target.family };
      return watch(nodeTls().connect({ ...netOptions, ...options.tls, ...where }), true, callbacks);
    }
    if (plain) {
      // net.connect(options) is `new net.Socket(options).connect(options)`: the same two steps.
      const socket = spareSocket ?? new net.Socket();
      spareSocket = undefined;
      return watch(socket.connect({ host: target.address, port: target.port, family: target.family }), false, callbacks);
    }
    return watch(new net.Socket(netOptions).connect(connectOptions(netOptions, target)), false, callbacks);
  };
}

/** The net options with the target's address (object spread is slow on the hot path). */
function connectOptions(netOptions: PassThroughSocketOptions, target: AttemptTarget): net.TcpNetConnectOpts {
  const where = Object.assign({}, netOptions) as net.TcpNetConnectOpts;
  where.host = target.address;
  where.port = target.port;
  where.family = target.family;
  return where;
}

function watch(socket: net.Socket, secure: boolean, callbacks: AttemptCallbacks): Attempt<net.Socket> {
  let tcpUp = false;
  const onConnect = (): void => {
    tcpUp = true;
    if (secure) callbacks.connected();
    else callbacks.succeeded();
  };
  const onSecure = (): void => callbacks.succeeded();
  // Node reports a close during the TLS handshake as an ECONNRESET error, so 'error' covers every failure.
  const onError = (err: unknown): void => callbacks.failed(err, secure && tcpUp ? 'tls' : 'tcp');
  // `on`, not `once`: detach() removes them, and `once` builds a wrapper per listener.
  socket.on('connect', onConnect);
  if (secure) socket.on('secureConnect', onSecure);
  socket.on('error', onError);
  const detach = (): void => {
    socket.off('connect', onConnect);
    if (secure) socket.off('secureConnect', onSecure);
    socket.off('error', onError);
  };
  return {
    socket,
    detach,
    // destroy() without an error emits no 'error', and Node drops connect results for destroyed sockets.
    destroy: () => {
      detach();
      socket.destroy();
    },
  };
}
