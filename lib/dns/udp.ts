/**
 * Packet round trip: one query over a connected UDP socket bound to port 0 (see
 * udp-pool.ts for how sockets are shared and retired, and how their one timer keeps each
 * query's deadline). Connecting makes the kernel drop datagrams from other sources and
 * report ICMP port unreachable as ECONNREFUSED, so a closed server port is left at once.
 */
import type dgram from 'node:dgram';
import { SocketAddress } from 'node:net';
import type { CancelListener } from './cancel.js';
import { buildQuery, type Question, type SentQuery } from './query.js';
import { decodeReply, isTruncated, matchesQuery } from './reply.js';
import { settleFrom, type PacketResult, type ReplyResult, type TransportOptions, type TrySink } from './transport.js';
import type { ServerAddress } from './types.js';
import type { UdpLease, UdpPool, UdpWaiter } from './udp-pool.js';

/**
 * Resolves with the reply, or a failure; a truncated reply resolves with what
 * `onTruncated` gives instead (the TCP retry), so the caller awaits one promise per try.
 */
export function udpExchange(
  pool: UdpPool,
  server: ServerAddress,
  question: Question,
  options: TransportOptions,
  onTruncated: () => Promise<ReplyResult>,
): Promise<ReplyResult> {
  return new Promise((resolve, reject) => udpTry(pool, server, question, options, onTruncated, { onReply: resolve, onCancel: reject }));
}

/**
 * `udpExchange` without a promise: the outcome goes to `sink` (once), straight from the
 * socket's message handler. Cancelled already: `sink.onCancel` at once. A truncated reply
 * hands over to `onTruncated` (TCP), whose outcome goes to `sink` in turn.
 */
export function udpTry(
  pool: UdpPool,
  server: ServerAddress,
  question: Question,
  options: TransportOptions,
  onTruncated: () => Promise<ReplyResult>,
  sink: TrySink,
): void {
  if (options.scope.reason) return sink.onCancel(options.scope.reason);
  new UdpTry(pool, server, question, options, onTruncated, sink);
}

/**
 * One query waiting on its socket. Each way out (reply, socket error, timeout, cancel)
 * first lets go of the others in `finish`, so it runs once. A class rather than closures:
 * this runs once per query.
 */
class UdpTry implements UdpWaiter, CancelListener {
  readonly deadline: number;
  readonly #server: ServerAddress;
  readonly #options: TransportOptions;
  readonly #onTruncated: () => Promise<ReplyResult>;
  readonly #lease: UdpLease;
  readonly #query: SentQuery;
  readonly #sink: TrySink;
  #done = false;

  constructor(pool: UdpPool, server: ServerAddress, question: Question, options: TransportOptions, onTruncated: () => Promise<ReplyResult>, sink: TrySink) {
    this.deadline = options.deadline;
    this.#server = server;
    this.#options = options;
    this.#onTruncated = onTruncated;
    this.#sink = sink;
    // Listen first: on() may throw, and a lease taken before would be left behind.
    options.scope.on(this);
    this.#lease = pool.lease(server, this);
    this.#query = buildQuery(question, this.#lease.id);
    this.#lease.send(this.#query.packet);
  }

  onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const result = acceptReply(msg, rinfo, this.#server, this.#query);
    if (result === undefined) return this.#options.onIgnored();
    this.#finish();
    if (result.kind === 'truncated') settleFrom(this.#onTruncated(), this.#sink);
    else this.#sink.onReply(result);
  }

  /** ECONNREFUSED (ICMP port unreachable) and any other socket failure: next server. */
  onError(err: Error): void {
    // A socket that failed in its constructor reports from a microtask (udp-pool.ts
    // #failedLease): by then this try may have been cancelled, and it has an outcome.
    if (this.#done) return;
    this.#finish();
    this.#sink.onReply({ kind: 'failure', code: 'ECONNREFUSED', cause: err });
  }

  onTimeout(): void {
    this.#finish();
    this.#options.onTimeout();
    this.#sink.onReply({ kind: 'failure', code: 'ETIMEOUT' });
  }

  cancelled(reason: Error): void {
    this.#finish();
    this.#sink.onCancel(reason);
  }

  #finish(): void {
    this.#done = true;
    this.#options.scope.off(this);
    this.#lease.release();
  }
}

/** The source must be the server (defence in depth: the connected socket filters too). */
export function acceptReply(msg: Buffer, rinfo: dgram.RemoteInfo, server: ServerAddress, query: SentQuery): PacketResult | undefined {
  if (rinfo.port !== server.port || !sameAddress(rinfo.address, server.address)) return undefined;
  if (!matchesQuery(msg, query)) return undefined;
  if (isTruncated(msg)) return { kind: 'truncated' };
  const reply = decodeReply(msg, query.questionEnd);
  return reply && { kind: 'reply', reply };
}

/**
 * The kernel reports canonical addresses and servers were canonicalized when configured;
 * a zone id may be reported by number where it was configured by name, so it is left out.
 * An IPv4-mapped server (`::ffff:127.0.0.53`) is reported in dotted form
 * (`::ffff:127.0.0.53`) where its canonical text is `::ffff:7f00:35`: compare the bytes.
 */
function sameAddress(reported: string, configured: string): boolean {
  if (reported === configured) return true;
  const a = reported.split('%', 1)[0]!;
  const b = configured.split('%', 1)[0]!;
  if (a === b) return true;
  if (!a.includes(':') || !b.includes(':')) return false;
  return canonicalIpv6(a) === canonicalIpv6(b);
}

/** One text per IPv6 address (inet_pton, then inet_ntop): `::ffff:7f00:35` → `::ffff:127.0.0.53`. */
function canonicalIpv6(address: string): string {
  return new SocketAddress({ address, family: 'ipv6' }).address;
}
