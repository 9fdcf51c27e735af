/**
 * What happened during one race, in order, with milliseconds since the race started.
 * The same events feed the caller's `onEvent` (the CLI draws its waterfall from them)
 * and the `happy-eyeballs:*` diagnostics channels, where each message is the event plus
 * `raceId`, `host` and `port`, so a subscriber can follow one connect() among many.
 */
import diagnostics from 'node:diagnostics_channel';
import type { Family } from '../address/types.js';
import type { Clock } from '../clock.js';
import { channelNames } from '../diagnostics.js';
import type { ServiceRecord } from '../dns/types.js';
import type { AttemptError } from '../errors.js';
import type { AttemptHistory } from './race-history.js';

/** Names one connection attempt: `attempt` counts from 1 in start order. */
export interface AttemptInfo {
  attempt: number;
  address: string;
  family: Family;
  port: number;
  /** The HTTPS service endpoint (RFC 9460) the address came from; absent for the origin's own addresses. */
  endpoint?: AttemptEndpoint | undefined;
}

/** The service endpoint behind an attempt, as the timeline shows it. */
export interface AttemptEndpoint {
  /** SvcPriority of its record; 0 for the target an AliasMode chain ended at. */
  priority: number;
  /** Effective TargetName. */
  target: string;
  /** The endpoint's ALPN set (RFC 9460 §7.1.1); the TLS handshake offers what the client speaks. */
  alpn: string[];
  /** The record's ECH configuration (RFC 9848), unused: Node's TLS has no ECH. */
  ech?: Buffer | undefined;
  /** The address came from `ipv4hint`/`ipv6hint` (before the target's AAAA/A answered). */
  hint: boolean;
}

/** Why a running attempt was stopped without its own success or failure ('failed': the order function failed). */
export type AbandonReason = 'lost' | 'failed' | 'cancelled' | 'aborted' | 'timeout';

export type RaceOutcome = 'connected' | 'failed' | 'cancelled' | 'aborted' | 'timeout';

export type RaceEvent =
  /** One family's DNS answer (`addresses`) or failure (`error`, addresses empty). */
  | { type: 'dns'; ms: number; family: Family; addresses: string[]; error?: Error | undefined }
  /**
   * Waiting up to `resolutionDelay` ms: a positive answer of one family came first and the
   * preferred one is still out (RFC 8305 §3; HEv3: or the HTTPS answer, §3.2); or (`family`
   * set: the family waited for) every address of the preferred family's answer failed last
   * time (history, RFC 8305 §4) and the other family is still out.
   */
  | { type: 'dns:wait'; ms: number; resolutionDelay: number; family?: Family | undefined }
  /** The HTTPS answer (RFC 9460; races with `httpsRecords`): its records and AliasMode targets, or why there is none. */
  | { type: 'dns:https'; ms: number; records: ServiceRecord[]; aliases: string[]; error?: Error | undefined }
  /** AAAA or A of a TargetName other than the host's (RFC 9460 §3). */
  | { type: 'dns:target'; ms: number; name: string; family: Family; addresses: string[]; error?: Error | undefined }
  /**
   * IPv4 addresses synthesized into IPv6 under the network's NAT64 `prefixes` (RFC 8305 §7):
   * an IPv4 literal or a name without AAAA, or (`lastResort`) after every attempt failed (§7.2).
   */
  | { type: 'nat64'; ms: number; from: string[]; addresses: string[]; prefixes: string[]; lastResort: boolean }
  /** `history`: present when the connection history moved this address (RFC 8305 §4). */
  | ({ type: 'attempt:start'; ms: number; history?: AttemptHistory | undefined } & AttemptInfo)
  /** TCP is up and the TLS handshake is in progress (TLS races only). */
  | ({ type: 'attempt:connected'; ms: number } & AttemptInfo)
  | ({ type: 'attempt:success'; ms: number } & AttemptInfo)
  | ({ type: 'attempt:failure'; ms: number; error: AttemptError } & AttemptInfo)
  | ({ type: 'attempt:abandoned'; ms: number; reason: AbandonReason } & AttemptInfo)
  /** The `policy` option blocked this address: it is never connected to, and costs no delay. */
  | { type: 'attempt:blocked'; ms: number; address: string; family: Family; port: number }
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
   * True when an event of this type would reach anyone (the `onEvent` listener or a
   * diagnostics subscriber): callers skip building the event when it would not.
   */
  wants(type: RaceEvent['type']): boolean {
    return this.#listener !== undefined || byEventType[type]?.hasSubscribers === true;
  }

  /**
   * Stamps and publishes the event; `input` must be a fresh object (it becomes the event).
   * `onEvent` gets events in order on a microtask, so nothing it does (even cancelling)
   * can run inside a step of the race. Nothing is built when nobody listens.
   */
  emit(input: RaceEventInput): void {
    if (!this.wants(input.type)) return;
    const event = input as RaceEvent;
    event.ms = this.elapsed();
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

/** What a race's diagnostics channel carries. */
export type RaceMessage = RaceEvent & RaceContext;

const byEventType: Partial<Record<RaceEvent['type'], diagnostics.Channel>> = {
  dns: diagnostics.channel(channelNames.dns),
  'dns:https': diagnostics.channel(channelNames.dnsHttps),
  'dns:target': diagnostics.channel(channelNames.dnsTarget),
  'attempt:start': diagnostics.channel(channelNames.attemptStart),
  'attempt:connected': diagnostics.channel(channelNames.attemptConnected),
  'attempt:success': diagnostics.channel(channelNames.attemptSuccess),
  'attempt:failure': diagnostics.channel(channelNames.attemptFailure),
  'attempt:abandoned': diagnostics.channel(channelNames.attemptAbandoned),
  'attempt:blocked': diagnostics.channel(channelNames.attemptBlocked),
  'race:end': diagnostics.channel(channelNames.raceEnd),
};

/** Timer-only events (`dns:wait`, `attempt:delay-extended`) stay in the timeline. */
function publishRaceEvent(event: RaceEvent, context: RaceContext): void {
  const channel = byEventType[event.type];
  if (channel?.hasSubscribers) channel.publish({ ...context, ...event } satisfies RaceMessage);
}
