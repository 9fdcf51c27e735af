/**
 * NAT64 synthesis inside one race (RFC 8305 §7), beside the DNS streams of candidates.ts:
 * - an IPv4 literal, or the A answer of a name without AAAA (the VPN case of §7.3
 *   included), is synthesized at once and raced as IPv6 (§7.1);
 * - a name with AAAA records gets no synthesis unless every attempt fails: the Last
 *   Resort Local Synthesis Delay (2 s) after the last attempt started, the A records are
 *   synthesized as if they were literals (§7.2).
 * Nothing happens on a network that is not IPv6-only (the prefixes come back empty).
 */
import type { Clock, TimerHandle } from '../clock.js';
import type { AddressResolver } from '../dns/types.js';
import type { Nat64Prefix } from '../nat64/prefix.js';
import { synthesize } from '../nat64/nat64.js';
import type { Candidate } from '../address/types.js';
import type { Timeline } from './timeline.js';

/** What a race needs to know of NAT64: built by connect() from nat64/nat64.ts. */
export interface RaceNat64 {
  /** The prefixes of this network (none unless IPv6-only): at once when known, else a promise that never rejects. */
  prefixes(): Nat64Prefix[] | Promise<Nat64Prefix[]>;
  /** RFC 8305 §7.2: ms from the last attempt's start to the A query. */
  lastResortDelay: number;
}

/** RFC 8305 §7.2: "the delay is recommended to be 2 seconds". */
export const LAST_RESORT_DELAY = 2000;

export interface SynthesisOptions {
  host: string;
  /** AAAA is asked too (a name); false for an IPv4 literal. */
  aaaaAsked: boolean;
  resolver: AddressResolver;
  nat64: RaceNat64;
  clock: Clock;
  timeline: Timeline;
  signal: AbortSignal;
  /** Candidates that come later than the answer they follow. */
  emit(batch: Candidate[]): void;
  /** No more synthesis can come (settled turned true). */
  changed(): void;
}

type Aaaa = 'pending' | 'positive' | 'negative';

export class Synthesis {
  readonly #o: SynthesisOptions;
  #aaaa: Aaaa;
  #ipv4: string[] | undefined;
  /** The A addresses have been synthesized (or found not to need it): no last resort. */
  #done = false;
  #prefixes: Nat64Prefix[] | undefined;
  /** Settles once `#prefixes` is known. */
  readonly #ready: Promise<void>;
  #working = 0;
  #lastResort: 'idle' | 'armed' | 'running' | 'over' = 'idle';
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(options: SynthesisOptions) {
    this.#o = options;
    this.#aaaa = options.aaaaAsked ? 'pending' : 'negative';
    const prefixes = options.nat64.prefixes();
    if (Array.isArray(prefixes)) {
      this.#prefixes = prefixes;
      this.#ready = Promise.resolve();
    } else {
      this.#ready = this.#track(prefixes.then((p) => void (this.#prefixes = p)));
    }
  }

  /** True when nothing more will come from here. */
  get settled(): boolean {
    return this.#working === 0 && !this.#lastResortPossible();
  }

  /** The A answer (or the literal): the synthesized candidates known at once, to join its batch. */
  answeredA(ipv4: string[]): Candidate[] {
    this.#ipv4 = ipv4;
    return this.#now();
  }

  /** AAAA's outcome; a negative one makes the A addresses due at once. */
  answeredAaaa(positive: boolean): Candidate[] {
    this.#aaaa = positive ? 'positive' : 'negative';
    return this.#now();
  }

  /** The race started its last attempt for now (the last resort counts from here; a later one restarts the count). */
  lastAttemptStarted(): void {
    if (this.#closed || this.#lastResort === 'running' || this.#lastResort === 'over' || !this.#lastResortPossible()) return;
    const { clock, nat64 } = this.#o;
    if (this.#timer !== undefined) clock.clearTimeout(this.#timer);
    this.#lastResort = 'armed';
    this.#timer = clock.setTimeout(() => this.#fireLastResort(), nat64.lastResortDelay);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** AAAA came with addresses, this network has a prefix (or may have), and the last resort has not run. */
  #lastResortPossible(): boolean {
    if (this.#done || this.#aaaa !== 'positive' || this.#lastResort === 'over') return false;
    return this.#prefixes === undefined || this.#prefixes.length > 0;
  }

  /** Synthesizes the A addresses when they are due (no AAAA), now or once the prefixes are known. */
  #now(): Candidate[] {
    if (this.#done || this.#ipv4 === undefined || this.#aaaa !== 'negative') return [];
    this.#done = true;
    const ipv4 = this.#ipv4;
    if (this.#prefixes !== undefined) return this.#synthesize(ipv4, false);
    // Prefixes still being found: the synthesized candidates follow when they are.
    void this.#track(this.#ready.then(() => this.#emit(ipv4, false)));
    return [];
  }

  #synthesize(ipv4: string[], lastResort: boolean): Candidate[] {
    const prefixes = this.#prefixes!;
    const synthesized = synthesize(ipv4, prefixes);
    if (synthesized.length === 0) return [];
    const addresses = synthesized.map((s) => s.address);
    this.#o.timeline.emit({ type: 'nat64', from: ipv4, addresses, prefixes: prefixes.map((p) => p.text), lastResort });
    // The IPv4 address goes with each: the address policy judges both forms.
    return synthesized.map(({ address, from }) => ({ address, family: 6, synthesizedFrom: from }));
  }

  /** Once the prefixes are known. */
  #emit(ipv4: string[], lastResort: boolean): void {
    if (this.#closed) return;
    const batch = this.#synthesize(ipv4, lastResort);
    if (batch.length > 0) this.#o.emit(batch);
  }

  /** RFC 8305 §7.2: no attempt won within the delay: ask A (unless in hand) and synthesize. */
  #fireLastResort(): void {
    this.#timer = undefined;
    this.#lastResort = 'running';
    const { resolver, host, signal } = this.#o;
    const ipv4 =
      this.#ipv4 !== undefined
        ? Promise.resolve(this.#ipv4)
        : resolver.query(host, 'A', { signal }).then(
            (a) => a.records.map((r) => r.address),
            () => [],
          );
    void this.#track(
      Promise.all([ipv4, this.#ready]).then(([addresses]) => {
        this.#lastResort = 'over';
        this.#emit(addresses, true);
      }),
    );
  }

  /** Counts a step in flight: `settled` stays false until it ends; the feed hears when all have. */
  #track(step: Promise<void>): Promise<void> {
    this.#working++;
    const end = (): void => {
      this.#working--;
      if (!this.#closed && this.settled) this.#o.changed();
    };
    return step.then(end, end);
  }
}
