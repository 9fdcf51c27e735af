/**
 * Exchange: one try of one question against one server. DoT and DoH servers go to their
 * connection (encrypted.ts). Plain servers: TCP alone with `tcpOnly` (resolv.conf
 * `use-vc`), else UDP first; a truncated reply is
 * thrown away whole (RFC 2181 §9) and the question asked again over TCP (RFC 1035 §4.2.1,
 * RFC 7766 §5). Both legs share the try's deadline, as Go's `exchange` does.
 * Not an async function: the UDP round trip itself hands over to TCP on truncation, and
 * its outcome goes to the caller's sink straight from the socket, so a UDP try costs no
 * promise at all.
 */
import type { Clock } from '../clock.js';
import type { CancelScope } from './cancel.js';
import type { EncryptedTransports } from './encrypted.js';
import { buildQuery, type Question } from './query.js';
import { tcpExchange } from './tcp.js';
import { settleFrom, type TransportOptions, type TrySink } from './transport.js';
import type { DnsServer } from './types.js';
import { udpTry } from './udp.js';
import type { UdpPool } from './udp-pool.js';
import type { ClientStats } from './client-stats.js';

/** What every try shares: made once per client, so a query allocates none of it. */
export interface TryContext {
  clock: Clock;
  /** Milliseconds for one try, UDP and TCP together. */
  timeout: number;
  udpPool: UdpPool;
  /** DoT connections and DoH sessions; undefined when every server is plain. */
  encrypted: EncryptedTransports | undefined;
  stats: ClientStats;
  /** Count an ignored reply and a timed-out try in `stats`. */
  onIgnored(): void;
  onTimeout(): void;
  /** Plain servers over TCP only (resolv.conf `use-vc`). */
  tcpOnly?: boolean;
}

/** One try; its outcome goes to `sink` (transport.ts), never thrown. */
export function exchange(server: DnsServer, question: Question, ctx: TryContext, scope: CancelScope, sink: TrySink): void {
  const { stats } = ctx;
  const options: TransportOptions = {
    clock: ctx.clock,
    deadline: ctx.clock.now() + ctx.timeout,
    scope,
    onIgnored: ctx.onIgnored,
    onTimeout: ctx.onTimeout,
  };
  stats.queriesSent++;
  // Encrypted servers never fall back to plaintext: their failures are their own.
  if (server.transport !== undefined) return settleFrom(ctx.encrypted!.exchange(server, question, options), sink);
  if (ctx.tcpOnly) {
    stats.tcpQueries++;
    return settleFrom(tcpExchange(server, buildQuery(question), options), sink);
  }
  stats.udpQueries++;
  udpTry(
    ctx.udpPool,
    server,
    question,
    options,
    () => {
      stats.truncated++;
      stats.queriesSent++;
      stats.tcpQueries++;
      return tcpExchange(server, buildQuery(question), options);
    },
    sink,
  );
}
