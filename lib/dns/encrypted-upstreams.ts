/**
 * The client's encrypted upstreams: one DoT connection manager (dot.ts) or DoH session
 * manager (doh.ts) per configured server, shared by all the client's queries. A failure
 * on one of them is that server's failure: the client moves on to its next server, and
 * nothing is ever retried in plaintext. Loaded by encrypted.ts when a client first has an
 * encrypted server (the package entry keeps this code in a chunk of its own).
 */
import { DohUpstream } from './doh.js';
import { DotUpstream } from './dot.js';
import type { EncryptedContext } from './encrypted-types.js';
import type { Question } from './query.js';
import type { ReplyResult, TransportOptions } from './transport.js';
import type { DnsServer, HttpsServerAddress, TlsServerAddress } from './types.js';

export class EncryptedUpstreams {
  readonly #dot = new Map<TlsServerAddress, DotUpstream>();
  readonly #doh = new Map<HttpsServerAddress, DohUpstream>();

  constructor(servers: readonly DnsServer[], context: EncryptedContext) {
    for (const server of servers) {
      if (server.transport === 'tls') this.#dot.set(server, new DotUpstream(server, context));
      if (server.transport === 'https') this.#doh.set(server, new DohUpstream(server, context));
    }
  }

  /** One try against a configured DoT or DoH server (the very object from the config). */
  exchange(server: TlsServerAddress | HttpsServerAddress, question: Question, options: TransportOptions): Promise<ReplyResult> {
    if (server.transport === 'tls') return this.#dot.get(server)!.exchange(question, options);
    return this.#doh.get(server)!.exchange(question, options);
  }

  /** Closes every connection and session now. */
  close(): void {
    for (const upstream of this.#dot.values()) upstream.close();
    for (const upstream of this.#doh.values()) upstream.close();
  }
}
