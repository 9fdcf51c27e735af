/**
 * The names of the `node:diagnostics_channel` channels, one per kind of race event
 * (racer/timeline.ts publishes them) and one for Resolver queries. Publishing costs
 * nothing while a channel has no subscriber.
 */
import diagnostics from 'node:diagnostics_channel';

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
  /** The race is over: `{ outcome, winner?, error? }`. */
  raceEnd: 'happy-eyeballs:race:end',
  /** A Resolver query settled: `{ name, type, ms, backend, source, addresses, server }` or `{ name, type, ms, backend, error }`. */
  dnsQuery: 'happy-eyeballs:dns:query',
} as const;

/** What `happy-eyeballs:dns:query` carries. */
export interface DnsQueryMessage {
  name: string;
  type: 'A' | 'AAAA';
  /** Milliseconds from the call to its outcome. */
  ms: number;
  /** Who answered: the user-space path (hosts file, cache, DNS) or getaddrinfo. */
  backend: 'dns' | 'system';
  source?: string;
  addresses?: string[];
  server?: string | undefined;
  error?: unknown;
}

export const dnsQueryChannel = diagnostics.channel(channelNames.dnsQuery);
