/**
 * One DoT connection: a TLS socket carrying length-prefixed DNS messages (RFC 7858 §3.3,
 * RFC 1035 §4.2.2). Queries are pipelined, each under an ID unique among those in flight
 * here, and padded (padding.ts); answers are matched by ID and question, in whatever
 * order they come (RFC 7766 §7). Nobody but the server can write into a TLS stream, so a
 * frame that answers nothing we asked is the server breaking the protocol: the
 * connection is closed and its tries fail over (EBADRESP). An answer to a try that timed
 * out is expected, and ignored.
 */
import tls from 'node:tls';
import { type TimerHandle, unrefTimer } from '../clock.js';
import type { EncryptedContext } from './encrypted-types.js';
import { paddedQuery } from './padding.js';
import { newQueryId, type Question, type SentQuery } from './query.js';
import { connectFailure } from './reconnect.js';
import { decodeReply, isTruncated, matchesQuery } from './reply.js';
import { FrameReader, lengthPrefixed } from './tcp.js';
import { literalLookup, type ReplyResult, type TransportFailure } from './transport.js';
import type { TlsServerAddress } from './types.js';

/** IDs of abandoned tries remembered per connection, so their late answers are no error. */
const ABANDONED_KEPT = 1024;
const HEADER_BYTES = 12;
const FLAG_QR = 0x80; // in byte 2

/** The server's upstream (dot.ts) a connection reports to. */
export interface DotConnectionOwner {
  readonly server: TlsServerAddress;
  /** `tls://ip:port[#name]`, for messages. */
  readonly key: string;
  readonly context: EncryptedContext;
  onReady(connection: DotConnection): void;
  onSlotFree(connection: DotConnection): void;
  onDetached(connection: DotConnection): void;
  onClosed(connection: DotConnection, failure: TransportFailure | undefined): void;
}

/** One try as a connection carries it (dot.ts's DotTry). */
export interface DotWaiter {
  readonly question: Question;
  /** Set by `written`: the query as sent. */
  readonly query: SentQuery | undefined;
  written(connection: DotConnection, query: SentQuery): void;
  settle(result: ReplyResult): void;
}

export class DotConnection {
  /** The TLS handshake is done and the connection not yet closed. */
  ready = false;
  readonly #upstream: DotConnectionOwner;
  readonly #socket: tls.TLSSocket;
  readonly #inflight = new Map<number, DotWaiter>();
  readonly #abandoned = new Set<number>();
  readonly #frames = new FrameReader();
  #handshaken = false;
  #error: unknown;
  /** Shut down: its tries settled and the upstream told, once. */
  #down = false;
  #idleTimer: TimerHandle | undefined;
  #corked = false;

