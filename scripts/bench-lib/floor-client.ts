/**
 * The floor of a cold connect done in JavaScript with Node's own sockets: what any user-space
 * resolver pays before it does anything of its own. One UDP socket connected to the server
 * and kept; AAAA and A asked at once, each query a fixed template with a new ID; the first
 * reply with an address (the ID checked, the address read at the end of the packet, no
 * other check, no cache, no sort, no race, no Resolution Delay) goes straight to
 * `net.connect`. Not a resolver: a yardstick for bench-cold-connect.
 */
import dgram from 'node:dgram';
import net from 'node:net';

/** A query for `name` (A or AAAA), RD set, no EDNS: header, question. */
function query(name: string, type: 1 | 28): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')]));
  return Buffer.concat([Buffer.from([0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, type, 0, 1])]);
}

/** The first A or AAAA record's address in `reply` (no other check); else undefined. */
function firstAddress(reply: Buffer): { address: string; family: 4 | 6 } | undefined {
  let at = 12;
  while (at < reply.length && reply[at] !== 0) at += reply[at]! + 1; // the question's name, never compressed
  at += 5;
  for (let n = reply.readUInt16BE(6); n > 0 && at + 12 <= reply.length; n--) {
    at = (reply[at]! & 0xc0) === 0xc0 ? at + 2 : skipName(reply, at);
    const type = reply.readUInt16BE(at);
    const length = reply.readUInt16BE(at + 8);
    at += 10;
    if (type === 28 && length === 16) return { address: ipv6(reply.subarray(at, at + 16)), family: 6 };
    if (type === 1 && length === 4) return { address: Array.from(reply.subarray(at, at + 4)).join('.'), family: 4 };
    at += length;
  }
  return undefined;
}

function skipName(reply: Buffer, at: number): number {
  while (at < reply.length && reply[at] !== 0 && (reply[at]! & 0xc0) !== 0xc0) at += reply[at]! + 1;
  return reply[at] === 0 ? at + 1 : at + 2;
}

function ipv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}

export type FloorOpen = () => Promise<net.Socket>;

/** A connect function over `nameserver` (`ip:port`) to `name`:`port`; `close()` lets its socket go. */
export async function floorClient(nameserver: string, name: string, port: number): Promise<{ open: FloorOpen; close(): void }> {
  const at = nameserver.lastIndexOf(':');
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => udp.connect(Number(nameserver.slice(at + 1)), nameserver.slice(0, at), resolve));
  const templates = [query(name, 28), query(name, 1)];
  let waiting: ((found: { address: string; family: 4 | 6 }) => void) | undefined;
  const ids = new Set<number>();
  let next = Math.floor(Math.random() * 65536);
  let failed: ((err: Error) => void) | undefined;
  udp.on('error', (err) => failed?.(err));
  udp.on('message', (reply) => {
    if (waiting === undefined || reply.length < 12 || !ids.has(reply.readUInt16BE(0))) return;
    let found: { address: string; family: 4 | 6 } | undefined;
    try {
      found = firstAddress(reply);
    } catch {
      return; // cut short: as if never received
    }
    if (found === undefined) return;
    const take = waiting;
    waiting = undefined;
    ids.clear();
    take(found);
  });
  const open: FloorOpen = () =>
    new Promise((resolve, reject) => {
      // As the other clients: no answer within 3 s is a failure, not a hang.
      const timer = setTimeout(() => failed!(new Error('floor: no usable answer within 3 s')), 3000);
      failed = (err) => {
        clearTimeout(timer);
        waiting = undefined;
        failed = undefined;
        reject(err);
      };
      waiting = ({ address, family }) => {
        clearTimeout(timer);
        failed = undefined;
        const socket = net.connect({ host: address, port, family });
        socket.once('connect', () => resolve(socket));
        socket.once('error', (err) => (socket.destroy(), reject(err)));
      };
      for (const template of templates) {
        const packet = Buffer.from(template);
        next = (next + 1) & 0xffff;
        packet.writeUInt16BE(next, 0);
        ids.add(next);
        udp.send(packet);
      }
    });
  return { open, close: () => udp.close() };
}
