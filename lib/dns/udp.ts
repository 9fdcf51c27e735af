/**
 * Packet round trip: one query over a connected UDP socket bound to port 0 (see
 * udp-pool.ts for how sockets are shared and retired). Connecting makes the kernel drop datagrams
 * from other sources and report ICMP port unreachable as ECONNREFUSED, so a closed server
 * port is left at once.
 */
import type dgram from 'node:dgram';
import type { SentQuery } from './query.js';
import { decodeReply, isTruncated, matchesQuery } from './reply.js';
import type { PacketResult, TransportOptions } from './transport.js';
import type { ServerAddress } from './types.js';
import type { UdpPool } from './udp-pool.js';

export function udpExchange(
  pool: UdpPool,
  server: ServerAddress,
  build: (id: number) => SentQuery,
  options: TransportOptions,
): Promise<PacketResult> {
  const { clock, scope, onIgnored } = options;
  return new Promise((resolve, reject) => {
    if (scope.reason) return reject(scope.reason);
    // Each way out (reply, error, timeout, cancel) first removes the others, so runs once.
    const finish = (): void => {
      clock.clearTimeout(timer);
      stopListening();
      lease.release();
    };
    const lease = pool.lease(server, {
      onMessage(msg, rinfo) {
        const result = acceptReply(msg, rinfo, server, query);
        if (result === undefined) return onIgnored();
        finish();
        resolve(result);
      },
      // ECONNREFUSED (ICMP port unreachable) and any other socket failure: next server.
      onError(err) {
        finish();
        resolve({ kind: 'failure', code: 'ECONNREFUSED', cause: err });
      },
    });
    const query = build(lease.id);
    const timer = clock.setTimeout(() => {
      finish();
      resolve({ kind: 'failure', code: 'ETIMEOUT' });
    }, Math.max(0, options.deadline - clock.now()));
    const stopListening = scope.onCancel((reason) => {
      finish();
      reject(reason);
    });
    lease.send(query.packet);
  });
}

/** The source must be the server (defence in depth: the connected socket filters too). */
export function acceptReply(
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

/**
 * The kernel reports canonical addresses and servers were canonicalized when configured;
 * a zone id may be reported by number where it was configured by name, so it is left out.
 */
function sameAddress(reported: string, configured: string): boolean {
  return reported.split('%', 1)[0] === configured.split('%', 1)[0];
}
