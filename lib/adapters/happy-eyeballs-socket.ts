/**
 * `HappyEyeballsSocket`: a `net.Socket` whose `connect()` resolves the name and races the
 * addresses (RFC 8305), then carries the winning connection itself. For libraries that
 * make an unconnected socket and call `connect(port, host)` on it (pg's `stream`
 * option), and behind `createConnection()` for plain TCP.
 */
import net from 'node:net';
import type { ConnectOptions } from '../connect-options.js';
import { InvalidArgumentError } from '../errors.js';
import { fromNodeOptions } from './node-options.js';
import { PendingConnection, startRace } from './pending-connection.js';
import { checkRaceOptions } from './race-options.js';

/** The race options of `connect()` and the ordinary socket options; every connect() uses them. */
export interface HappyEyeballsSocketOptions extends Omit<ConnectOptions, 'host' | 'port' | 'tls'> {}

/** What `connect(options)` takes: `net.connect`'s options (`lookup` and `hints` are not used) and the race options. */
export interface HappyEyeballsConnectOptions extends Omit<ConnectOptions, 'host' | 'port' | 'tls'> {
  /** @default 'localhost' */
  host?: string | undefined;
  port?: number | string | undefined;
  /** A Unix socket path: Node connects it, no DNS and no race. */
  path?: string | undefined;
}

export class HappyEyeballsSocket extends net.Socket {
  readonly #options: HappyEyeballsSocketOptions;
  readonly #connection = new PendingConnection(this);

  /** Throws InvalidArgumentError for a bad race option, as `connect()` would reject. */
  constructor(options: HappyEyeballsSocketOptions = {}) {
    const given = fromNodeOptions(options);
    checkRaceOptions(given);
    super({ allowHalfOpen: given.allowHalfOpen });
    this.#options = given;
  }

  /**
   * As `net.Socket#connect`: `(options[, listener])`, `(port[, host][, listener])` or
   * `(path[, listener])`. A host is resolved and raced; the socket emits 'connect' when
   * an attempt wins, or 'error' with the race's error. Throws InvalidArgumentError for
   * bad options, and when the socket was connected before.
   */
  override connect(options: HappyEyeballsConnectOptions | net.SocketConnectOpts, connectionListener?: () => void): this;
  override connect(port: number, host?: string, connectionListener?: () => void): this;
  override connect(port: number, connectionListener?: () => void): this;
  override connect(path: string, connectionListener?: () => void): this;
  override connect(...args: unknown[]): this {
    if (this.#connection.started) throw new InvalidArgumentError('connect', 'a second call', 'one connect() per HappyEyeballsSocket');
    const listener = typeof args[args.length - 1] === 'function' ? (args.pop() as () => void) : undefined;
    const options = connectArgs(args);
    if (options.path !== undefined && options.path !== null) {
      this.#connection.native();
      return super.connect(options as net.IpcSocketConnectOpts, listener);
    }
    const { path, timeout, ...rest } = { ...this.#options, ...options };
    const race = { ...rest, timeout, host: options.host || 'localhost', port: options.port } as ConnectOptions;
    this[startRace](race, timeout);
    if (listener !== undefined) this.once('connect', listener);
    return this;
  }

  /** @internal Starts the race for `createConnection()`. */
  [startRace](options: ConnectOptions, idleTimeout: number | undefined): void {
    this.#connection.start(options, idleTimeout);
  }

  override ref(): this {
    return this.#connection.ref(true) ? this : super.ref();
  }

  override unref(): this {
    return this.#connection.ref(false) ? this : super.unref();
  }

  override setNoDelay(noDelay?: boolean): this {
    return this.#connection.setNoDelay([noDelay]) ? this : super.setNoDelay(noDelay);
  }

  override setKeepAlive(enable?: boolean, initialDelay?: number): this {
    return this.#connection.setKeepAlive([enable, initialDelay]) ? this : super.setKeepAlive(enable, initialDelay);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#connection.close();
    super._destroy(error, callback);
  }
}

/** net's argument forms as one options object (lib/net.js `normalizeArgs`). */
function connectArgs(args: unknown[]): HappyEyeballsConnectOptions {
  const [first, second] = args;
  if (first !== null && typeof first === 'object') return fromNodeOptions(first as HappyEyeballsConnectOptions);
  // A string that is not a number names a Unix socket.
  if (typeof first === 'string' && !(first.trim() !== '' && Number.isFinite(Number(first)))) return { path: first };
  return { port: first as number | string, host: typeof second === 'string' ? second : undefined };
}
