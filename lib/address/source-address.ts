/**
 * The I/O half of RFC 6724 §6: which source address the kernel would pick for each
 * destination. Connecting a UDP socket sets its route and local address without sending
 * anything; an error means no route, so the destination is unusable (rule 1).
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { type Clock, systemClock } from '../clock.js';
import { InvalidArgumentError } from '../errors.js';
import { numberIn } from '../options.js';
import type { NetworkMonitor } from '../system/network.js';

export interface SourceAddressFinderOptions {
  /** Time source for the cache. @default systemClock */
  clock?: Clock;
  /**
   * How long (ms) a result is reused. Long enough that a burst of connections (an HTTP
   * client opening several at once) probes once, short enough that a route change (VPN up,
   * Wi-Fi to cellular) is seen within a second. 0 disables caching; concurrent lookups of
   * one address still share a probe. @default 1000
   */
  ttlMs?: number;
  /** Test seam: finds one address's source; undefined = unusable. @default probeSource */
  probe?: (address: string) => Promise<string | undefined>;
  /**
   * The network the sources belong to: when its addresses change (asked on use, at most
   * once a second) every cached source is dropped at once, whatever its TTL. @default none
   */
  network?: NetworkMonitor | undefined;
}

/**
 * Bounds memory when many distinct addresses are looked up within one TTL: enough for
 * the addresses of 2,000 dual-stack names (below it, a working set cycling through more
 * addresses than this probes every time).
 */
const MAX_ENTRIES = 4096;
/** Any port will do: a UDP connect sends nothing. 9 is discard, as Go uses. */
const PROBE_PORT = 9;

interface CachedSource {
  source: string | undefined;
  expiresAt: number;
}

/**
 * Finds the source address for each destination by connecting a UDP socket to it (nothing
 * is sent) and reading its local address; an error → undefined (unusable, RFC 6724 §6 rule 1). Results
 * cached for ttlMs; concurrent lookups of the same address share one probe.
 */
export class SourceAddressFinder {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #probe: (address: string) => Promise<string | undefined>;
  readonly #network: NetworkMonitor | undefined;
  #cache = new Map<string, CachedSource>();
  #inFlight = new Map<string, Promise<string | undefined>>();

  constructor(options: SourceAddressFinderOptions = {}) {
    const ttlMs = options.ttlMs ?? 1000;
    numberIn('ttlMs', ttlMs, 0, Number.MAX_VALUE, 'milliseconds');
    this.#clock = options.clock ?? systemClock;
    this.#ttlMs = ttlMs;
    this.#probe = options.probe ?? probeSource;
    this.#network = options.network;
    // RFC 6724 §4: the source depends on the network; a new one makes every answer suspect.
    this.#network?.onChange(() => this.close());
  }

  /** Source per destination address, keyed by the strings given. Never rejects for a bad address: it is unusable. */
  async find(addresses: readonly string[]): Promise<Map<string, string | undefined>> {
    if (!Array.isArray(addresses)) throw new InvalidArgumentError('addresses', addresses, 'an array of IP addresses');
    this.#network?.key();
    this.#prune(this.#clock.now());
    const unique = [...new Set(addresses)];
    const sources = await Promise.all(unique.map((address) => this.#lookup(address)));
    return new Map(unique.map((address, i) => [address, sources[i]]));
  }

  /**
   * The sources of `addresses` when every one is cached and fresh, else undefined: lets a
   * warm caller sort at once, without a promise per address.
   */
  cached(addresses: readonly string[]): Map<string, string | undefined> | undefined {
    this.#network?.key();
    const now = this.#clock.now();
    const sources = new Map<string, string | undefined>();
    for (const address of addresses) {
      const entry = this.#cache.get(address);
      if (entry === undefined || entry.expiresAt <= now) return undefined;
      sources.set(address, entry.source);
    }
    return sources;
  }

  /** Drops cached results. The finder holds no socket or timer between calls; probes in flight still close theirs. */
  close(): void {
    this.#cache = new Map();
    this.#inFlight = new Map();
  }

  #lookup(address: string): Promise<string | undefined> {
    const cached = this.#cache.get(address);
    if (cached !== undefined && cached.expiresAt > this.#clock.now()) return Promise.resolve(cached.source);
    const running = this.#inFlight.get(address);
    if (running !== undefined) return running;
    // Captured now: if close() swaps the maps meanwhile, the result goes with the old ones.
    const cache = this.#cache;
    const inFlight = this.#inFlight;
    const probe = this.#probe(address)
      .catch(() => undefined) // a probe that fails says: no source, unusable
      .then((source) => {
        inFlight.delete(address);
        cache.delete(address); // re-inserted at the end, so Map order stays oldest first
        if (this.#ttlMs > 0) cache.set(address, { source, expiresAt: this.#clock.now() + this.#ttlMs });
        return source;
      });
    inFlight.set(address, probe);
    return probe;
  }

  /**
   * Removes expired entries, then the oldest beyond MAX_ENTRIES. Map order is insertion
   * order and every entry lives ttlMs, so the oldest expire first: stop at the first one
   * that stays (a full scan per lookup cost most of a cached lookup's time under load).
   */
  #prune(now: number): void {
    for (const [address, entry] of this.#cache) {
      if (entry.expiresAt > now && this.#cache.size <= MAX_ENTRIES) return;
      this.#cache.delete(address);
    }
  }
}

/** One probe: a UDP socket connected to `address`, its local address read, then closed. */
export function probeSource(address: string): Promise<string | undefined> {
  const family = isIP(address);
  if (family === 0) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', lookup: literalOnly });
    const finish = (source: string | undefined): void => {
      socket.close();
      resolve(source);
    };
    // Bind errors come as 'error' events, connect errors through the callback.
    const fail = (): void => finish(undefined);
    socket.once('error', fail);
    socket.connect(PROBE_PORT, address, (err?: Error) => (err ? fail() : finish(socket.address().address)));
    socket.unref();
  });
}

/** Only IP literals reach the socket: no name is ever resolved here (no dns.lookup). */
function literalOnly(host: string, _options: unknown, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  callback(null, host, isIP(host));
}
