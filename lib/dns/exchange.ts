/**
 * Exchange: one try of one question against one server. UDP first; a truncated reply is
 * thrown away whole (RFC 2181 §9) and the question asked again over TCP (RFC 1035 §4.2.1,
 * RFC 7766 §5). Both legs share the try's deadline, as Go's `exchange` does.
 */
import type { Clock } from '../clock.js';
import type { CancelScope } from './cancel.js';
import { buildQuery, type Question } from './query.js';
import { tcpExchange } from './tcp.js';
import type { PacketResult, ReplyResult, TransportOptions } from './transport.js';
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

export interface TryContext {
  clock: Clock;
  /** Milliseconds for this try, UDP and TCP together. */
  timeout: number;
  udpPayloadSize: number;
  scope: CancelScope;
  udpPool: UdpPool;
  stats: ClientStats;
  /** Counts an ignored reply in `stats` (made once per client, not per try). */
  onIgnored(): void;
}

export async function exchange(server: ServerAddress, question: Question, ctx: TryContext): Promise<ReplyResult> {
  const { stats } = ctx;
  const options: TransportOptions = {
    clock: ctx.clock,
    deadline: ctx.clock.now() + ctx.timeout,
    scope: ctx.scope,
    onIgnored: ctx.onIgnored,
  };
  stats.queriesSent++;
  stats.udpQueries++;
  const udp: PacketResult = await udpExchange(ctx.udpPool, server, question, ctx.udpPayloadSize, options);
  let result: ReplyResult;
  if (udp.kind === 'truncated') {
    stats.truncated++;
    stats.queriesSent++;
    stats.tcpQueries++;
    result = await tcpExchange(server, buildQuery(question, ctx.udpPayloadSize), options);
  } else {
    result = udp;
  }
  if (result.kind === 'failure' && result.code === 'ETIMEOUT') stats.timeouts++;
  return result;
}
