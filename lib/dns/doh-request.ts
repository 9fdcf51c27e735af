/**
 * One DoH try: one HTTP/2 stream (RFC 8484 §4.1). The query goes out padded, under ID 0
 * (§4.1: cache friendly), as a POST body or as the base64url `dns` parameter of a GET
 * (§4.1, §6: no padding characters). The answer must be a 200 with
 * `application/dns-message` (§4.2.1, §6); other statuses become DNS failures:
 *
 *   5xx           → ESERVFAIL  the server could not answer now, as RCODE SERVFAIL
 *   401, 403, 429 → EREFUSED   the server will not answer us (policy, rate limit), as REFUSED
 *   other         → EBADRESP   no DNS answer came back (wrong path, 415, a redirect…)
 */
import type * as http2 from 'node:http2';
import type { TimerHandle } from '../clock.js';
import type { CancelListener } from './cancel.js';
import type { EncryptedContext } from './encrypted-types.js';
import { paddedQuery } from './padding.js';
import type { Question, SentQuery } from './query.js';
import { decodeReply, isTruncated, matchesQuery } from './reply.js';
import { holdTry, releaseTry, type ReplyResult, type TransportFailure, type TransportOptions } from './transport.js';
import type { HttpsServerAddress } from './types.js';

const DNS_MESSAGE = 'application/dns-message';
/** A DNS message is at most 65535 bytes (RFC 8484 §6 points to RFC 1035's limit). */
const MAX_BODY = 65_535;
// HTTP/2 error codes (RFC 9113 §7), as node:http2's constants name them: not read from
// the module, which is loaded only with the first DoH session (doh.ts).
const NGHTTP2_REFUSED_STREAM = 0x7;
const NGHTTP2_CANCEL = 0x8;

/** The server's upstream (doh.ts) a try belongs to. */
export interface DohTryOwner {
  readonly server: HttpsServerAddress;
  /** The URL, for messages. */
  readonly key: string;
  readonly context: EncryptedContext;
  /** Starts the try (again) on the current session. */
  send(request: DohTry): void;
}

/** The HTTP/2 session (doh.ts) a try runs on. */
export interface DohTrySession {
  readonly destroyed: boolean;
  ended(request: DohTry, timedOut: boolean): void;
}

export class DohTry implements CancelListener {
  readonly #upstream: DohTryOwner;
  readonly #options: TransportOptions;
  readonly #query: SentQuery;
  readonly #timer: TimerHandle;
  readonly #resolve: (result: ReplyResult) => void;
  readonly #reject: (reason: Error) => void;
  #ended = false;
  /** A 200 with the right media type came: the body is the answer. */
  #accepted = false;
  /** The whole answer came: the stream needs no reset. */
  #complete = false;
  /** A stream the server refused unprocessed is sent once more (RFC 9113 §8.7). */
  #retried = false;
  #session: DohTrySession | undefined;
  #stream: http2.ClientHttp2Stream | undefined;
  #error: unknown;
  #body: Buffer[] = [];
  #bytes = 0;

  constructor(upstream: DohTryOwner, question: Question, options: TransportOptions, resolve: (result: ReplyResult) => void, reject: (reason: Error) => void) {
    this.#upstream = upstream;
    this.#options = options;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#query = paddedQuery(question, 0);
    this.#timer = holdTry(options, this, () => this.#expire());
  }

