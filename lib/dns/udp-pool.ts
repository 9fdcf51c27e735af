/**
 * UDP sockets for queries. Each socket is connected to one server, bound to port 0 (the
 * kernel picks a random port, RFC 5452 §9.2) and carries at most `maxQueries` queries in
 * its life, several at once under load, each under an ID unused on that socket. Then it is
 * retired and closed once its last query ends. A socket with queries left to carry but
 * none waiting stays open for `IDLE_MS` (unref'd: it never holds the process open), so
 * the next lookups reuse it instead of paying for a new socket (opening, binding and
 * connecting one is a visible part of a lookup's latency: docs/benchmarks.md, "Figures
 * behind the code"). So a port serves a handful of queries at most, and `maxQueries: 1` gives
 * a fresh socket per query. `DnsClient#close` cancels every query and closes idle sockets
 * (`UdpPool#close`), and with them their timers.
 *
 * Deadlines are kept per socket too: one timer, set for the earliest deadline of the
 * queries waiting there, instead of a timer per query (a measurable cost in the benchmark).
 */
import dgram from 'node:dgram';
import { systemClock, type Clock, type TimerHandle, unrefTimer } from '../clock.js';
import { newQueryId } from './query.js';
import { literalLookup } from './transport.js';
import type { ServerAddress } from './types.js';

/** How long a socket with no query waiting stays open for the next one, ms. */
export const IDLE_MS = 2000;

/** One query waiting on a socket. */
export interface UdpWaiter {
  /** `clock.now()` value at which `onTimeout` is called, unless the query ended before. */
  readonly deadline: number;
  onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void;
  onError(err: Error): void;
  onTimeout(): void;
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
  #timer: TimerHandle | undefined;
  /** When the timer fires; later than every waiter's deadline only once they ended. */
  #timerAt = Number.POSITIVE_INFINITY;
  /** Set while no query waits: closes the socket at the end of its idle time. */
  #idleTimer: TimerHandle | undefined;
  /** Why the socket failed, for queries leased after (see #failedLease). */
  #error: Error | undefined;
  issued = 0;

