/**
 * DNS over HTTPS (RFC 8484): one HTTP/2 session per server (node:http2), every query of
 * the client a stream on it (RFC 8484 §5.2: HTTP/2 is the minimum). A session that
 * receives GOAWAY or goes idle takes no new streams; the next query opens a new one
 * while the old one finishes its streams. A session that fails to connect puts the
 * server into backoff (reconnect.ts).
 *
 * The URL's host is an IP literal, or a name resolved by `bootstrap` (the resolver's
 * hosts file and plain servers, never a DoH server: see resolver.ts) when a session
 * opens; Node's `autoSelectFamily` then races the addresses it gives.
 */
import { createRequire } from 'node:module';
import type * as http2 from 'node:http2';
import { isIP, type LookupFunction } from 'node:net';
import { type TimerHandle, unrefTimer } from '../clock.js';
import { DnsError } from '../errors.js';
import { DohTry, type DohTryOwner, type DohTrySession } from './doh-request.js';
import type { Bootstrap, EncryptedContext } from './encrypted-types.js';
import type { Question } from './query.js';
import { Backoff, connectFailure } from './reconnect.js';
import { serverKey, type ReplyResult, type TransportFailure, type TransportOptions } from './transport.js';
import type { HttpsServerAddress } from './types.js';

let h2: typeof http2 | undefined;

/** node:http2, required with the first DoH session: most processes never open one, and loading it is a measurable part of the import (docs/benchmarks.md, "import"). */
function loadHttp2(): typeof http2 {
  h2 ??= createRequire(import.meta.url)('node:http2') as typeof http2;
  return h2;
}

export class DohUpstream implements DohTryOwner {
  readonly server: HttpsServerAddress;
  /** The URL, for messages. */
  readonly key: string;
  readonly context: EncryptedContext;
  readonly #backoff: Backoff;
  readonly #lookup: LookupFunction | undefined;
  /** The session new streams go to. */
  #current: DohSession | undefined;
  /** Every open session: the current one and those finishing their streams. */
  readonly #sessions = new Set<DohSession>();

  constructor(server: HttpsServerAddress, context: EncryptedContext) {
    this.server = server;
    this.key = serverKey(server);
    this.context = context;
    const { clock, config, bootstrap } = context;
    this.#backoff = new Backoff(clock, config.reconnectDelay, config.maxReconnectDelay);
    // options.ts made sure a host name comes with a bootstrap.
    this.#lookup = isIP(server.host) === 0 ? bootstrapLookup(bootstrap!) : undefined;
  }

  exchange(question: Question, options: TransportOptions): Promise<ReplyResult> {
    return new Promise((resolve, reject) => {
      if (options.scope.reason) return reject(options.scope.reason);
      const blocked = this.#current ? undefined : this.#backoff.blocked();
      if (blocked) return resolve(blocked);
      this.context.stats.dohQueries++;
      this.send(new DohTry(this, question, options, resolve, reject));
    });
  }

  /** Starts (or restarts, after REFUSED_STREAM) a try on the current session. */
  send(request: DohTry): void {
    if (!this.#current?.usable) {
      this.#current = new DohSession(this, this.#lookup);
      this.#sessions.add(this.#current);
    }
    this.#current.start(request);
  }

  onConnect(): void {
    this.#backoff.succeeded();
    this.context.stats.dohSessions++;
  }

