/**
 * Wire fuzzing: a real DnsClient asks a loopback server that answers each query with
 * mutated replies (from fuzz-mutate.ts), silence, or the right answer late; or sets TC and
 * then, over TCP, sends mutated frames one byte at a time, a length that lies, a frame that
 * never finishes, a reset or a close in the middle of a frame. The query name carries the
 * input's index (`q<index>.fuzz.test`), so the server rebuilds the same plan from
 * (seed, index) and any input replays alone.
 *
 * The invariant: every query ends, within timeout × attempts plus a margin, with an answer
 * of valid addresses or a DnsError with a known code; nothing else is thrown or left open.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { isIP } from 'node:net';
import dnsPacket from 'dns-packet';
import { DnsClient } from '../../lib/dns/client.js';
import { lengthPrefixed } from '../../lib/dns/tcp.js';
import type { Answer } from '../../lib/dns/types.js';
import { DnsError } from '../../lib/errors.js';
import { mutate } from './fuzz-mutate.js';
import { nameKey, Rng } from './fuzz-rng.js';
import type { FuzzReport } from './fuzz-run.js';

const CODES = new Set(['ENOTFOUND', 'ENODATA', 'ETIMEOUT', 'ESERVFAIL', 'EREFUSED', 'ECONNREFUSED', 'EBADRESP', 'ECONNRESET']);
const UDP_KEY = nameKey('wire-udp');
const TCP_KEY = nameKey('wire-tcp');

export interface WireOptions {
  seed: number;
  inputs: number;
  first?: number;
  /** Queries in flight at once. @default 32 */
  concurrency?: number;
  /** The client's per-try timeout, ms. @default 200 */
  timeout?: number;
}

