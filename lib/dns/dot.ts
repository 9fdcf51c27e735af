/**
 * DNS over TLS (RFC 7858): one long-lived TLS connection per server, shared by every
 * query of the client (RFC 7858 §3.4, RFC 7766 §6.2.1). A try waits here until the
 * connection is up and has a free slot (`maxInFlight`), then goes to the connection
 * (dot-connection.ts), which pipelines it and matches its answer in any order.
 * A connect that fails puts the server into backoff (reconnect.ts); a connection that
 * closes after its handshake is reopened by the next try, at once.
 */
import type { TimerHandle } from '../clock.js';
import type { CancelListener } from './cancel.js';
import { DotConnection, type DotConnectionOwner, type DotWaiter } from './dot-connection.js';
import type { EncryptedContext } from './encrypted-types.js';
import type { Question, SentQuery } from './query.js';
import { Backoff } from './reconnect.js';
import { holdTry, releaseTry, serverKey, type ReplyResult, type TransportFailure, type TransportOptions } from './transport.js';
import type { TlsServerAddress } from './types.js';

/** Waiting tries are taken from the front; the array is cut when this many are behind. */
const COMPACT_AT = 1024;

export class DotUpstream implements DotConnectionOwner {
  readonly server: TlsServerAddress;
  /** `tls://ip:port[#name]`, for messages. */
  readonly key: string;
  readonly context: EncryptedContext;
  readonly #backoff: Backoff;
  #connection: DotConnection | undefined;
  /** Tries not yet written, oldest first, from `#head` on; ended ones are skipped. */
  #waiting: DotTry[] = [];
  #head = 0;
  #live = 0;

  constructor(server: TlsServerAddress, context: EncryptedContext) {
    this.server = server;
    this.key = serverKey(server);
    this.context = context;
    const { clock, config } = context;
    this.#backoff = new Backoff(clock, config.reconnectDelay, config.maxReconnectDelay);
  }

  exchange(question: Question, options: TransportOptions): Promise<ReplyResult> {
    return new Promise((resolve, reject) => {
      if (options.scope.reason) return reject(options.scope.reason);
      // While backing off, fail at once: the client asks its next server.
      const blocked = this.#connection ? undefined : this.#backoff.blocked();
      if (blocked) return resolve(blocked);
      this.context.stats.dotQueries++;
      this.#waiting.push(new DotTry(this, question, options, resolve, reject));
      this.#live++;
      this.#pump();
    });
  }

  /** Moves waiting tries onto the connection while it has room; opens one if needed. */
  #pump(): void {
    if (this.#live === 0) return;
    const connection = this.#connection;
    if (!connection) {
      this.#connection = new DotConnection(this);
      return; // its handshake calls onReady, which pumps
    }
    if (!connection.ready) return;
    while (this.#live > 0 && connection.hasRoom()) {
      const next = this.#waiting[this.#head++]!;
      if (next.ended) continue;
      this.#live--;
      connection.send(next);
    }
    if (this.#live === 0) this.#clearWaiting();
    else if (this.#head >= COMPACT_AT) this.#compact();
  }

  onReady(connection: DotConnection): void {
    this.#backoff.succeeded();
    this.context.stats.dotConnections++;
    this.#pump();
    connection.idleIfUnused();
  }

  /** An answer or an abandoned try left a slot free on the connection. */
  onSlotFree(connection: DotConnection): void {
    this.#pump();
    connection.idleIfUnused();
  }

  /** The connection is going (idle, failed, closed by the server): new tries need another. */
  onDetached(connection: DotConnection): void {
    if (this.#connection === connection) this.#connection = undefined;
  }

  /**
   * The connection is closed. `failure`: it never completed its handshake, so the server
   * backs off and every waiting try fails the same way. Otherwise waiting tries get a
   * new connection.
   */
  onClosed(connection: DotConnection, failure: TransportFailure | undefined): void {
    this.onDetached(connection);
    if (failure === undefined) return this.#pump();
    if (failure.code === 'ECERT') this.context.stats.certificateFailures++;
    this.#backoff.failed(failure);
    const waiting = this.#waiting.slice(this.#head);
    this.#clearWaiting();
    for (const waiter of waiting) waiter.settle(failure);
  }

  /** A try ended (timeout, cancel) before its answer. */
  abandon(waiter: DotTry, timedOut: boolean): void {
    if (waiter.connection) return waiter.connection.abandon(waiter);
    this.#live--;
    if (this.#live > 0) return;
    this.#clearWaiting();
    // Nobody waits for a connect still under way: give it up. A whole try's time without
    // a handshake is the server's failure; a cancelled query is nobody's.
    const connection = this.#connection;
    if (connection && !connection.ready)
      connection.abort(
        timedOut ? { kind: 'failure', code: 'ETIMEOUT', cause: new Error(`no TLS handshake with ${this.key} within the try's timeout`) } : undefined,
      );
  }

  /** Closes the connection now (the client is closing). */
  close(): void {
    this.#connection?.abort(undefined);
  }

  #clearWaiting(): void {
    this.#waiting = [];
    this.#head = 0;
    this.#live = 0;
  }

  #compact(): void {
    this.#waiting = this.#waiting.slice(this.#head);
    this.#head = 0;
  }
}

/** One try on a DoT server: waiting, then in flight on a connection, until it ends once. */
export class DotTry implements CancelListener, DotWaiter {
  ended = false;
  /** Where it is in flight, once written; with its query as sent. */
  connection: DotConnection | undefined;
  query: SentQuery | undefined;
  readonly question: Question;
  readonly #upstream: DotUpstream;
  readonly #options: TransportOptions;
  readonly #timer: TimerHandle;
  readonly #resolve: (result: ReplyResult) => void;
  readonly #reject: (reason: Error) => void;

  constructor(upstream: DotUpstream, question: Question, options: TransportOptions, resolve: (result: ReplyResult) => void, reject: (reason: Error) => void) {
    this.#upstream = upstream;
    this.question = question;
    this.#options = options;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#timer = holdTry(options, this, () => this.#expire());
  }

  written(connection: DotConnection, query: SentQuery): void {
    this.connection = connection;
    this.query = query;
  }

  /**
   * An answer or a failure: the connection (or the upstream) has already let go of this
   * try. A failed connect settles every waiting try, ended ones included.
   */
  settle(result: ReplyResult): void {
    if (this.ended) return;
    this.#end();
    this.#resolve(result);
  }

  /** Called by the scope only before #end, which unsubscribes. */
  cancelled(reason: Error): void {
    this.#end();
    this.#upstream.abandon(this, false);
    this.#reject(reason);
  }

  /** The timer fires only before #end, which clears it. */
  #expire(): void {
    this.#end();
    this.#options.onTimeout();
    this.#upstream.abandon(this, true);
    this.#resolve({ kind: 'failure', code: 'ETIMEOUT' });
  }

  /** Lets go of the timer and the cancel scope. */
  #end(): void {
    this.ended = true;
    releaseTry(this.#options, this, this.#timer);
  }
}
