/**
 * Ordered lookup answers kept per (AAAA address list, A address list, request shape).
 * The lists are the cache's own (DnsCache#peekAddresses): the same object for as long
 * as their entry is fresh, so a warm lookup skips the combine, the RFC 6724 sort and the
 * interleaving. A kept answer lives at most `lifetimeMs`, the source-address cache's
 * lifetime (RFC 6724 §4: the sources are checked again at least that often), and
 * only while the order's other inputs (`epoch`: the policy table; `network`: the network's
 * key, whose change brings other sources and NAT64 prefixes) are the same.
 */
import { type Clock, systemClock } from './clock.js';

export interface MemoAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

interface Slot {
  epoch: unknown;
  network: string;
  until: number;
  byShape: Array<readonly MemoAddress[] | undefined>;
}

/** The list of a family not asked: a key like the cache's lists. */
export const NOT_ASKED: readonly string[] = Object.freeze([]);

export class LookupMemo {
  readonly #byV6 = new WeakMap<readonly string[], WeakMap<readonly string[], Slot>>();
  readonly #clock: Clock;
  readonly #lifetimeMs: number;

  constructor(clock: Clock = systemClock, lifetimeMs = 1000) {
    this.#clock = clock;
    this.#lifetimeMs = lifetimeMs;
  }

  get(v6: readonly string[], v4: readonly string[], shape: number, epoch: unknown, network: string): readonly MemoAddress[] | undefined {
    const slot = this.#byV6.get(v6)?.get(v4);
    if (slot === undefined || slot.epoch !== epoch || slot.network !== network || this.#clock.now() >= slot.until) return undefined;
    return slot.byShape[shape];
  }

  /** Keeps `answer` (frozen, with its objects) and returns it. */
  set(v6: readonly string[], v4: readonly string[], shape: number, epoch: unknown, network: string, answer: readonly MemoAddress[]): readonly MemoAddress[] {
    let byV4 = this.#byV6.get(v6);
    if (byV4 === undefined) this.#byV6.set(v6, (byV4 = new WeakMap()));
    let slot = byV4.get(v4);
    const now = this.#clock.now();
    if (slot === undefined || slot.epoch !== epoch || slot.network !== network || now >= slot.until) {
      byV4.set(v4, (slot = { epoch, network, until: now + this.#lifetimeMs, byShape: [] }));
    }
    for (const a of answer) Object.freeze(a);
    slot.byShape[shape] = Object.freeze(answer);
    return answer;
  }
}
