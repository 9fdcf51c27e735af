/**
 * The race behind a socket that was handed out before it connected (`createConnection`,
 * `HappyEyeballsSocket`). It runs `connect()`, keeps what is asked of the socket in the
 * meantime (`ref`/`unref`, no-delay, keep-alive) and, when an attempt wins, moves that
 * connection into the socket and emits what `net.connect` / `tls.connect` emit.
 */
import net from 'node:net';
import type PCancelable from 'p-cancelable';
import { type Clock, systemClock, type TimerHandle } from '../clock.js';
import { connect } from '../connect.js';
import { type ConnectOptions, normalizeConnectOptions } from '../connect-options.js';
import { AbortError } from '../errors.js';
import { type AttemptFactory, socketAttemptFactory } from '../racer/attempt.js';
import { adoptConnection } from './handle-adoption.js';

/** How the socket classes start their race (not part of the public surface). */
export const startRace = Symbol('startRace');

/** idle: no connect() yet; racing; connected: the winner adopted; native: Node connects it (a Unix path); closed. */
type State = 'idle' | 'racing' | 'connected' | 'native' | 'closed';

interface SocketInternals {
  connecting: boolean;
  autoSelectFamilyAttemptedAddresses?: string[];
  _unrefTimer(): void;
}

export class PendingConnection {
  readonly #socket: net.Socket;
  #state: State = 'idle';
  #race: PCancelable<net.Socket> | undefined;
  #refed = true;
  #noDelay: [boolean?] | undefined;
  #keepAlive: [boolean?, number?] | undefined;
  /** Attempts running now: they follow `ref`/`unref`. */
  readonly #attempts = new Set<net.Socket>();
  /** The race's timers running now: they follow `ref`/`unref` too. */
  readonly #timers = new Set<TimerHandle>();
  /** TLS sessions each attempt got before the win, given to the socket's 'session' listeners after it. */
  readonly #sessions = new WeakMap<net.Socket, Buffer[]>();
  #signal: AbortSignal | undefined;

  constructor(socket: net.Socket) {
    this.#socket = socket;
  }

  /** True until the socket has a connection of its own: calls on it are kept for the winner. */
  get waiting(): boolean {
    return this.#state === 'idle' || this.#state === 'racing';
  }

  get started(): boolean {
    return this.#state !== 'idle';
  }

