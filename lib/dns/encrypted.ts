/**
 * The client's encrypted upstreams (encrypted-upstreams.ts), whose code is loaded by the
 * first client made with a DoT or DoH server: most programs never use them, and their
 * ~25 KB would otherwise be compiled by every import of the library. Once loaded, every
 * later client makes its upstreams at once; a query that comes while the code loads
 * waits for it (a few milliseconds, within its try's deadline).
 */
import type { EncryptedContext } from './encrypted-types.js';
import type { EncryptedUpstreams } from './encrypted-upstreams.js';
import type { Question } from './query.js';
import type { ReplyResult, TransportOptions } from './transport.js';
import type { DnsServer, HttpsServerAddress, TlsServerAddress } from './types.js';

type UpstreamsModule = typeof import('./encrypted-upstreams.js');

let loaded: UpstreamsModule | undefined;
let loading: Promise<UpstreamsModule> | undefined;

/** Whether the DoT/DoH code is loaded yet (tests check the path taken). */
export function encryptedCodeLoaded(): boolean {
  return loaded !== undefined;
}

function load(): Promise<UpstreamsModule> {
  loading ??= import('./encrypted-upstreams.js').then((module) => (loaded = module));
  return loading;
}

export class EncryptedTransports {
  #upstreams: EncryptedUpstreams | undefined;
  /** Settles when `#upstreams` is made (the code loaded); undefined once it is. */
  #ready: Promise<EncryptedUpstreams> | undefined;

  constructor(servers: readonly DnsServer[], context: EncryptedContext) {
    if (loaded) this.#upstreams = new loaded.EncryptedUpstreams(servers, context);
    else
      this.#ready = load().then((module) => {
        const upstreams = new module.EncryptedUpstreams(servers, context);
        this.#upstreams = upstreams;
        this.#ready = undefined;
        return upstreams;
      });
  }

  /** One try against a configured DoT or DoH server (the very object from the config). */
  exchange(server: TlsServerAddress | HttpsServerAddress, question: Question, options: TransportOptions): Promise<ReplyResult> {
    if (this.#upstreams) return this.#upstreams.exchange(server, question, options);
    // Should the client close meanwhile, it has cancelled the query first: the try then
    // rejects with its scope's reason and opens nothing.
    return this.#ready!.then((upstreams) => upstreams.exchange(server, question, options));
  }

  /** Closes every connection and session now (none is open while the code loads). */
  close(): void {
    this.#upstreams?.close();
  }
}
