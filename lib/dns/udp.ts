/**
 * Packet round trip: one query over a fresh connected UDP socket bound to port 0, so the
 * kernel picks a random source port per query (RFC 5452 §9.2). Connecting makes the
 * kernel drop datagrams from other sources and report ICMP port unreachable as
 * ECONNREFUSED, so a closed server port is left at once.
 */
import dgram from 'node:dgram';
import type { SentQuery } from './query.js';
import { decodeReply, isTruncated, matchesQuery } from './reply.js';
import { literalLookup, type TransportOptions, type PacketResult } from './transport.js';
import type { ServerAddress } from './types.js';

export function udpExchange(server: ServerAddress, query: SentQuery, options: TransportOptions): Promise<PacketResult> {
  const { clock, signal, onIgnored } = options;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const socket = dgram.createSocket({ type: server.family === 6 ? 'udp6' : 'udp4', lookup: literalLookup });
    let open = true;
    const finish = (): boolean => {
      if (!open) return false;
      open = false;
      clock.clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.close();
      return true;
    };
    const onAbort = (): void => {
      if (finish()) reject(signal.reason);
    };
    const fail = (err: unknown): void => {
      if (finish()) resolve({ kind: 'failure', code: 'ECONNREFUSED', cause: err });
    };
    const timer = clock.setTimeout(
      () => finish() && resolve({ kind: 'failure', code: 'ETIMEOUT' }),
      Math.max(0, options.deadline - clock.now()),
    );
    signal.addEventListener('abort', onAbort);
    // ECONNREFUSED (ICMP port unreachable) and any other socket failure: next server.
    socket.on('error', fail);
    socket.on('message', (msg, rinfo) => {
      if (!open) return;
      const result = acceptReply(msg, rinfo, server, query);
      if (result === undefined) return onIgnored();
      if (finish()) resolve(result);
    });
    socket.connect(server.port, server.address, () => {
      if (open) socket.send(query.packet, (err) => err && fail(err));
    });
  });
}

/** The source must be the server (defence in depth: the connected socket filters too). */
function acceptReply(
  msg: Buffer,
  rinfo: dgram.RemoteInfo,
  server: ServerAddress,
  query: SentQuery,
): PacketResult | undefined {
  if (rinfo.port !== server.port || !sameAddress(rinfo.address, server.address)) return undefined;
  if (!matchesQuery(msg, query)) return undefined;
  if (isTruncated(msg)) return { kind: 'truncated' };
  const reply = decodeReply(msg);
  return reply && { kind: 'reply', reply };
}

/** The kernel reports canonical addresses; servers were canonicalized when configured. */
function sameAddress(reported: string, configured: string): boolean {
  return reported === configured || withoutZone(reported) === withoutZone(configured);
}

function withoutZone(address: string): string {
  const percent = address.indexOf('%');
  return percent < 0 ? address : address.slice(0, percent);
}
