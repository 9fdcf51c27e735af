/**
 * A fake DNS server on loopback: UDP and TCP on the same port, answers from zone data,
 * misbehaves per (name, type) on request, counts what it sees. Node built-ins and
 * dns-packet only: the tests and the CLI demo's lab both run it.
 *
 *   const srv = await FakeDnsServer.start({ zones: [zone] });
 *   srv.setBehaviour('www.example.test', 'AAAA', { delay: 120 });
 *   new DnsClient({ servers: [srv.address] });
 *   srv.count('www.example.test', 'AAAA', 'udp'); await srv.close();
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { buildReply, type Behaviour, type Transport } from './dns-reply.js';
import { ZoneStore } from './dns-store.js';
import { typeName, type Zone, type ZoneRecordType } from './dns-zone.js';

export type { Behaviour, Transport } from './dns-reply.js';

export interface FakeDnsServerOptions {
  zones?: Zone[];
  /** Loopback address to bind. @default '127.0.0.1' */
  host?: string;
  /** @default 0: a free port, the same for UDP and TCP */
  port?: number;
}

/** Same shape as lib/dns/types.ts ServerAddress. */
export interface FakeServerAddress {
  address: string;
  port: number;
  family: 4 | 6;
}

export interface SeenQuery {
  name: string;
  type: string;
  transport: Transport;
  id: number;
  /** Client's source port. */
  port: number;
  /** performance.now() when it arrived: orders the queries of several servers. */
  at: number;
}

const BIND_TRIES = 20;
/**
 * Forgeries sent per event-loop turn (after the poll phase, via setImmediate): libuv reads
 * up to 32 datagrams per socket per turn, so a client in this process keeps up and the
 * real reply is not dropped from a full socket buffer.
 */
const PACE = 16;

export class FakeDnsServer {
  readonly address: FakeServerAddress;
  readonly store: ZoneStore;
  readonly #udp: dgram.Socket;
  readonly #tcp: net.Server;
  /** Sends the forgeries from another port (`OtherPortForger`). */
  readonly #other: dgram.Socket;
  readonly #behaviours = new Map<string, Behaviour>();
  readonly #seen: SeenQuery[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #immediates = new Set<NodeJS.Immediate>();
  readonly #connections = new Set<net.Socket>();
  #closed = false;

  private constructor(udp: dgram.Socket, tcp: net.Server, other: dgram.Socket, zones: Zone[]) {
    this.#udp = udp;
    this.#tcp = tcp;
    this.#other = other;
    this.store = new ZoneStore(zones);
    const { address, port, family } = udp.address();
    this.address = { address, port, family: family === 'IPv6' ? 6 : 4 };
    udp.on('message', (msg, rinfo) => this.#onUdp(msg, rinfo));
    tcp.on('connection', (socket) => this.#onConnection(socket));
  }

  static async start(options: FakeDnsServerOptions = {}): Promise<FakeDnsServer> {
    const host = options.host ?? '127.0.0.1';
    const type = net.isIPv6(host) ? 'udp6' : 'udp4';
    for (let attempt = 1; ; attempt++) {
      const udp = dgram.createSocket({ type, ipv6Only: type === 'udp6' });
      const tcp = net.createServer();
      try {
        await new Promise<void>((resolve, reject) => {
          udp.once('error', reject);
          udp.bind(options.port ?? 0, host, () => resolve());
        });
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen({ port: udp.address().port, host, ipv6Only: type === 'udp6' }, () => resolve());
        });
        const other = dgram.createSocket(type);
        await new Promise<void>((resolve) => other.bind(0, host, () => resolve()));
        return new FakeDnsServer(udp, tcp, other, options.zones ?? []);
      } catch (err) {
        udp.close();
        tcp.close();
        // A fixed port that is taken is the caller's problem. With port 0 the kernel's UDP
        // port may have a TCP twin held elsewhere: try another (a test cannot arrange that).
        /* c8 ignore start */
        if (options.port || attempt >= BIND_TRIES) throw err;
      }
    }
  }
  /* c8 ignore stop */

  /** `ip:port` or `[v6]:port`, as resolver options take servers. */
  get server(): string {
    const { address, port, family } = this.address;
    return family === 6 ? `[${address}]:${port}` : `${address}:${port}`;
  }

  /** `name` and `type` may be '*' (any). `undefined` restores normal service. */
  setBehaviour(name: string, type: string, behaviour: Behaviour | undefined): void {
    const key = `${name.toLowerCase()} ${type}`;
    if (behaviour) this.#behaviours.set(key, { ...behaviour });
    else this.#behaviours.delete(key);
  }

  setRecords(name: string, type: ZoneRecordType, data: string[], ttl?: number): void {
    this.store.setRecords(name, type, data, ttl);
  }

  /** Queries seen for (name, type, transport); each argument may be omitted. */
  count(name?: string, type?: string, transport?: Transport): number {
    return this.queries(name, type, transport).length;
  }