  /** GOAWAY received or idle: no new streams there. */
  onDraining(session: DohSession): void {
    if (this.#current === session) this.#current = undefined;
  }

  /** `failure`: the session never connected, so the server backs off. */
  onClosed(session: DohSession, failure: TransportFailure | undefined): void {
    this.onDraining(session);
    this.#sessions.delete(session);
    if (failure === undefined) return;
    if (failure.code === 'ECERT') this.context.stats.certificateFailures++;
    this.#backoff.failed(failure);
  }

  close(): void {
    for (const session of this.#sessions) session.abort(undefined);
  }
}

/** One HTTP/2 session and the tries on it. */
export class DohSession implements DohTrySession {
  readonly #upstream: DohUpstream;
  readonly #session: http2.ClientHttp2Session;
  readonly #tries = new Set<DohTry>();
  #connected = false;
  /** Shut down: its tries settled and the upstream told, once. */
  #closed = false;
  #error: unknown;
  #idleTimer: TimerHandle | undefined;

  constructor(upstream: DohUpstream, lookup: LookupFunction | undefined) {
    this.#upstream = upstream;
    const { server, context } = upstream;
    const host = server.host.includes(':') ? `[${server.host}]` : server.host;
    // noDelay (passed down to net.Socket, untyped here): a request must not wait for the ACK of the one before (Nagle).
    const options = { ...context.config.tls, noDelay: true, ...(lookup ? { lookup } : {}) } as http2.SecureClientSessionOptions;
    this.#session = loadHttp2().connect(`https://${host}:${server.port}`, options);
    this.#session.on('connect', () => this.#onConnect());
    this.#session.on('error', (err) => void (this.#error ??= err));
    this.#session.on('goaway', () => this.#upstream.onDraining(this));
    this.#session.on('close', () => this.#onClose());
  }

  /** A session that fails (or is torn down) fails its streams first, then itself: see DohTry. */
  get destroyed(): boolean {
    return this.#session.destroyed;
  }

  /** Takes new streams: not closing (GOAWAY, idle) and not torn down, though 'close' may not have come yet. */
  get usable(): boolean {
    return !this.#session.closed && !this.#session.destroyed;
  }

  start(request: DohTry): void {
    this.#stopIdle();
    this.#tries.add(request);
    request.start(this, this.#session);
  }

  /** A try is over (`timedOut`: its deadline passed). */
  ended(request: DohTry, timedOut: boolean): void {
    if (this.#closed || !this.#tries.delete(request)) return;
    if (this.#connected || this.#tries.size > 0) return this.#idleIfUnused();
    // Nobody waits for this connect any more (see DotUpstream#abandon).
    this.abort(
      timedOut ? { kind: 'failure', code: 'ETIMEOUT', cause: new Error(`no HTTP/2 session with ${this.#upstream.key} within the try's timeout`) } : undefined,
    );
  }

  /** As DotConnection#abort: settles its tries now; a `failure` before connecting backs off. */
  abort(failure: TransportFailure | undefined): void {
    this.#shutdown(failure ?? { kind: 'failure', code: 'ECONNRESET', cause: new Error('session closed') }, failure !== undefined && !this.#connected);
    this.#session.destroy();
  }

  #onConnect(): void {
    this.#connected = true;
    this.#upstream.onConnect();
    this.#idleIfUnused();
  }

  /** Nothing in flight: close after `idleTimeout`, and let the process exit meanwhile. */
  #idleIfUnused(): void {
    if (this.#tries.size > 0 || !this.#connected) return;
    const { clock, config } = this.#upstream.context;
    this.#session.unref();
    this.#idleTimer = clock.setTimeout(() => {
      this.#idleTimer = undefined;
      this.#upstream.onDraining(this);
      this.#session.close();
    }, config.idleTimeout);
    unrefTimer(this.#idleTimer);
  }

  #stopIdle(): void {
    if (this.#idleTimer === undefined) return;
    this.#upstream.context.clock.clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#session.ref();
  }

  /** Streams still waiting here get the session's verdict (their own errors come first and say less). */
  #onClose(): void {
    if (!this.#closed) this.#shutdown(this.#failure(), !this.#connected);
  }

  #shutdown(failure: TransportFailure, connectFailed: boolean): void {
    this.#closed = true;
    this.#stopIdle();
    for (const request of this.#tries) request.settle(failure);
    this.#tries.clear();
    this.#upstream.onClosed(this, connectFailed ? failure : undefined);
  }

  #failure(): TransportFailure {
    const key = this.#upstream.key;
    // Node says why a connect ended ('error' before 'close'); the fallback only keeps a cause.
    /* c8 ignore next */
    if (!this.#connected) return connectFailure(this.#error ?? new Error('closed before the HTTP/2 session was up'));
    return { kind: 'failure', code: 'ECONNRESET', cause: this.#error ?? new Error(`${key} closed the HTTP/2 session`) };
  }
}

/** net.connect's `lookup` for a DoH host name: the bootstrap's addresses, all of them when asked. */
export function bootstrapLookup(bootstrap: Bootstrap): LookupFunction {
  return (hostname, options, callback) => {
    const found = (addresses: string[]): void => {
      const wanted = addresses.filter((address) => !options.family || isIP(address) === options.family);
      if (wanted.length === 0) return callback(new DnsError('ENOTFOUND', { hostname }), '', 0);
      if (options.all)
        callback(
          null,
          wanted.map((address) => ({ address, family: isIP(address) })),
        );
      else callback(null, wanted[0]!, isIP(wanted[0]!));
    };
    bootstrap(hostname).then(found, (err: Error) => callback(err, '', 0));
  };
}