/** Runs `inputs` queries against a fuzzing server; the report counts answers and error codes. */
export async function fuzzWire(options: WireOptions): Promise<FuzzReport> {
  const { seed, inputs, first = 0, concurrency = 32, timeout = 200 } = options;
  const server = await FuzzServer.start(seed);
  const report: FuzzReport = { target: 'dns-wire', inputs: 0, results: {}, failures: [], slowestMs: 0 };
  let next = first;
  const worker = async (): Promise<void> => {
    while (next < first + inputs) {
      const index = next++;
      await one(server, seed, index, timeout, report);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await server.close();
  }
  return report;
}

async function one(server: FuzzServer, seed: number, index: number, timeout: number, report: FuzzReport): Promise<void> {
  const rng = new Rng(seed, UDP_KEY, index);
  const type = rng.chance(0.5) ? 'A' : 'AAAA';
  const attempts = rng.range(1, 2);
  const client = new DnsClient({ servers: [server.address], timeout, attempts, dns0x20: rng.chance(0.3), udpMaxQueries: rng.pick([1, 16]) });
  const name = `q${index}.fuzz.test`;
  const started = performance.now();
  const ended = await client.query(name, type).then(
    (answer) => ({ answer, error: undefined }),
    (error: unknown) => ({ answer: undefined, error }),
  );
  const ms = performance.now() - started;
  client.close();
  const outcome: WireOutcome = { name, type, ...ended, ms, timeout, attempts };
  report.failures.push(...checkWireOutcome(outcome).map((message) => ({ seed, target: 'dns-wire', index, message })));
  const result = ended.answer ? 'answer' : String((ended.error as { code?: unknown }).code);
  report.inputs++;
  report.results[result] = (report.results[result] ?? 0) + 1;
  report.slowestMs = Math.max(report.slowestMs, ms);
}

export interface WireOutcome {
  name: string;
  type: 'A' | 'AAAA';
  answer: Answer | undefined;
  error: unknown;
  ms: number;
  timeout: number;
  attempts: number;
}

/** What is wrong with how one query ended: nothing, or the broken invariants. */
export function checkWireOutcome(o: WireOutcome): string[] {
  const problems: string[] = [];
  const family = o.type === 'A' ? 4 : 6;
  const { answer, error } = o;
  const answerOk = answer === undefined || (answer.name === o.name && answer.records.length > 0 && answer.records.every((r) => isIP(r.address) === family));
  if (!answerOk) problems.push(`bad answer ${JSON.stringify(answer)}`);
  if (answer === undefined && !(error instanceof DnsError && CODES.has(error.code))) problems.push(`rejected with ${String(error)}`);
  // A generous margin: a loaded 2-core machine runs late timers, never early ones.
  if (o.ms > o.timeout * o.attempts + 1500) problems.push(`took ${o.ms.toFixed(0)} ms for ${o.attempts} tries of ${o.timeout} ms`);
  return problems;
}

/** The valid reply to a decoded query: one or two records of its type, or TC with none. */
function validReply(query: dnsPacket.DecodedPacket, rng: Rng, truncated: boolean): Buffer {
  const q = query.questions![0]!;
  const data = q.type === 'AAAA' ? '2001:db8::7' : '192.0.2.7';
  const answers = truncated ? [] : Array.from({ length: rng.range(1, 2) }, () => ({ name: q.name, type: q.type, ttl: 60, data }));
  return dnsPacket.encode({
    type: 'response',
    id: query.id!,
    flags: dnsPacket.RECURSION_DESIRED | (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0),
    questions: [q],
    answers: answers as dnsPacket.Answer[],
  });
}

function indexOf(query: dnsPacket.DecodedPacket | undefined): number | undefined {
  const match = /^q(\d+)\.fuzz\.test$/i.exec(query?.questions?.[0]?.name ?? '');
  return match ? Number(match[1]) : undefined;
}

function decode(packet: Buffer): dnsPacket.DecodedPacket | undefined {
  try {
    return dnsPacket.decode(packet);
  } catch {
    return undefined;
  }
}

export class FuzzServer {
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #sockets = new Set<net.Socket>();

  private constructor(
    readonly seed: number,
    readonly udp: dgram.Socket,
    readonly tcp: net.Server,
  ) {
    udp.on('message', (msg, rinfo) => this.#onUdp(msg, rinfo));
    tcp.on('connection', (socket) => this.#onConnection(socket));
  }

  static async start(seed: number): Promise<FuzzServer> {
    for (;;) {
      const udp = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
      const tcp = net.createServer();
      const ok = await new Promise<boolean>((resolve) => {
        tcp.once('error', () => resolve(false));
        tcp.listen(udp.address().port, '127.0.0.1', () => resolve(true));
      });
      if (ok) return new FuzzServer(seed, udp, tcp);
      /* c8 ignore start -- the kernel's free UDP port is taken for TCP: another one */
      udp.close();
    }
  }
  /* c8 ignore stop */

  get address(): { address: string; port: number; family: 4 } {
    return { address: '127.0.0.1', port: this.udp.address().port, family: 4 };
  }

  async close(): Promise<void> {
    this.#timers.forEach(clearTimeout);
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all([new Promise<void>((r) => this.udp.close(() => r())), new Promise<void>((r) => this.tcp.close(() => r()))]);
  }

  #later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  /** Per UDP query: mutated replies, then the answer, TC, or nothing. */
  #onUdp(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const query = decode(msg);
    const index = indexOf(query);
    if (query === undefined || index === undefined) return;
    // A retry of the same input gets a plan of its own, still from the seed.
    const rng = new Rng(this.seed, UDP_KEY, index, query.id!);
    const send = (packet: Buffer): void => this.udp.send(packet, rinfo.port, rinfo.address);
    const valid = validReply(query, rng, false);
    for (let n = rng.int(6); n > 0; n--) send(mutate(rng, valid, msg.length - 11));
    const plan = rng.int(4);
    if (plan === 0) return; // silence: the try times out
    const last = plan === 1 ? validReply(query, rng, true) : valid;
    this.#later(rng.int(30), () => send(last));
  }

  #onConnection(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (pending.length < 2 || pending.length < 2 + pending.readUInt16BE(0)) return;
      const msg = pending.subarray(2, 2 + pending.readUInt16BE(0));
      const query = decode(msg);
      const index = indexOf(query);
      if (query === undefined || index === undefined) return void socket.destroy();
      this.#answerTcp(socket, query, new Rng(this.seed, TCP_KEY, index, query.id!), msg.length - 11);
    });
  }

  /** Mutated and valid frames, then one way of delivering them. */
  #answerTcp(socket: net.Socket, query: dnsPacket.DecodedPacket, rng: Rng, questionEnd: number): void {
    const valid = validReply(query, rng, false);
    const frames: Buffer[] = [];
    for (let n = rng.int(4); n > 0; n--) frames.push(lengthPrefixed(mutate(rng, valid, questionEnd)));
    if (rng.chance(0.2)) frames.push(Buffer.of(0, 0)); // an empty frame
    if (rng.chance(0.6)) frames.push(lengthPrefixed(valid));
    let bytes = Buffer.concat(frames);
    const how = rng.int(6);
    if (how === 0) bytes = Buffer.concat([bytes, Buffer.of(0xff, 0xff), rng.bytes(rng.int(50))]); // a length that lies
    if (how === 1) return void socket.write(bytes.subarray(0, rng.int(bytes.length)), () => socket.resetAndDestroy());
    if (how === 2) return void socket.end(bytes.subarray(0, rng.int(bytes.length)));
    if (how === 3) return this.#trickle(socket, bytes, rng.range(0, 3));
    socket.write(bytes);
  }

  /** One byte every `everyMs`. */
  #trickle(socket: net.Socket, bytes: Buffer, everyMs: number): void {
    if (socket.destroyed || bytes.length === 0) return;
    socket.write(bytes.subarray(0, 1));
    this.#later(everyMs, () => this.#trickle(socket, bytes.subarray(1), everyMs));
  }
}