  constructor(server: ServerAddress, pool: UdpPool) {
    this.#pool = pool;
    this.#server = server;
    this.#socket = dgram.createSocket({ type: server.family === 6 ? 'udp6' : 'udp4', lookup: literalLookup });
    this.#socket.on('message', (msg, rinfo) => this.#dispatch(msg, rinfo));
    // ICMP port unreachable (ECONNREFUSED) or any socket error: every query here fails.
    this.#socket.on('error', (err) => this.#fail(err));
    // literalLookup answers at once, so Node connects (or fails, then emits 'error') within
    // connect(). No callback: Node would call it with a failure too, and sending then threw
    // out of a tick (a crash, e.g. an IPv6 server without an IPv6 route). The queries of
    // this tick go out from a microtask, so one cancelled in the tick it was made never
    // reaches the wire.
    this.#socket.connect(server.port, server.address);
    queueMicrotask(() => this.#flush());
  }

  lease(waiter: UdpWaiter): UdpLease {
    if (this.#closed) return this.#failedLease(waiter);
    if (this.#idleTimer !== undefined) this.#wake();
    this.issued++;
    let id = this.#pool.nextId();
    while (this.#waiters.has(id)) id = this.#pool.nextId(); // at most maxQueries (<= 1000) of 65536 are taken
    this.#waiters.set(id, waiter);
    if (waiter.deadline < this.#timerAt) this.#arm(waiter.deadline);
    return new UdpLease(this, id);
  }

  send(packet: Buffer): void {
    if (!this.#connected) this.#unsent.push(packet);
    else if (!this.#closed) this.#socket.send(packet, this.#onSent);
  }

  /**
   * A send that fails (ECONNREFUSED: the ICMP port unreachable of an earlier query, which
   * the kernel reports on the next call) fails every query here. Without a callback Node
   * drops such an error unseen, and the queries sharing the socket waited for their
   * timeout: found by the fault tests (AAAA and A in parallel to a closed port).
   */
  readonly #onSent = (err: Error | null): void => {
    if (err) this.#fail(err);
  };

  #flush(): void {
    if (this.#closed) return;
    const unsent = this.#unsent;
    try {
      // connect() has run to its end (literalLookup answers at once): the socket is
      // connected, or failed with its 'error' still to come. No getpeername() to tell which
      // (a syscall per socket): a send on a socket that is not connected throws (it has no
      // port to send to) before anything is sent.
      while (unsent.length > 0) {
        this.#socket.send(unsent[0]!, this.#onSent);
        unsent.shift();
      }
    } catch {
      // Connecting failed: the 'error' event follows. (Or connected later, which Node 20
      // does not do with a synchronous lookup: then wait for it.)
      /* c8 ignore next 2 */
      this.#socket.once('connect', () => this.#flush());
      return;
    }
    this.#connected = true;
  }

  release(id: number): void {
    this.#waiters.delete(id);
    if (this.#waiters.size > 0 || this.#closed) return;
    if (this.issued >= this.#pool.maxQueries) this.close();
    else this.#idle();
  }

  /** No query waits: let the process exit, and close unless a query comes soon. */
  #idle(): void {
    this.#disarm();
    this.#socket.unref();
    const timer = this.#pool.clock.setTimeout(() => this.close(), IDLE_MS);
    unrefTimer(timer);
    this.#idleTimer = timer;
  }

  #wake(): void {
    this.#pool.clock.clearTimeout(this.#idleTimer!);
    this.#idleTimer = undefined;
    this.#socket.ref();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#idleTimer !== undefined) this.#pool.clock.clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#disarm();
    this.#socket.close();
    this.#pool.forget(this.#server, this);
  }

  closeIfIdle(): void {
    if (this.#waiters.size === 0) this.close();
  }

  #arm(at: number): void {
    const { clock } = this.#pool;
    this.#disarm();
    this.#timerAt = at;
    // Whole milliseconds: Node keeps a timer list per distinct delay, so fractional delays
    // (deadlines come from performance.now()) would each make a list of their own.
    this.#timer = clock.setTimeout(() => this.#expire(), Math.ceil(Math.max(0, at - clock.now())));
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#pool.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  /** Times out every waiter due by now, then waits for the next deadline (if any is left). */
  #expire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.#pool.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const waiter of [...this.#waiters.values()]) {
      if (waiter.deadline <= now) waiter.onTimeout();
      else if (waiter.deadline < next) next = waiter.deadline;
    }
    if (!this.#closed && next < Number.POSITIVE_INFINITY) this.#arm(next);
  }

  #dispatch(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const waiter = msg.length >= 2 ? this.#waiters.get(msg.readUInt16BE(0)) : undefined;
    if (waiter) waiter.onMessage(msg, rinfo);
    else this.#pool.onStray();
  }

  /**
   * The socket failed before its first query was leased: bind or connect errors (EMFILE,
   * EAFNOSUPPORT) come synchronously inside `connect()`, while the constructor runs. The
   * query fails at once with that error, so the client moves on to the next server.
   */
  #failedLease(waiter: UdpWaiter): UdpLease {
    const err = this.#error!;
    queueMicrotask(() => waiter.onError(err));
    return new UdpLease(this, 0); // never sent: the query fails first
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Closed (and forgotten by the pool) before the waiters hear of it: a query moves on to
   * its next try from inside `onError`, and that try must get a new socket, not this one.
   */
  #fail(err: Error): void {
    this.#error = err;
    const waiters = [...this.#waiters.values()];
    this.close();
    for (const waiter of waiters) waiter.onError(err);
  }
}

export class UdpPool {
  readonly maxQueries: number;
  readonly clock: Clock;
  /** Counts replies no query waits for (late, forged, or not DNS at all). */
  readonly onStray: () => void;
  /** Draws query IDs (a seam for tests). */
  readonly nextId: () => number;
  /** The socket new queries to a server go to (keyed by the client's own server objects). */
  readonly #current = new Map<ServerAddress, UdpChannel>();

  constructor(maxQueries: number, onStray: () => void, clock: Clock = systemClock, nextId: () => number = newQueryId) {
    this.maxQueries = maxQueries;
    this.onStray = onStray;
    this.clock = clock;
    this.nextId = nextId;
  }

  lease(server: ServerAddress, waiter: UdpWaiter): UdpLease {
    let channel = this.#current.get(server);
    if (!channel || channel.closed || channel.issued >= this.maxQueries) {
      channel = new UdpChannel(server, this);
      this.#current.set(server, channel);
    }
    return channel.lease(waiter);
  }

  /** Closes every socket no query waits on (queries still waiting keep theirs). */
  close(): void {
    for (const channel of [...this.#current.values()]) channel.closeIfIdle();
  }

  /** A channel closed: new queries to its server need a new socket. */
  forget(server: ServerAddress, channel: UdpChannel): void {
    if (this.#current.get(server) === channel) this.#current.delete(server);
  }
}
