/**
 * UDP sockets for queries. Each socket is connected to one server, bound to port 0 (the
 * kernel picks a random port, RFC 5452 §9.2) and carries at most `maxQueries` queries in
 * its life, several at once under load, each under an ID unused on that socket. Then it is
 * retired and closed once its last query ends; a socket left with no query is closed at
 * once too. So a port serves a handful of queries at most, while a burst of queries
 * shares the cost of opening sockets. `maxQueries: 1` gives a fresh socket per query.
 * Since a socket lives only while a query waits on it, cancelling every query (as
 * `DnsClient#close` does) closes every socket.
 */
import dgram from 'node:dgram';
import { newQueryId } from './query.js';
import { literalLookup } from './transport.js';
import type { ServerAddress } from './types.js';

/** One query waiting on a socket. */
export interface UdpWaiter {
  onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void;
  onError(err: Error): void;
}

/** A query's hold on a socket: its ID there, a way to send, and to let go. */
export class UdpLease {
  readonly #channel: UdpChannel;
  readonly id: number;

  constructor(channel: UdpChannel, id: number) {
    this.#channel = channel;
    this.id = id;
  }

  send(packet: Buffer): void {
    this.#channel.send(packet);
  }

  release(): void {
    this.#channel.release(this.id);
  }
}

class UdpChannel {
  readonly #socket: dgram.Socket;
  readonly #waiters = new Map<number, UdpWaiter>();
  readonly #pool: UdpPool;
  readonly #server: ServerAddress;
  #connected = false;
  #unsent: Buffer[] = [];
  #closed = false;
  issued = 0;

  constructor(server: ServerAddress, pool: UdpPool) {
    this.#pool = pool;
    this.#server = server;
    this.#socket = dgram.createSocket({ type: server.family === 6 ? 'udp6' : 'udp4', lookup: literalLookup });
    this.#socket.on('message', (msg, rinfo) => this.#dispatch(msg, rinfo));
    // ICMP port unreachable (ECONNREFUSED) or any socket error: every query here fails.
    this.#socket.on('error', (err) => this.#fail(err));
    this.#socket.connect(server.port, server.address, () => {
      this.#connected = true;
      for (const packet of this.#unsent.splice(0)) this.send(packet);
    });
  }

  lease(waiter: UdpWaiter, nextId: () => number): UdpLease {
    this.issued++;
    let id = nextId();
    while (this.#waiters.has(id)) id = nextId(); // at most maxQueries (<= 1000) of 65536 are taken
    this.#waiters.set(id, waiter);
    return new UdpLease(this, id);
  }

  send(packet: Buffer): void {
    // No callback: send errors come as 'error' events, handled above; saves a tick per query.
    if (!this.#connected) this.#unsent.push(packet);
    else if (!this.#closed) this.#socket.send(packet);
  }

  release(id: number): void {
    this.#waiters.delete(id);
    if (this.#waiters.size === 0) this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
    this.#pool.forget(this.#server, this);
  }

  #dispatch(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const waiter = msg.length >= 2 ? this.#waiters.get(msg.readUInt16BE(0)) : undefined;
    if (waiter) waiter.onMessage(msg, rinfo);
    else this.#pool.onStray();
  }

  #fail(err: Error): void {
    for (const waiter of [...this.#waiters.values()]) waiter.onError(err);
    this.close();
  }
}

export class UdpPool {
  readonly maxQueries: number;
  /** The socket new queries to a server go to (keyed by the client's own server objects). */
  readonly #current = new Map<ServerAddress, UdpChannel>();
  readonly onStray: () => void;
  readonly #nextId: () => number;

  /**
   * `onStray` counts replies no query waits for (late, forged, or not DNS at all);
   * `nextId` draws query IDs (a seam for tests).
   */
  constructor(maxQueries: number, onStray: () => void, nextId: () => number = newQueryId) {
    this.maxQueries = maxQueries;
    this.onStray = onStray;
    this.#nextId = nextId;
  }

  lease(server: ServerAddress, waiter: UdpWaiter): UdpLease {
    let channel = this.#current.get(server);
    if (!channel || channel.issued >= this.maxQueries) {
      channel = new UdpChannel(server, this);
      this.#current.set(server, channel);
    }
    return channel.lease(waiter, this.#nextId);
  }

  /** A channel closed: new queries to its server need a new socket. */
  forget(server: ServerAddress, channel: UdpChannel): void {
    if (this.#current.get(server) === channel) this.#current.delete(server);
  }
}
