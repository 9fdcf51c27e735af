/**
 * What happened during one race, in order, with milliseconds since the race started.
 * The same events feed the caller's `onEvent` (the CLI draws its waterfall from them)
 * and the `happy-eyeballs:*` diagnostics channels.
 */
import type { Clock } from '../clock.js';
import type { AttemptError } from '../errors.js';
import { publishRaceEvent } from '../diagnostics.js';
import type { AttemptHistory } from './race-history.js';

export type Family = 4 | 6;

/** Names one connection attempt: `attempt` counts from 1 in start order. */
export interface AttemptInfo {
  attempt: number;
  address: string;
  family: Family;
  port: number;
}

/** Why a running attempt was stopped without its own success or failure. */
export type AbandonReason = 'lost' | 'cancelled' | 'aborted' | 'timeout';

export type RaceOutcome = 'connected' | 'failed' | 'cancelled' | 'aborted' | 'timeout';

export type RaceEvent =
  /** One family's DNS answer (`addresses`) or failure (`error`, addresses empty). */
  | { type: 'dns'; ms: number; family: Family; addresses: string[]; error?: Error | undefined }
  /**
   * Waiting up to `resolutionDelay` ms for the other family: a positive A answer came
   * first (R4), or (`family: 4`) every AAAA address failed last time and A is still out.
   */
  | { type: 'dns:wait'; ms: number; resolutionDelay: number; family?: Family | undefined }
  /**
   * IPv4 addresses synthesized into IPv6 under the network's NAT64 `prefixes` (RFC 8305 §7):
   * an IPv4 literal or a name without AAAA, or (`lastResort`) after every attempt failed (R21).
   */
  | { type: 'nat64'; ms: number; from: string[]; addresses: string[]; prefixes: string[]; lastResort: boolean }
  /** `history`: present when the connection history moved this address (RFC 8305 §4). */
  | ({ type: 'attempt:start'; ms: number; history?: AttemptHistory | undefined } & AttemptInfo)
  /** TCP is up and the TLS handshake is in progress (TLS races only). */
  | ({ type: 'attempt:connected'; ms: number } & AttemptInfo)
  | ({ type: 'attempt:success'; ms: number } & AttemptInfo)
  | ({ type: 'attempt:failure'; ms: number; error: AttemptError } & AttemptInfo)
  | ({ type: 'attempt:abandoned'; ms: number; reason: AbandonReason } & AttemptInfo)
  /** The attempt timer fired while these attempts had TCP up and TLS pending: postponed once. */
  | { type: 'attempt:delay-extended'; ms: number; attempts: number[]; delay: number }
  | { type: 'race:end'; ms: number; outcome: RaceOutcome; winner?: AttemptInfo | undefined; error?: unknown };

/** A `RaceEvent` before it is stamped with `ms`. */
export type RaceEventInput = WithoutMs<RaceEvent>;
type WithoutMs<E> = E extends unknown ? Omit<E, 'ms'> : never;

/** Identifies a race in diagnostics messages. */
export interface RaceContext {
  raceId: number;
  host: string;
  port: number;
}

let lastRaceId = 0;

export class Timeline {
  readonly context: RaceContext;
  readonly #clock: Clock;
  readonly #start: number;
  readonly #listener: ((event: RaceEvent) => void) | undefined;
  #queued: RaceEvent[] = [];

  constructor(clock: Clock, host: string, port: number, listener?: (event: RaceEvent) => void) {
    this.#clock = clock;
    this.#start = clock.now();
    this.#listener = listener;
    this.context = { raceId: ++lastRaceId, host, port };
  }

  /** Milliseconds since the race started. */
  elapsed(): number {
    return this.#clock.now() - this.#start;
  }

  /**
   * Stamps and publishes the event. `onEvent` gets events in order on a microtask, so
   * nothing it does (even cancelling) can run inside a step of the race.
   */
  emit(input: RaceEventInput): void {
    const event = { ...input, ms: this.elapsed() } as RaceEvent;
    publishRaceEvent(event, this.context);
    if (this.#listener === undefined) return;
    this.#queued.push(event);
    if (this.#queued.length === 1) queueMicrotask(() => this.#deliver());
  }

  #deliver(): void {
    const events = this.#queued;
    this.#queued = [];
    for (const event of events) {
      try {
        this.#listener?.(event);
      } catch (err) {
        // Surface it as diagnostics_channel surfaces a throwing subscriber: uncaught, on the next tick.
        process.nextTick(() => {
          throw err;
        });
      }
    }
  }
}
