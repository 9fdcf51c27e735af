/** What the UDP and TCP round trips share: their options and their result. */
import type { Clock, TimerHandle } from '../clock.js';
import { hostPort } from '../options.js';
import type { CancelListener, CancelScope } from './cancel.js';
import type { DecodedReply } from './reply.js';
import type { DnsServer } from './types.js';

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

/**
 * Where one try's outcome goes, once: a reply or a failure (`onReply`), or the
 * cancellation's reason (`onCancel`). The UDP path calls it straight from the socket's
 * message handler, without a promise per try.
 */
export interface TrySink {
  onReply(result: ReplyResult): void;
  onCancel(reason: unknown): void;
}

/**
 * A promise-based try (DoT, DoH, or one waiting for their code) takes hold of its round
 * trip: `listener` hears a cancel of the scope, `expire` runs at the deadline. Returns the
 * timer, which `releaseTry` clears along with the subscription.
 */
export function holdTry(options: TransportOptions, listener: CancelListener, expire: () => void): TimerHandle {
  const { clock, deadline, scope } = options;
  scope.on(listener);
  return clock.setTimeout(expire, Math.ceil(Math.max(0, deadline - clock.now())));
}

/** Lets go of what `holdTry` took. */
export function releaseTry(options: TransportOptions, listener: CancelListener, timer: TimerHandle): void {
  options.clock.clearTimeout(timer);
  options.scope.off(listener);
}

/** A promise-based round trip (TCP, DoT, DoH) into a sink: its rejection is the cancellation. */
export function settleFrom(promise: Promise<ReplyResult>, sink: TrySink): void {
  promise.then(
    (result) => sink.onReply(result),
    (reason: unknown) => sink.onCancel(reason),
  );
}

/**
 * ECERT: a DoT or DoH server's certificate was refused. ESERVFAIL, EREFUSED, EBADRESP:
 * a DoH server answered with an HTTP error or a body that is no DNS reply (doh-status.ts),
 * or a DoT server broke the stream's framing.
 */
export type TransportFailureCode = 'ETIMEOUT' | 'ECONNREFUSED' | 'ECONNRESET' | 'ECERT' | 'ESERVFAIL' | 'EREFUSED' | 'EBADRESP';

/**
 * How a server is named in answers and errors: `ip:port` or `[v6]:port` (RFC 3986
 * §3.2.2 brackets) for plain servers, `tls://ip:port[#name]` for DoT, the URL for DoH.
 */
export function serverKey(server: DnsServer): string {
  if (server.transport === 'https') return server.url;
  const where = hostPort(server.address, server.port);
  if (server.transport === undefined) return where;
  return server.servername === undefined ? `tls://${where}` : `tls://${where}#${server.servername}`;
}

/**
 * dgram and net resolve even IP literals through a lookup function; this one never asks
 * anyone (servers are IP literals by construction).
 */
export function literalLookup(address: string, _options: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  callback(null, address, address.includes(':') ? 6 : 4);
}