  start(session: DohTrySession, h2: http2.ClientHttp2Session): void {
    this.#session = session;
    this.#body = [];
    this.#bytes = 0;
    const get = this.#upstream.context.config.dohMethod === 'GET';
    let stream: http2.ClientHttp2Stream;
    try {
      stream = h2.request(get ? this.#getHeaders() : this.#postHeaders(), { endStream: get });
      /* c8 ignore next 3 -- request() throws on a closed or destroyed session, which is never used, or when stream IDs run out (2^30 streams) */
    } catch (err) {
      return this.settle({ kind: 'failure', code: 'ECONNRESET', cause: err });
    }
    this.#stream = stream;
    stream.on('response', (headers) => this.#onResponse(headers));
    stream.on('data', (chunk: Buffer) => this.#onData(chunk));
    stream.on('end', () => this.#onEnd());
    stream.on('error', (err) => void (this.#error ??= err));
    stream.on('close', () => this.#onClose(stream));
    if (!get) stream.end(this.#query.packet);
  }

  /** The answer, or a failure (from here or from the session). Only the first counts: #end is idempotent. */
  settle(result: ReplyResult): void {
    this.#end(false);
    this.#resolve(result);
  }

  /** Called by the scope only before #end, which unsubscribes. */
  cancelled(reason: Error): void {
    this.#end(false);
    this.#reject(reason);
  }

  /** The timer fires only before #end, which clears it. */
  #expire(): void {
    this.#end(true);
    this.#options.onTimeout();
    this.#resolve({ kind: 'failure', code: 'ETIMEOUT' });
  }

  #postHeaders(): http2.OutgoingHttpHeaders {
    const { path } = this.#upstream.server;
    return { ':method': 'POST', ':path': path, 'content-type': DNS_MESSAGE, accept: DNS_MESSAGE, 'content-length': this.#query.packet.length };
  }

  #getHeaders(): http2.OutgoingHttpHeaders {
    const { path } = this.#upstream.server;
    const dns = this.#query.packet.toString('base64url'); // RFC 4648 §5, no '=' (RFC 8484 §6)
    return { ':method': 'GET', ':path': `${path}${path.includes('?') ? '&' : '?'}dns=${dns}`, accept: DNS_MESSAGE };
  }

  #onResponse(headers: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader): void {
    const status = headers[':status']!;
    if (status !== 200) return this.settle(httpFailure(status, this.#upstream.key));
    const type = headers['content-type'];
    if (!isDnsMessage(type)) return this.settle(badAnswer(`${this.#upstream.key} answered with content-type ${JSON.stringify(type ?? null)}`));
    this.#accepted = true;
  }

  #onData(chunk: Buffer): void {
    if (this.#ended) return;
    this.#bytes += chunk.length;
    if (this.#bytes > MAX_BODY) return this.settle(badAnswer(`${this.#upstream.key} sent a body over ${MAX_BODY} bytes`));
    this.#body.push(chunk);
  }

  /** A stream cut with its session also ends, without a response: 'close' decides then. */
  #onEnd(): void {
    if (this.#ended || !this.#accepted) return;
    this.#complete = true;
    const body = Buffer.concat(this.#body, this.#bytes);
    // The stream pairs question and answer; one that does not match is a broken server.
    const reply = matchesQuery(body, this.#query) && !isTruncated(body) ? decodeReply(body, this.#query.questionEnd) : undefined;
    this.settle(reply ? { kind: 'reply', reply } : badAnswer(`${this.#upstream.key} sent a body that is no answer to the query`));
  }

  #onClose(stream: http2.ClientHttp2Stream): void {
    if (this.#ended || stream !== this.#stream) return;
    const session = this.#session!;
    if (stream.rstCode === NGHTTP2_REFUSED_STREAM && !this.#retried) {
      this.#retried = true;
      session.ended(this, false);
      return this.#upstream.send(this);
    }
    if (session.destroyed) return; // the session's 'close' settles this try with its reason
    const cause = this.#error ?? new Error(`${this.#upstream.key} reset the stream (HTTP/2 error ${stream.rstCode})`);
    this.settle({ kind: 'failure', code: 'ECONNRESET', cause });
  }

  /** Lets go of the timer, the scope, the stream and the session; a second call changes nothing. */
  #end(timedOut: boolean): void {
    this.#ended = true;
    releaseTry(this.#options, this, this.#timer);
    const stream = this.#stream;
    if (stream && !this.#complete && !stream.closed) stream.close(NGHTTP2_CANCEL);
    this.#session!.ended(this, timedOut);
  }
}

/** RFC 8484 §4.2.1 statuses as DNS failures (see the table above). */
function httpFailure(status: number, server: string): TransportFailure {
  const cause = Object.assign(new Error(`${server} answered HTTP ${status}`), { status });
  if (status >= 500 && status <= 599) return { kind: 'failure', code: 'ESERVFAIL', cause };
  if (status === 401 || status === 403 || status === 429) return { kind: 'failure', code: 'EREFUSED', cause };
  return { kind: 'failure', code: 'EBADRESP', cause };
}

/** `application/dns-message`, any case, parameters allowed (RFC 9110 §8.3.1). */
function isDnsMessage(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.split(';', 1)[0]!.trim().toLowerCase() === DNS_MESSAGE;
}

function badAnswer(message: string): TransportFailure {
  return { kind: 'failure', code: 'EBADRESP', cause: new Error(message) };
}
