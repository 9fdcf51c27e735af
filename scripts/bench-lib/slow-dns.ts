/**
 * A UDP-only DNS server that answers every query after `delay` ms, with a receive buffer
 * big enough for a burst of thousands of queries. The lab's FakeDnsServer keeps the
 * kernel's default buffer (212,992 bytes here), which holds only 256 small datagrams:
 * a burst of 2,000 queries would lose most of them and measure packet loss instead.
 * Answers come from the lab's zone store and reply builder.
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { buildReply } from '../../lib/lab/dns-reply.js';
import { ZoneStore } from '../../lib/lab/dns-store.js';
import type { Zone } from '../../lib/lab/dns-zone.js';

const RECV_BUFFER = 8 << 20;

export class SlowDnsServer {
  readonly store: ZoneStore;
  /** Milliseconds before each answer; 0 answers at once. */
  delay = 0;
  /** Names (lower case) always answered at once. */
  readonly fast = new Set<string>();
  readonly #udp: dgram.Socket;
  readonly #timers = new Set<NodeJS.Timeout>();
  #seen = 0;

  private constructor(udp: dgram.Socket, zones: Zone[]) {
    this.#udp = udp;
    this.store = new ZoneStore(zones);
    udp.on('message', (msg, rinfo) => this.#onQuery(msg, rinfo));
  }

  static async start(options: { host: string; port: number; zones: Zone[] }): Promise<SlowDnsServer> {
    const udp = dgram.createSocket('udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(options.port, options.host, () => resolve());
      });
    } catch (err) {
      udp.close();
      throw err;
    }
    udp.setRecvBufferSize(RECV_BUFFER);
    udp.setSendBufferSize(RECV_BUFFER);
    return new SlowDnsServer(udp, options.zones);
  }

  /** Queries received since the last reset. */
  count(): number {
    return this.#seen;
  }

  resetCounts(): void {
    this.#seen = 0;
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await new Promise<void>((resolve) => this.#udp.close(() => resolve()));
  }

  #onQuery(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return; // not DNS: ignored
    }
    const question = query.questions?.[0];
    if (query.type !== 'query' || !question) return;
    this.#seen++;
    const reply = buildReply(this.store, query, {}, 'udp');
    const send = (): void => this.#udp.send(reply, rinfo.port, rinfo.address);
    if (this.delay === 0 || this.fast.has(question.name.toLowerCase())) return send();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      send();
    }, this.delay);
    this.#timers.add(timer);
  }
}
