/** What the UDP and TCP round trips share: their options and their result. */
import type { Clock } from '../clock.js';
import type { CancelScope } from './cancel.js';
import type { DecodedReply } from './reply.js';
import type { ServerAddress } from './types.js';

export interface TransportOptions {
  clock: Clock;
  /** `clock.now()` value at which this try gives up. */
  deadline: number;
  /** Cancelling ends the round trip at once; the promise rejects with the reason. */
  scope: CancelScope;
  /** Called for each reply that was ignored (forged, corrupt, not ours). */
  onIgnored(): void;
  /** Called when the round trip gives up at the deadline. */
  onTimeout(): void;
}

/** Transport failures are results, not exceptions: the client moves on to the next server. */
export type TransportFailure = { kind: 'failure'; code: TransportFailureCode; cause?: unknown };
/** What a TCP round trip, and so a whole try, gives. */
export type ReplyResult = { kind: 'reply'; reply: DecodedReply } | TransportFailure;
/** UDP may also say "truncated: ask again over TCP". */
export type PacketResult = ReplyResult | { kind: 'truncated' };

export type TransportFailureCode = 'ETIMEOUT' | 'ECONNREFUSED' | 'ECONNRESET';

/** `ip:port`, or `[v6]:port` (RFC 3986 §3.2.2 brackets). */
export function serverKey(server: ServerAddress): string {
  return server.family === 6 ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`;
}

/**
 * dgram and net resolve even IP literals through a lookup function; this one never asks
 * anyone (servers are IP literals by construction).
 */
export function literalLookup(
  address: string,
  options: unknown,
  callback: (err: Error | null, address: string, family: number) => void,
): void {
  callback(null, address, address.includes(':') ? 6 : 4);
}
