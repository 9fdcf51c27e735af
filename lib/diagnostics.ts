/**
 * The names of the `node:diagnostics_channel` channels, one per kind of race event
 * (racer/timeline.ts publishes them) and one for Resolver queries. Publishing costs
 * nothing while a channel has no subscriber.
 */
import diagnostics from 'node:diagnostics_channel';

export const channelNames = {
  /** One family's DNS answer or failure: `{ family, addresses, error? }`. */
  dns: 'happy-eyeballs:dns',
  /** The HTTPS answer of a race with `httpsRecords`: `{ records, aliases, error? }` (RFC 9460). */
  dnsHttps: 'happy-eyeballs:dns:https',
  /** AAAA or A of another TargetName an HTTPS record named: `{ name, family, addresses, error? }`. */
  dnsTarget: 'happy-eyeballs:dns:target',
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
  /**
   * A Resolver query settled: `{ name, type, ms, backend, source, addresses, server }`
   * (HTTPS: `records` in presentation format instead of `addresses`) or
   * `{ name, type, ms, backend, error }`.
   */
  dnsQuery: 'happy-eyeballs:dns:query',
} as const;

/** What `happy-eyeballs:dns:query` carries. */
export interface DnsQueryMessage {
  name: string;
  type: 'A' | 'AAAA' | 'HTTPS';
  /** Milliseconds from the call to its outcome. */
  ms: number;
  /** Who answered: the user-space path (hosts file, cache, DNS) or getaddrinfo. */
  backend: 'dns' | 'system';
  source?: string;
  addresses?: string[];
  /** HTTPS answers: each record as `1 . alpn=h2 port=8443` (RFC 9460 §2.1). */
  records?: string[];
  server?: string | undefined;
  error?: unknown;
}

export const dnsQueryChannel = diagnostics.channel(channelNames.dnsQuery);
