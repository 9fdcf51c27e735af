/**
 * The client's encrypted upstreams (encrypted-upstreams.ts), whose code is loaded by the
 * first client made with a DoT or DoH server: most programs never use them, and their
 * ~25 KB would otherwise be compiled by every import of the library. Once loaded, every
 * later client makes its upstreams at once. A try that comes while the code loads waits
 * for it as a round trip waits for its answer: cancelling ends the wait at once, the try's
 * deadline is a timeout, and code that fails to load (a chunk removed under a running
 * process, EMFILE) is that server's failure, so the client moves on to its next server;
 * the next try loads it again.
 */
import type { TimerHandle } from '../clock.js';
import type { CancelListener } from './cancel.js';
import type { EncryptedContext } from './encrypted-types.js';
import type { EncryptedUpstreams } from './encrypted-upstreams.js';
import type { Question } from './query.js';
import { holdTry, releaseTry, type ReplyResult, type TransportOptions } from './transport.js';
import type { DnsServer, HttpsServerAddress, TlsServerAddress } from './types.js';

type UpstreamsModule = typeof import('./encrypted-upstreams.js');

const importCode = (): Promise<UpstreamsModule> => import('./encrypted-upstreams.js');
let importer = importCode;
let loaded: UpstreamsModule | undefined;
let loading: Promise<UpstreamsModule> | undefined;

/** Whether the DoT/DoH code is loaded yet (tests check the path taken). */
export function encryptedCodeLoaded(): boolean {
  return loaded !== undefined;
}

/**
 * Tests: forgets the loaded code and loads it with `load` from now on (the real import
 * when undefined), so a load can be held, or made to fail, on cue.
 */
export function reloadEncryptedCodeWith(load: (() => Promise<UpstreamsModule>) | undefined): void {
  importer = load ?? importCode;
  loaded = undefined;
  loading = undefined;
}

function load(): Promise<UpstreamsModule> {
  loading ??= importer().then(
    (module) => (loaded = module),
    (err: unknown) => {
      loading = undefined; // the next client tries again
      throw err;
    },
  );
  return loading;
}

export class EncryptedTransports {
  #upstreams: EncryptedUpstreams | undefined;
  /** Settles when `#upstreams` is made, or with the load's error; undefined once made or failed. */
  #ready: Promise<EncryptedUpstreams> | undefined;
  #closed = false;

  readonly #servers: readonly DnsServer[];
  readonly #context: EncryptedContext;

  constructor(servers: readonly DnsServer[], context: EncryptedContext) {
    this.#servers = servers;
    this.#context = context;
    if (loaded) this.#upstreams = new loaded.EncryptedUpstreams(servers, context);
    else this.#load();
  }

  /** Loads the code and makes the upstreams; a failed load is forgotten, so the next try loads again. */
  #load(): Promise<EncryptedUpstreams> {
    const ready = load().then((module) => {
      const upstreams = new module.EncryptedUpstreams(this.#servers, this.#context);
      this.#upstreams = upstreams;
      this.#ready = undefined;
      if (this.#closed) upstreams.close();
      return upstreams;
    });
    this.#ready = ready;
    // A failed load reaches the tries waiting for it; with none waiting it is nobody's error.
    ready.catch(() => {
      if (this.#ready === ready) this.#ready = undefined;
    });
    return ready;
  }

  /** One try against a configured DoT or DoH server (the very object from the config). */
  exchange(server: TlsServerAddress | HttpsServerAddress, question: Question, options: TransportOptions): Promise<ReplyResult> {
    if (this.#upstreams) return this.#upstreams.exchange(server, question, options);
    return new Promise((resolve, reject) => {
      if (options.scope.reason) return reject(options.scope.reason);
      new LoadWait(this.#ready ?? this.#load(), options, resolve, reject, (upstreams) => upstreams.exchange(server, question, options));
    });
  }

  /** Closes every connection and session now (none is open while the code loads). */
  close(): void {
    this.#closed = true;
    this.#upstreams?.close();
  }
}

/** A try waiting for the code: until it loads, the try's cancel scope and deadline are this wait's. */
class LoadWait implements CancelListener {
  readonly #options: TransportOptions;
  readonly #resolve: (result: ReplyResult) => void;
  readonly #reject: (reason: Error) => void;
  readonly #timer: TimerHandle;
  #ended = false;

  constructor(
    ready: Promise<EncryptedUpstreams>,
    options: TransportOptions,
    resolve: (result: ReplyResult) => void,
    reject: (reason: Error) => void,
    then: (upstreams: EncryptedUpstreams) => Promise<ReplyResult>,
  ) {
    this.#options = options;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#timer = holdTry(options, this, () => this.#expire());
    ready.then(
      (upstreams) => {
        if (this.#end()) then(upstreams).then(resolve, reject);
      },
      (cause: unknown) => {
        if (this.#end()) resolve({ kind: 'failure', code: 'ECONNREFUSED', cause });
      },
    );
  }

  /** Called by the scope only before #end, which unsubscribes. */
  cancelled(reason: Error): void {
    this.#end();
    this.#reject(reason);
  }

  /** The timer fires only before #end, which clears it. */
  #expire(): void {
    this.#end();
    this.#options.onTimeout();
    this.#resolve({ kind: 'failure', code: 'ETIMEOUT' });
  }

  /** Lets go of the timer and the scope; false when already ended. */
  #end(): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    releaseTry(this.#options, this, this.#timer);
    return true;
  }
}
