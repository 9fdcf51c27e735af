/**
 * From the racer's promise to the callback contract shared by `http.Agent#createConnection`
 * and undici's `connect`: the callback runs exactly once, always on its own tick (as
 * Node's callbacks; a throw in it is an uncaught exception, not a swallowed rejection),
 * with the socket or the error. A hook that throws fails the connection, socket destroyed.
 */
import type net from 'node:net';
import { connect } from '../connect.js';
import { type ConnectOptions, normalizeConnectOptions } from '../connect-options.js';
import { type AttemptFactory, socketAttemptFactory } from '../racer/attempt.js';

export type SocketCallback = (err: Error | null, socket: net.Socket | null) => void;

export interface SocketHooks {
  /** Every attempt's socket as it is created: a TLS session may come before the race ends. */
  onAttempt?: ((socket: net.Socket) => void) | undefined;
  /** The winning socket, just before the callback gets it. */
  onConnected?: ((socket: net.Socket) => void) | undefined;
}

/** Races `options` (see `connect()`) and reports to `callback` once. */
export function raceToCallback(options: ConnectOptions, callback: SocketCallback, hooks: SocketHooks = {}): void {
  let raced = options;
  if (hooks.onAttempt !== undefined) {
    try {
      raced = { ...options, connectAttempt: observedAttempts(options, hooks.onAttempt) };
    } catch (err) {
      process.nextTick(callback, err as Error, null);
      return;
    }
  }
  connect(raced).then(
    (socket) => handOver(socket, callback, hooks),
    (err: Error) => process.nextTick(callback, err, null),
  );
}

/** The connected socket to the callback, on a later tick; a throwing hook fails it instead (its socket destroyed). */
function handOver(socket: net.Socket, callback: SocketCallback, hooks: SocketHooks): void {
  try {
    hooks.onConnected?.(socket);
  } catch (err) {
    socket.destroy();
    process.nextTick(callback, err as Error, null);
    return;
  }
  process.nextTick(callback, null, socket);
}

/** The attempt factory `connect()` would use, with `onAttempt` told of each socket. */
function observedAttempts(options: ConnectOptions, onAttempt: (socket: net.Socket) => void): AttemptFactory<net.Socket> {
  const settings = normalizeConnectOptions(options);
  const base = settings.connectAttempt ?? socketAttemptFactory({ net: settings.net, tls: settings.tls });
  return (target, callbacks) => {
    const attempt = base(target, callbacks);
    onAttempt(attempt.socket);
    return attempt;
  };
}

/**
 * One socket, no race (a Unix socket path, or TLS over a socket the caller already
 * holds): reports once when `readyEvent` or an error comes.
 */
export function socketToCallback(open: () => net.Socket, readyEvent: 'connect' | 'secureConnect', callback: SocketCallback, hooks: SocketHooks = {}): void {
  let socket: net.Socket;
  try {
    socket = open();
  } catch (err) {
    process.nextTick(callback, err as Error, null);
    return;
  }
  hooks.onAttempt?.(socket);
  const onReady = (): void => {
    socket.off('error', onError);
    handOver(socket, callback, hooks);
  };
  const onError = (err: Error): void => {
    socket.off(readyEvent, onReady);
    socket.destroy();
    process.nextTick(callback, err, null);
  };
  socket.once(readyEvent, onReady);
  socket.once('error', onError);
}