  /** `ref()`/`unref()` while waiting: the attempts and the race's timers follow. False: let the socket do it. */
  ref(on: boolean): boolean {
    if (!this.waiting) return false;
    this.#refed = on;
    for (const socket of this.#attempts) on ? socket.ref() : socket.unref();
    for (const timer of this.#timers) setRef(timer, on);
    return true;
  }

  setNoDelay(args: [boolean?]): boolean {
    if (!this.waiting) return false;
    this.#noDelay = args;
    return true;
  }

  setKeepAlive(args: [boolean?, number?]): boolean {
    if (!this.waiting) return false;
    this.#keepAlive = args;
    return true;
  }

  /**
   * Checks `options` (throws InvalidArgumentError) and starts the race. `idleTimeout`
   * becomes the socket's timeout once connected, as `net.connect({ timeout })` sets it.
   */
  start(options: ConnectOptions, idleTimeout: number | undefined): void {
    const settings = normalizeConnectOptions(options);
    const secure = settings.tls !== undefined;
    const base = settings.connectAttempt ?? socketAttemptFactory({ net: settings.net, tls: settings.tls });
    const race = connect({ ...options, connectAttempt: this.#tracked(base, secure), clock: this.#timed(settings.clock ?? systemClock) });
    this.#state = 'racing';
    this.#race = race;
    (this.#socket as unknown as SocketInternals).connecting = true;
    this.#signal = settings.signal;
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    // On a tick of their own, as Node emits a socket's events: a throwing listener is an uncaught exception.
    race.then(
      (winner) => process.nextTick(() => this.#won(winner, secure, idleTimeout)),
      (err: Error) => process.nextTick(() => this.#lost(err)),
    );
  }

  /** The socket connects by Node's own means (a Unix socket path): hand it what was kept. */
  native(): void {
    this.#state = 'native';
    this.#replay();
  }

  /** The socket is being destroyed: stop the race, leaving no attempt, timer or query behind. */
  close(): void {
    if (this.#state === 'racing') this.#race!.cancel();
    this.#state = 'closed';
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }

  /** As `net.connect({ signal })`: aborting destroys the socket, also once connected (the race handles it before). */
  #onAbort = (): void => {
    if (this.#state === 'connected') this.#socket.destroy(new AbortError(this.#signal!.reason));
  };

  #won(winner: net.Socket, secure: boolean, idleTimeout: number | undefined): void {
    const socket = this.#socket;
    if (this.#state !== 'racing') {
      winner.destroy();
      return;
    }
    this.#state = 'connected';
    const sessions = this.#sessions.get(winner) ?? [];
    adoptConnection(socket, winner);
    winner.removeAllListeners();
    const internals = socket as unknown as SocketInternals;
    internals.autoSelectFamilyAttemptedAddresses = (winner as unknown as SocketInternals).autoSelectFamilyAttemptedAddresses;
    internals.connecting = false;
    this.#replay();
    if (idleTimeout !== undefined) socket.setTimeout(idleTimeout);
    // As Node's afterConnect (lib/net.js): the connect counts as activity for a timeout set meanwhile.
    internals._unrefTimer();
    socket.emit('connect');
    socket.emit('ready');
    if (secure && !socket.destroyed) {
      socket.emit('secureConnect');
      for (const session of sessions) socket.emit('session', session);
    }
    if (!socket.isPaused()) socket.read(0);
  }

  #lost(err: Error): void {
    // A cancel comes from destroy(): the socket is closing without an error.
    if (this.#state === 'racing') this.#socket.destroy(err);
  }

  /** What was asked of the socket while waiting, now done by net.Socket itself. */
  #replay(): void {
    const socket = this.#socket;
    if (this.#noDelay) net.Socket.prototype.setNoDelay.apply(socket, this.#noDelay);
    if (this.#keepAlive) net.Socket.prototype.setKeepAlive.apply(socket, this.#keepAlive);
    if (!this.#refed) net.Socket.prototype.unref.call(socket);
  }

  /** The attempt factory, with each attempt's socket following `ref`/`unref` and its TLS sessions kept. */
  #tracked(base: AttemptFactory<net.Socket>, secure: boolean): AttemptFactory<net.Socket> {
    return (target, callbacks) => {
      const attempt = base(target, callbacks);
      const { socket } = attempt;
      this.#attempts.add(socket);
      if (!this.#refed) socket.unref();
      if (secure) {
        const sessions: Buffer[] = [];
        this.#sessions.set(socket, sessions);
        socket.on('session', (session: Buffer) => sessions.push(session));
      }
      const forget = (): boolean => this.#attempts.delete(socket);
      return {
        socket,
        detach: () => {
          forget();
          attempt.detach();
        },
        destroy: () => {
          forget();
          attempt.destroy();
        },
      };
    };
  }

  /** The race's clock, with its timers following `ref`/`unref`. */
  #timed(clock: Clock): Clock {
    return {
      now: () => clock.now(),
      setTimeout: (fn, ms) => {
        const timer = clock.setTimeout(() => {
          this.#timers.delete(timer);
          fn();
        }, ms);
        this.#timers.add(timer);
        if (!this.#refed) setRef(timer, false);
        return timer;
      },
      clearTimeout: (timer) => {
        this.#timers.delete(timer);
        clock.clearTimeout(timer);
      },
    };
  }
}

function setRef(timer: TimerHandle, on: boolean): void {
  const t = timer as { ref?: () => unknown; unref?: () => unknown };
  (on ? t.ref : t.unref)?.call(timer);
}
