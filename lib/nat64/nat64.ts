/**
 * NAT64 for the racer and lookup() (RFC 8305 §7): on an IPv6-only network
 * without 464XLAT (detect.ts), the NAT64 prefixes (RFC 7050 discovery through the
 * resolver, or the configured `nat64Prefix`), and IPv4 addresses synthesized under them
 * (RFC 6052, minus the exclusions). What is learnt belongs to the network it was learnt
 * on (RFC 7050 §5; system/network.ts): a new network starts from nothing.
 */
import { type Clock, systemClock } from '../clock.js';
import type { AddressResolver } from '../dns/types.js';
import { probeSource } from '../address/source-address.js';
import { defaultNetworkMonitor, type NetworkMonitor } from '../system/network.js';
import { isIPv6Only, type NetworkProbe } from './detect.js';
import { discoverPrefixes } from './discovery.js';
import { synthesizable } from './exclusions.js';
import { embedIPv4, type Nat64Prefix } from './prefix.js';
import { networkInterfaces } from 'node:os';

export interface Nat64Options {
  /** The network's identity; what was learnt is dropped when it changes. @default defaultNetworkMonitor */
  network?: NetworkMonitor | undefined;
  /** Interfaces and source-address probe (tests inject a network). @default os.networkInterfaces, a UDP connect */
  probe?: NetworkProbe | undefined;
  /** Time source for how long a discovered prefix holds. @default systemClock */
  clock?: Clock | undefined;
}

/** What is known of one network. */
interface NetworkState {
  key: string;
  ipv6Only: boolean | undefined;
  checking: Promise<boolean> | undefined;
  /** Per resolver: its DNS64 is the network's, as this host sees it. */
  discovered: WeakMap<AddressResolver, { prefixes: Nat64Prefix[]; expiresAt: number }>;
  discovering: WeakMap<AddressResolver, Promise<Nat64Prefix[]>>;
}

const NONE: Nat64Prefix[] = [];

export class Nat64 {
  readonly #network: NetworkMonitor;
  readonly #probe: NetworkProbe;
  readonly #clock: Clock;
  #state: NetworkState | undefined;

  constructor(options: Nat64Options = {}) {
    this.#network = options.network ?? defaultNetworkMonitor;
    this.#probe = options.probe ?? { interfaces: networkInterfaces, source: probeSource };
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * The prefixes to synthesize with on the current network: none unless it is IPv6-only
   * (RFC 8305 §7); then `configured` when given, else what RFC 7050 finds through `resolver`
   * (called only then). At once when known, else a promise that never rejects.
   */
  prefixes(resolver: () => AddressResolver, configured?: Nat64Prefix): Nat64Prefix[] | Promise<Nat64Prefix[]> {
    const state = this.#current();
    if (state.ipv6Only === false) return NONE;
    if (state.ipv6Only === undefined) return this.#check(state).then((ipv6Only) => (ipv6Only ? this.#prefixesOn(state, resolver, configured) : NONE));
    return this.#prefixesOn(state, resolver, configured);
  }

  /** Forgets everything learnt (the next use probes and discovers again). */
  clear(): void {
    this.#state = undefined;
  }

  #current(): NetworkState {
    const key = this.#network.key();
    if (this.#state?.key !== key) {
      this.#state = { key, ipv6Only: undefined, checking: undefined, discovered: new WeakMap(), discovering: new WeakMap() };
    }
    return this.#state;
  }

  #check(state: NetworkState): Promise<boolean> {
    state.checking ??= isIPv6Only(this.#probe).then(
      (ipv6Only) => (state.ipv6Only = ipv6Only),
      // A probe that fails proves nothing: no synthesis this time, and ask again next time.
      () => ((state.checking = undefined), false),
    );
    return state.checking;
  }

  #prefixesOn(state: NetworkState, resolverOf: () => AddressResolver, configured: Nat64Prefix | undefined): Nat64Prefix[] | Promise<Nat64Prefix[]> {
    if (configured !== undefined) return [configured];
    const resolver = resolverOf();
    const known = state.discovered.get(resolver);
    if (known !== undefined && known.expiresAt > this.#clock.now()) return known.prefixes;
    const running = state.discovering.get(resolver) ?? this.#discover(state, resolver);
    // Past its TTL on the same network, what was found is still the best guess: it is used
    // while the question is asked again (RFC 7050 §5 has the node ask again as the TTL runs out).
    return known !== undefined ? known.prefixes : running;
  }

  #discover(state: NetworkState, resolver: AddressResolver): Promise<Nat64Prefix[]> {
    const running = discoverPrefixes(resolver)
      .then(
        ({ prefixes, ttlMs }) => {
          state.discovered.set(resolver, { prefixes, expiresAt: this.#clock.now() + ttlMs });
          return prefixes;
        },
        // A timeout or SERVFAIL is not "no NAT64": not held (an older finding stays), asked again next time.
        () => state.discovered.get(resolver)?.prefixes ?? NONE,
      )
      .finally(() => state.discovering.delete(resolver));
    state.discovering.set(resolver, running);
    return running;
  }
}

/** An IPv6 address synthesized from an IPv4 one. */
export interface Synthesized {
  address: string;
  /** The IPv4 address it was made from (the address policy judges both). */
  from: string;
}

/**
 * IPv6 addresses for `ipv4` addresses under every prefix (RFC 6052 §2.2), in the order
 * given, leaving out what may not be synthesized (exclusions.ts) and anything not IPv4.
 */
export function synthesize(ipv4: readonly string[], prefixes: readonly Nat64Prefix[]): Synthesized[] {
  const out: Synthesized[] = [];
  for (const from of ipv4) {
    for (const prefix of prefixes) {
      const address = embedIPv4(prefix, from);
      if (address !== undefined && synthesizable(from, prefix) && !out.some((s) => s.address === address)) out.push({ address, from });
    }
  }
  return out;
}

/** The process-wide NAT64 state: one network per process, shared by every race and lookup. */
export const defaultNat64 = new Nat64();
