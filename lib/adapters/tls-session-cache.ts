/**
 * A small LRU of TLS sessions by server name, so a new connection to the same server
 * can resume (RFC 8446 §2.2) instead of a full handshake.
 */
export class TlsSessionCache {
  readonly #max: number;
  readonly #sessions = new Map<string, Buffer>();

  /** `max` 0 keeps nothing. */
  constructor(max: number) {
    this.#max = max;
  }

  get(key: string): Buffer | undefined {
    const session = this.#sessions.get(key);
    if (session === undefined) return undefined;
    // Map order is insertion order: re-insert to mark it most recently used.
    this.#sessions.delete(key);
    this.#sessions.set(key, session);
    return session;
  }

  set(key: string, session: Buffer): void {
    if (this.#max === 0) return;
    this.#sessions.delete(key);
    if (this.#sessions.size >= this.#max) this.#sessions.delete(this.#sessions.keys().next().value as string);
    this.#sessions.set(key, session);
  }
}
