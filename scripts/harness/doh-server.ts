/**
 * A fake DNS-over-HTTPS server on loopback (RFC 8484): http2.createSecureServer, POST and
 * GET on one path, answering from a zone store, with HTTP misbehaviour per (name, type)
 * (status, content-type, REFUSED_STREAM, GOAWAY) and counts of HTTP/2 sessions and
 * requests, so tests can check that queries share one session.
 *
 *   const doh = await FakeDohServer.start({ credentials, zones });
 *   new Resolver({ servers: [doh.url], tls: { ca } }); doh.sessions; await doh.close();
 */
import http2 from 'node:http2';
import net from 'node:net';
import { DnsResponder, type EncryptedBehaviour } from './dns-responder.js';
import type { ZoneStore } from '../../lib/lab/dns-store.js';
import type { Zone } from '../../lib/lab/dns-zone.js';
import type { Credentials } from '../../lib/lab/listeners.js';

export interface FakeDohServerOptions {
  credentials: Credentials;
  zones?: Zone[];
  /** Answer from this store (e.g. a FakeDnsServer's) instead of `zones`. */
  store?: ZoneStore;
  /** Loopback address to bind. @default '127.0.0.1' */
  host?: string;
  /** @default 0: a free port */
  port?: number;
  /** @default '/dns-query' */
  path?: string;
}

export interface SeenRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  accept: string | undefined;
}

const DNS_MESSAGE = 'application/dns-message';
const MAX_BODY = 65_535;

export class FakeDohServer {
  readonly responder: DnsResponder;
  readonly address: { address: string; port: number; family: 4 | 6 };
  readonly path: string;
  /** HTTP/2 sessions opened by clients. */
  sessions = 0;
  readonly requests: SeenRequest[] = [];
  readonly #server: http2.Http2SecureServer;
  readonly #open = new Set<http2.ServerHttp2Session>();
  readonly #timers = new Set<NodeJS.Timeout>();

  private constructor(server: http2.Http2SecureServer, responder: DnsResponder, path: string) {
    this.#server = server;
    this.responder = responder;
    this.path = path;
    const { address, port, family } = server.address() as net.AddressInfo;
    this.address = { address, port, family: family === 'IPv6' ? 6 : 4 };
    server.on('session', (session) => {
      this.sessions++;
      this.#open.add(session);
      session.on('close', () => this.#open.delete(session));
      session.on('error', () => {}); // clients may reset; nothing to do
    });
    server.on('stream', (stream, headers) => this.#onStream(stream, headers));
  }

  static async start(options: FakeDohServerOptions): Promise<FakeDohServer> {
    const host = options.host ?? '127.0.0.1';
    const server = http2.createSecureServer({ ...options.credentials, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: options.port ?? 0, host, ipv6Only: net.isIPv6(host) }, () => resolve());
    });
    return new FakeDohServer(server, new DnsResponder(options), options.path ?? '/dns-query');
  }

  /** `https://ip:port/path`, or with `host` (a name the certificate carries) instead of the IP. */
  url(host?: string): string {
    const { address, port, family } = this.address;
    const h = host ?? (family === 6 ? `[${address}]` : address);
    return `https://${h}:${port}${this.path}`;
  }

  setBehaviour(name: string, type: string, behaviour: EncryptedBehaviour | undefined): void {
    this.responder.setBehaviour(name, type, behaviour);
  }

  count(name?: string, type?: string): number {
    return this.responder.count(name, type);
  }

  /** HTTP/2 sessions open now. */
  get openSessions(): number {
    return this.#open.size;
  }

  /** Sends GOAWAY on every open session, as a server going down for maintenance does. */
  goawayAll(): void {
    for (const session of this.#open) session.goaway();
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const session of this.#open) session.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    stream.on('error', () => {}); // a client may cancel
    const method = headers[':method']!;
    const url = new URL(headers[':path']!, 'https://doh.invalid');
    this.requests.push({ method, path: headers[':path']!, contentType: headers['content-type'], accept: headers.accept });
    if (url.pathname !== this.path) return respond(stream, 404);
    if (method === 'GET') return this.#answer(stream, Buffer.from(url.searchParams.get('dns') ?? '', 'base64url'));
    if (method !== 'POST') return respond(stream, 405);
    if (headers['content-type'] !== DNS_MESSAGE) return respond(stream, 415);
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => this.#answer(stream, Buffer.concat(chunks)));
  }

  #answer(stream: http2.ServerHttp2Stream, msg: Buffer): void {
    const accepted = msg.length > 0 && msg.length <= MAX_BODY ? this.responder.accept(msg, 'doh') : undefined;
    if (!accepted) return respond(stream, 400);
    const { behaviour } = accepted;
    const http = behaviour.http ?? {};
    if (behaviour.drop) return;
    if (behaviour.tcp === 'close') return void stream.session!.destroy();
    if (http.reset !== undefined) return stream.close(http.reset);
    if (http.status !== undefined) return respond(stream, http.status);
    const reply = http.body ?? this.responder.reply(accepted);
    const send = (): void => {
      if (stream.destroyed) return;
      const type = http.contentType === undefined ? DNS_MESSAGE : http.contentType;
      stream.respond({ ':status': 200, 'content-length': reply.length, ...(type === null ? {} : { 'content-type': type }) });
      stream.end(reply);
      if (http.goaway) stream.session!.goaway();
    };
    if (behaviour.delay === undefined) return send();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      send();
    }, behaviour.delay);
    this.#timers.add(timer);
  }
}

function respond(stream: http2.ServerHttp2Stream, status: number): void {
  stream.respond({ ':status': status, 'content-type': 'text/plain' });
  stream.end(`HTTP ${status}\n`);
}
