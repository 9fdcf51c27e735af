/**
 * Exchange: one try of one question against one server. UDP first; a truncated reply is
 * thrown away whole (RFC 2181 §9) and the question asked again over TCP (RFC 1035 §4.2.1,
 * RFC 7766 §5). Both legs share the try's deadline, as Go's `exchange` does.
 * Not an async function: the UDP round trip itself hands over to TCP on truncation, so a
 * try costs one promise, not two.
 */
import type { Clock } from '../clock.js';
import type { CancelScope } from './cancel.js';
import { buildQuery, type Question } from './query.js';
import { tcpExchange } from './tcp.js';
import type { ReplyResult, TransportOptions } from './transport.js';
import type { ServerAddress } from './types.js';
import { udpExchange } from './udp.js';
import type { UdpPool } from './udp-pool.js';

/** Counters the client reports in `stats()`. */
export interface ClientStats {
  queriesSent: number;
  udpQueries: number;
  tcpQueries: number;
  truncated: number;
  ignoredReplies: number;
  timeouts: number;
}

/** What every try shares: made once per client, so a query allocates none of it. */
export interface TryContext {
  clock: Clock;
  /** Milliseconds for one try, UDP and TCP together. */
  timeout: number;
  udpPool: UdpPool;
  stats: ClientStats;
  /** Count an ignored reply and a timed-out try in `stats`. */
  onIgnored(): void;
  onTimeout(): void;
}

export function exchange(
  server: ServerAddress,
  question: Question,
  ctx: TryContext,
  scope: CancelScope,
): Promise<ReplyResult> {
  const { stats } = ctx;
  const options: TransportOptions = {
    clock: ctx.clock,
    deadline: ctx.clock.now() + ctx.timeout,
    scope,
    onIgnored: ctx.onIgnored,
    onTimeout: ctx.onTimeout,
  };
  stats.queriesSent++;
  stats.udpQueries++;
  return udpExchange(ctx.udpPool, server, question, options, () => {
    stats.truncated++;
    stats.queriesSent++;
    stats.tcpQueries++;
    return tcpExchange(server, buildQuery(question), options);
  });
}
