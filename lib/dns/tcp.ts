/**
 * Stream round trip (RFC 1035 §4.2.2, RFC 7766): one query on a fresh TCP connection,
 * each message behind a 2-byte length. Used after a truncated UDP reply.
 */
import net from 'node:net';
import { errorCode } from '../errors.js';
import type { SentQuery } from './query.js';
import { decodeReply, isTruncated, matchesQuery } from './reply.js';
import { literalLookup, type TransportOptions, type ReplyResult } from './transport.js';
import type { ServerAddress } from './types.js';

export function tcpExchange(server: ServerAddress, query: SentQuery, options: TransportOptions): Promise<ReplyResult> {
  const { clock, scope, onIgnored } = options;
  return new Promise((resolve, reject) => {
    if (scope.reason) return reject(scope.reason);
    const socket = net.connect({ host: server.address, port: server.port, lookup: literalLookup, noDelay: true });
    const frames = new FrameReader();
    let open = true;
    const finish = (result: ReplyResult | undefined, err?: unknown): void => {
      if (!open) return;
      open = false;
      clock.clearTimeout(timer);
      scope.off(listener);
      socket.destroy();
      if (result) resolve(result);
      else reject(err);
    };
    // A server that trickles or never finishes its frame is bounded by the try's deadline.
    const timer = clock.setTimeout(
      () => {
        options.onTimeout();
        finish({ kind: 'failure', code: 'ETIMEOUT' });
      },
      Math.max(0, options.deadline - clock.now()),
    );
    const listener = { cancelled: (reason: Error) => finish(undefined, reason) };
    scope.on(listener);
    socket.on('error', (err) => {
      finish({ kind: 'failure', code: errorCode(err) === 'ECONNREFUSED' ? 'ECONNREFUSED' : 'ECONNRESET', cause: err });
    });
    socket.on('close', () => finish({ kind: 'failure', code: 'ECONNRESET', cause: new Error('closed before a reply') }));
    socket.on('data', (chunk: Buffer) => {
      for (const frame of frames.push(chunk)) {
        if (!open) return;
        const result = acceptFrame(frame, query);
        if (result === undefined) onIgnored();
        else finish(result);
      }
    });
    socket.write(lengthPrefixed(query.packet));
  });
}

/**
 * Only a decodable, untruncated reply to our query ends the round trip; any other frame
 * is skipped and the deadline bounds the wait, as over UDP.
 */
function acceptFrame(frame: Buffer, query: SentQuery): ReplyResult | undefined {
  if (!matchesQuery(frame, query) || isTruncated(frame)) return undefined;
  const reply = decodeReply(frame, query.questionEnd);
  return reply && { kind: 'reply', reply };
}

export function lengthPrefixed(message: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(message.length + 2);
  framed.writeUInt16BE(message.length, 0);
  message.copy(framed, 2);
  return framed;
}

/**
 * Splits a byte stream into length-prefixed frames, whatever the chunking. Frames are at
 * most 65535 bytes by construction, so what is held is bounded by one frame plus one chunk.
 * Chunks are kept in a list and joined once per frame, so trickled bytes cost O(n).
 */
export class FrameReader {
  #chunks: Buffer[] = [];
  #buffered = 0;
  #need: number | undefined;

  /** Bytes held while a frame is incomplete. */
  get buffered(): number {
    return this.#buffered;
  }

  push(chunk: Buffer): Buffer[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.#need === undefined) {
        if (this.#buffered < 2) break;
        this.#need = this.#take(2).readUInt16BE(0);
      }
      if (this.#buffered < this.#need) break;
      frames.push(this.#take(this.#need));
      this.#need = undefined;
    }
    return frames;
  }

  #take(bytes: number): Buffer {
    const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#buffered);
    const rest = all.subarray(bytes);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
    return all.subarray(0, bytes);
  }
}
