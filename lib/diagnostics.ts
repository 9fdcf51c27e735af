/**
 * `node:diagnostics_channel` channels, one per kind of race event. Each message is the
 * race's `RaceEvent` plus `raceId`, `host` and `port`, so a subscriber can follow one
 * connect() among many. Publishing costs nothing while a channel has no subscriber.
 */
import diagnostics from 'node:diagnostics_channel';
import type { RaceContext, RaceEvent } from './racer/timeline.js';

export const channelNames = {
  /** One family's DNS answer or failure: `{ family, addresses, error? }`. */
  dns: 'happy-eyeballs:dns',
  attemptStart: 'happy-eyeballs:attempt:start',
  /** TCP up, TLS handshake in progress (TLS only). */
  attemptConnected: 'happy-eyeballs:attempt:connected',
  attemptSuccess: 'happy-eyeballs:attempt:success',
  attemptFailure: 'happy-eyeballs:attempt:failure',
  /** A running attempt stopped because another won, or the race was cancelled/aborted/timed out. */
  attemptAbandoned: 'happy-eyeballs:attempt:abandoned',
  /** The `policy` option blocked an address: no attempt starts for it. */
  attemptBlocked: 'happy-eyeballs:attempt:blocked',
  /** The race is over: `{ outcome, winner?, error? }`. */
  raceEnd: 'happy-eyeballs:race:end',
  /** A Resolver query settled: `{ name, type, ms, source, addresses, server }` or `{ name, type, ms, error }`. */
  dnsQuery: 'happy-eyeballs:dns:query',
} as const;

/** What `happy-eyeballs:dns:query` carries. */
export interface DnsQueryMessage {
  name: string;
  type: 'A' | 'AAAA';
  /** Milliseconds from the call to its outcome. */
  ms: number;
  source?: string;
  addresses?: string[];
  server?: string | undefined;
  error?: unknown;
}

export const dnsQueryChannel = diagnostics.channel(channelNames.dnsQuery);

export type RaceMessage = RaceEvent & RaceContext;

const byEventType: Partial<Record<RaceEvent['type'], diagnostics.Channel>> = {
  dns: diagnostics.channel(channelNames.dns),
  'attempt:start': diagnostics.channel(channelNames.attemptStart),
  'attempt:connected': diagnostics.channel(channelNames.attemptConnected),
  'attempt:success': diagnostics.channel(channelNames.attemptSuccess),
  'attempt:failure': diagnostics.channel(channelNames.attemptFailure),
  'attempt:abandoned': diagnostics.channel(channelNames.attemptAbandoned),
  'attempt:blocked': diagnostics.channel(channelNames.attemptBlocked),
  'race:end': diagnostics.channel(channelNames.raceEnd),
};

/** Timer-only events (`dns:wait`, `attempt:delay-extended`) stay in the timeline. */
export function publishRaceEvent(event: RaceEvent, context: RaceContext): void {
  const channel = byEventType[event.type];
  if (channel?.hasSubscribers) channel.publish({ ...context, ...event } satisfies RaceMessage);
}