  constructor(upstream: DotConnectionOwner) {
    this.#upstream = upstream;
    const { server, context } = upstream;
    this.#socket = tls.connect({
      ...context.config.tls,
      host: server.address,
      port: server.port,
      // RFC 8310 §8: authenticate the name configured, else the address itself.
      servername: server.servername,
      lookup: literalLookup,
    });
    this.#socket.setNoDelay(true); // each query leaves at once (writes of a tick are corked together)
    this.#socket.on('secureConnect', () => this.#onSecure());
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#socket.on('error', (err) => void (this.#error ??= err));
    // The server closed its side (its idle timeout): nothing more can be sent here.
    this.#socket.on('end', () => this.#detach());
    this.#socket.on('close', () => this.#onClose());
  }

  hasRoom(): boolean {
    return this.#inflight.size < this.#upstream.context.config.maxInFlight;
  }

  /** Writes the try's query under a fresh ID. Writes of one tick leave in one TLS record batch. */
  send(waiter: DotWaiter): void {
    const id = unusedId((candidate) => this.#inflight.has(candidate) || this.#abandoned.has(candidate));
    const query = paddedQuery(waiter.question, id);
    waiter.written(this, query);
    this.#inflight.set(id, waiter);
    this.#stopIdle();
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.#socket.uncork();
      });
    }
    this.#socket.write(lengthPrefixed(query.packet));
  }

  /** A try in flight here timed out or was cancelled: its answer may still come. */
  abandon(waiter: DotWaiter): void {
    const id = waiter.query!.id;
    this.#inflight.delete(id);
    this.#abandoned.add(id);
    if (this.#abandoned.size > ABANDONED_KEPT) this.#abandoned.delete(this.#abandoned.values().next().value!);
    this.#upstream.onSlotFree(this);
  }

  /** Nothing in flight: close after `idleTimeout`, and let the process exit meanwhile. */
  idleIfUnused(): void {
    if (!this.ready || this.#inflight.size > 0 || this.#idleTimer !== undefined) return;
    const { clock, config } = this.#upstream.context;
    this.#socket.unref();
    this.#idleTimer = clock.setTimeout(() => this.#closeIdle(), config.idleTimeout);
    unrefTimer(this.#idleTimer);
  }

  /**
   * Closes now, settling what is in flight with `failure` at once ('close' comes later).
   * A `failure` before the handshake puts the server into backoff; none means closed on
   * purpose (client closing, connect no longer wanted): nobody's failure.
   */
  abort(failure: TransportFailure | undefined): void {
    this.#shutdown(failure ?? closedOnPurpose(), failure !== undefined && !this.#handshaken);
    this.#socket.destroy();
  }

  #onSecure(): void {
    this.#handshaken = true;
    this.ready = true;
    this.#upstream.onReady(this);
  }

  #closeIdle(): void {
    this.#idleTimer = undefined;
    this.#detach();
    this.#socket.destroySoon(); // close_notify and FIN once written, then closed
  }

  #detach(): void {
    this.ready = false;
    this.#upstream.onDetached(this);
  }

  #stopIdle(): void {
    if (this.#idleTimer === undefined) return;
    this.#upstream.context.clock.clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#socket.ref();
  }

  #onData(chunk: Buffer): void {
    for (const frame of this.#frames.push(chunk)) {
      if (this.#socket.destroyed) return;
      this.#onFrame(frame);
    }
  }

  #onFrame(frame: Buffer): void {
    if (frame.length < HEADER_BYTES || (frame[2]! & FLAG_QR) === 0) return this.#violation(`a ${frame.length}-byte frame that is no DNS answer`);
    const id = frame.readUInt16BE(0);
    const waiter = this.#inflight.get(id);
    if (!waiter) {
      if (!this.#abandoned.delete(id)) return this.#violation(`an answer with ID ${id}, never asked`);
      this.#upstream.context.stats.ignoredReplies++; // late: its try timed out or was cancelled
      return;
    }
    const query = waiter.query!;
    if (!matchesQuery(frame, query)) return this.#violation(`an answer with ID ${id} to another question`);
    this.#inflight.delete(id);
    // Framing is intact, so the connection goes on; this one answer is unusable.
    const reply = isTruncated(frame) ? undefined : decodeReply(frame, query.questionEnd);
    if (reply) waiter.settle({ kind: 'reply', reply });
    else waiter.settle({ kind: 'failure', code: 'EBADRESP', cause: new Error(`${this.#upstream.key} sent a truncated or malformed answer`) });
    this.#upstream.onSlotFree(this);
  }

  #violation(what: string): void {
    const cause = new Error(`${this.#upstream.key} sent ${what}; connection closed`);
    this.abort({ kind: 'failure', code: 'EBADRESP', cause });
  }

  /** Closed by the server, the network, or after our abort (then already shut down). */
  #onClose(): void {
    if (!this.#down) this.#shutdown(this.#failure(), !this.#handshaken);
  }

  #shutdown(failure: TransportFailure, connectFailed: boolean): void {
    this.#down = true;
    this.ready = false;
    this.#stopIdle();
    const inflight = [...this.#inflight.values()];
    this.#inflight.clear();
    for (const waiter of inflight) waiter.settle(failure);
    this.#upstream.onClosed(this, connectFailed ? failure : undefined);
  }

  /** Why the connection closed when we did not close it ourselves. */
  #failure(): TransportFailure {
    // Node says why a handshake ended ('error' before 'close'); the fallback only keeps a cause.
    /* c8 ignore next */
    if (!this.#handshaken) return connectFailure(this.#error ?? new Error('closed during the TLS handshake'));
    return { kind: 'failure', code: 'ECONNRESET', cause: this.#error ?? new Error(`${this.#upstream.key} closed the connection`) };
  }
}

/** What tries in flight get when we close the connection on purpose (they were cancelled first). */
function closedOnPurpose(): TransportFailure {
  return { kind: 'failure', code: 'ECONNRESET', cause: new Error('connection closed') };
}

/**
 * A fresh random ID not taken on this connection. At most maxInFlight (<= 4096) +
 * ABANDONED_KEPT of the 65536 IDs are taken, so this ends after a few draws.
 */
export function unusedId(taken: (id: number) => boolean, draw: () => number = newQueryId): number {
  let id = draw();
  while (taken(id)) id = draw();
  return id;
}
