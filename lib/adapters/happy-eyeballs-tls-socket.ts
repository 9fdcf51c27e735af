/**
 * The `tls.TLSSocket` that `createConnection()` returns for TLS. Every attempt of the
 * race runs its own handshake (the first handshake done wins); the winner's connection,
 * TLS state included, then moves into this socket, which emits 'connect' and
 * 'secureConnect' and answers `alpnProtocol`, `authorized`, `getPeerCertificate()`.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import type { ConnectOptions } from '../connect-options.js';
import { nodeTls } from '../system/lazy-builtins.js';
import { inherit } from './late-parent.js';
import { PendingConnection, startRace } from './pending-connection.js';

export interface TlsPlaceholderOptions {
  /** The context every attempt uses too (one per createConnection call, not one per attempt). */
  secureContext: tls.SecureContext;
  rejectUnauthorized: boolean;
  allowHalfOpen?: boolean | undefined;
}

/** Extends `tls.TLSSocket`, node:tls being required by the first one made (late-parent.ts). */
export class HappyEyeballsTlsSocket extends (Object as unknown as typeof tls.TLSSocket) {
  readonly #connection = new PendingConnection(this);

  constructor(options: TlsPlaceholderOptions) {
    inherit(HappyEyeballsTlsSocket, nodeTls().TLSSocket);
    // No socket given: Node wraps an unconnected TCP handle, as tls.connect() does before it
    // connects. It holds the place (http2 checks `_handle` at once) until the winner's replaces it.
    super(undefined as unknown as net.Socket, { ...options, isServer: false, requestCert: true } as tls.TLSSocketOptions);
    // As tls.connect(): errors are the caller's from now on (lib/_tls_wrap.js `_releaseControl`).
    (this as unknown as { _releaseControl(): void })._releaseControl();
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
