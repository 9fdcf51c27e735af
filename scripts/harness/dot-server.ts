/**
 * A fake DNS-over-TLS server on loopback (RFC 7858): length-framed DNS over
 * tls.createServer, answering from a zone store, misbehaving per (name, type) on request
 * and counting TLS connections, so tests can check that queries share one.
 *
 *   const dot = await FakeDotServer.start({ credentials, zones });
 *   new Resolver({ servers: [dot.entry], tls: { ca } }); dot.connections; await dot.close();
 */
import net from 'node:net';
import tls from 'node:tls';
import { FrameReader, lengthPrefixed } from '../../lib/dns/tcp.js';
import { DnsResponder, type EncryptedBehaviour } from './dns-responder.js';
import type { ZoneStore } from '../../lib/lab/dns-store.js';
import type { Zone } from '../../lib/lab/dns-zone.js';
import type { Credentials } from '../../lib/lab/listeners.js';

export interface FakeDotServerOptions {
  credentials: Credentials;
  zones?: Zone[];
  /** Answer from this store (e.g. a FakeDnsServer's) instead of `zones`. */
  store?: ZoneStore;
  /** Loopback address to bind. @default '127.0.0.1' */
  host?: string;
  /** @default 0: a free port */
  port?: number;
}

export class FakeDotServer {
  readonly responder: DnsResponder;
  readonly address: { address: string; port: number; family: 4 | 6 };
  /** TLS connections accepted (handshake done). */
  connections = 0;
  /** TLS handshakes that failed (e.g. the client refused the certificate). */
  handshakeFailures = 0;
  readonly #server: tls.Server;
  readonly #open = new Set<tls.TLSSocket>();
  readonly #timers = new Set<NodeJS.Timeout>();

  private constructor(server: tls.Server, responder: DnsResponder) {
    this.#server = server;
    this.responder = responder;
    const { address, port, family } = server.address() as net.AddressInfo;
    this.address = { address, port, family: family === 'IPv6' ? 6 : 4 };
    server.on('secureConnection', (socket) => this.#onConnection(socket));
    server.on('tlsClientError', () => void this.handshakeFailures++);
  }

  static async start(options: FakeDotServerOptions): Promise<FakeDotServer> {
    const host = options.host ?? '127.0.0.1';
    const server = tls.createServer({ ...options.credentials, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: options.port ?? 0, host, ipv6Only: net.isIPv6(host) }, () => resolve());
    });
    return new FakeDotServer(server, new DnsResponder(options));
  }

  /** `tls://ip:port`, as Resolver `servers` take it (add `#name` to authenticate a name). */
  get entry(): string {
    const { address, port, family } = this.address;
    return family === 6 ? `tls://[${address}]:${port}` : `tls://${address}:${port}`;
  }

  setBehaviour(name: string, type: string, behaviour: EncryptedBehaviour | undefined): void {
    this.responder.setBehaviour(name, type, behaviour);
  }

  /** Queries seen for (name, type); each may be omitted. */
  count(name?: string, type?: string): number {
    return this.responder.count(name, type);
  }

  /** Closes every open connection from the server side, as a server's idle timeout does. */
  closeConnections(): void {
    for (const socket of this.#open) socket.end();
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.#open.size;
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const socket of this.#open) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #onConnection(socket: tls.TLSSocket): void {
    this.connections++;
    this.#open.add(socket);
    socket.on('close', () => this.#open.delete(socket));
    socket.on('error', () => {}); // clients may reset; nothing to do
    const frames = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of frames.push(chunk)) this.#onQuery(frame, socket);
    });
  }

  #onQuery(msg: Buffer, socket: tls.TLSSocket): void {
    const accepted = this.responder.accept(msg, 'dot');
    if (!accepted) return;
    const { behaviour } = accepted;
    if (behaviour.tcp === 'close') return void socket.end();
    // Forgeries are frames of their own before the reply; with `drop`, all that is sent.
    const forged = (behaviour.forge ?? []).flatMap((f) => [f(msg)].flat());
    const replies = behaviour.drop ? forged : [...forged, this.responder.reply(accepted)];
    if (replies.length === 0) return;
    const bytes = Buffer.concat(replies.map(lengthPrefixed));
    const send = (): void => {
      if (behaviour.tcp === 'trickle') this.#trickle(socket, bytes, behaviour.trickle!);
      else socket.write(bytes);
    };
    if (behaviour.delay === undefined) send();
    else this.#later(behaviour.delay, send);
  }

  /** The reply in pieces, so the client must join frames across chunks. */
  #trickle(socket: tls.TLSSocket, bytes: Buffer, trickle: { bytes: number; everyMs: number }): void {
    socket.write(bytes.subarray(0, trickle.bytes)); // to a closed socket: an 'error', ignored
    const rest = bytes.subarray(trickle.bytes);
    if (rest.length > 0) this.#later(trickle.everyMs, () => this.#trickle(socket, rest, trickle));
  }

  #later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }
}