  queries(name?: string, type?: string, transport?: Transport): SeenQuery[] {
    const n = name?.toLowerCase();
    return this.#seen.filter(
      (q) => (n === undefined || q.name === n) && (type === undefined || q.type === type) && (transport === undefined || q.transport === transport),
    );
  }

  resetCounts(): void {
    this.#seen.length = 0;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    for (const immediate of this.#immediates) clearImmediate(immediate);
    this.#timers.clear();
    this.#immediates.clear();
    for (const socket of this.#connections) socket.destroy();
    await Promise.all([
      new Promise<void>((resolve) => this.#udp.close(() => resolve())),
      new Promise<void>((resolve) => this.#other.close(() => resolve())),
      new Promise<void>((resolve) => this.#tcp.close(() => resolve())),
    ]);
  }

  #onUdp(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const query = this.#accept(msg, 'udp', rinfo.port);
    if (!query) return;
    const behaviour = this.#behaviourFor(query);
    if (behaviour.drop === 'udp' || behaviour.drop === 'all') return;
    const reply = buildReply(this.store, query, behaviour, 'udp');
    const send = (socket: dgram.Socket, packet: Buffer): void => {
      if (!this.#closed) socket.send(packet, rinfo.port, rinfo.address);
    };
    const batches: Array<{ socket: dgram.Socket; packet: Buffer }> = [];
    for (const f of behaviour.forge ?? []) {
      const [socket, forger] = typeof f === 'function' ? [this.#udp, f] : [this.#other, f.fromOtherPort];
      for (const packet of [forger(msg)].flat()) batches.push({ socket, packet });
    }
    const sendBatch = (from: number): void => {
      for (const f of batches.slice(from, from + PACE)) send(f.socket, f.packet);
      if (from + PACE < batches.length) this.#nextTurn(() => sendBatch(from + PACE));
      else this.#later(behaviour.delay ?? 0, () => send(this.#udp, reply), behaviour.delay === undefined);
    };
    sendBatch(0);
  }

  #onConnection(socket: net.Socket): void {
    this.#connections.add(socket);
    socket.on('close', () => this.#connections.delete(socket));
    socket.on('error', () => {}); // clients may reset; nothing to do
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const frame = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + frame.length);
        this.#onTcpQuery(frame, socket);
      }
    });
  }

  #onTcpQuery(msg: Buffer, socket: net.Socket): void {
    const query = this.#accept(msg, 'tcp', socket.remotePort!);
    if (!query) return;
    const behaviour = this.#behaviourFor(query);
    if (behaviour.drop === 'tcp' || behaviour.drop === 'all') return;
    if (behaviour.tcp === 'reset') return void socket.resetAndDestroy();
    if (behaviour.tcp === 'close') return void socket.end();
    // A TCP stream has one source: forgeries from another port are UDP only.
    const forged = (behaviour.forge ?? []).flatMap((f) => (typeof f === 'function' ? [f(msg)].flat() : []));
    // Several frames in one write: the client must split them.
    const bytes = Buffer.concat([...forged, buildReply(this.store, query, behaviour, 'tcp')].map(framed));
    this.#later(behaviour.delay ?? 0, () => {
      if (behaviour.tcp === 'stall') return void socket.write(bytes.subarray(0, bytes.length - 3));
      if (behaviour.tcp === 'trickle') return this.#trickle(socket, bytes, behaviour.trickle ?? { bytes: 1, everyMs: 1 });
      socket.write(bytes);
    });
  }

  #trickle(socket: net.Socket, bytes: Buffer, trickle: { bytes: number; everyMs: number }): void {
    if (socket.destroyed || bytes.length === 0) return;
    socket.write(bytes.subarray(0, trickle.bytes));
    this.#later(trickle.everyMs, () => this.#trickle(socket, bytes.subarray(trickle.bytes), trickle));
  }

  /** Decodes and records a query; anything that is not one is ignored. */
  #accept(msg: Buffer, transport: Transport, port: number): dnsPacket.Packet | undefined {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return undefined;
    }
    const q = query.questions?.[0];
    if (query.type !== 'query' || !q) return undefined;
    this.#seen.push({ name: q.name.toLowerCase(), type: typeName(q.type), transport, id: query.id!, port, at: performance.now() });
    return query;
  }

  #behaviourFor(query: dnsPacket.Packet): Behaviour {
    const q = query.questions![0]!;
    const name = q.name.toLowerCase();
    const type = typeName(q.type);
    for (const key of [`${name} ${type}`, `${name} *`, `* ${type}`, '* *']) {
      const behaviour = this.#behaviours.get(key);
      if (!behaviour) continue;
      if (behaviour.times !== undefined && --behaviour.times <= 0) this.#behaviours.delete(key);
      return behaviour;
    }
    return {};
  }

  #nextTurn(fn: () => void): void {
    const immediate = setImmediate(() => {
      this.#immediates.delete(immediate);
      fn();
    });
    this.#immediates.add(immediate);
  }

  /** A timer cleared by close(); `now` runs at once (no delay asked for). */
  #later(ms: number, fn: () => void, now = false): void {
    if (now) return fn();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }
}

function framed(message: Buffer): Buffer {
  const prefix = Buffer.allocUnsafe(2);
  prefix.writeUInt16BE(message.length, 0);
  return Buffer.concat([prefix, message]);
}
