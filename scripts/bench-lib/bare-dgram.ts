/**
 * The floor under any JavaScript DNS client on Node: one connected `dgram` socket, each
 * query's name written into a fresh packet under a random ID, the reply matched by its
 * ID alone and handed back undecoded. No question check, no decode, no timeout, no
 * cancellation, one socket (one source port) for every query: it does less than a client may (a spoofed reply with the right ID would
 * be taken), so it is a ceiling for bench-dns-client, never a client to use.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';

/**
 * A send callback, as DnsClient passes one (it is how a send's ECONNREFUSED is heard):
 * the same call shape keeps Node's dgram code monomorphic across both in one process, and
 * the floor includes what hearing send errors costs (a nextTick per send).
 */
function onSent(err: Error | null): void {
  if (err) throw err;
}

export class BareDgram {
  readonly #socket: dgram.Socket;
  readonly #waiting = new Map<number, (reply: Buffer) => void>();

  private constructor(socket: dgram.Socket) {
    this.#socket = socket;
    socket.on('message', (msg: Buffer) => {
      const id = msg.readUInt16BE(0);
      const done = this.#waiting.get(id);
      if (!done) return;
      this.#waiting.delete(id);
      done(msg);
    });
  }

  static async open(address: string, port: number): Promise<BareDgram> {
    const socket = dgram.createSocket('udp4');
    socket.connect(port, address);
    await once(socket, 'connect');
    return new BareDgram(socket);
  }

  /** A query for `name` IN A with RD set and no EDNS: the smallest honest query. */
  query(name: string): Promise<Buffer> {
    const packet = Buffer.allocUnsafe(12 + name.length + 2 + 4);
    let id = (Math.random() * 0x10000) | 0;
    while (this.#waiting.has(id)) id = (id + 1) & 0xffff;
    packet.writeUInt16BE(id, 0);
    packet.writeUInt16BE(0x0100, 2);
    packet.writeUInt16BE(1, 4);
    packet.writeUInt32BE(0, 6);
    packet.writeUInt16BE(0, 10);
    packet.write(name, 13, 'latin1');
    let lengthAt = 12;
    const end = 13 + name.length;
    for (let i = 13; i <= end; i++) {
      if (i < end && packet[i] !== 0x2e) continue;
      packet[lengthAt] = i - lengthAt - 1;
      lengthAt = i;
    }
    packet[end] = 0;
    packet.writeUInt32BE(0x00010001, end + 1);
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.#socket.send(packet, onSent);
    });
  }

  close(): void {
    this.#socket.close();
  }
}
