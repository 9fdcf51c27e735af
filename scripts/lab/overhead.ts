/**
 * Where a healthy connect's time goes, ours against Node core, run in the lab's client
 * namespace with the path set to `healthy` (bench-lab.ts runs it after the scenarios).
 * Marks are taken by wrapping dgram's send / 'message' and net.Socket's connect /
 * 'connect' (the same wrappers for every client), so each connect splits into: call →
 * DNS query sent → answer in → TCP connect called → TCP up → the caller has the socket.
 * `bare JS` is a minimal DNS client in JavaScript for comparison: a new UDP socket, AAAA
 * and A sent at once (dns-packet), net.connect to the first AAAA answer; no cache, no
 * race, no checks.
 *
 *   ip netns exec he-client node build/scripts/lab/overhead.js [runs]   (prints @@breakdown JSON)
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { connect } from '../../lib/connect.js';
import { Resolver } from '../../lib/resolver.js';
import { send } from '../bench-lib/child.js';
import { median } from '../bench-lib/stats.js';
import { LAB } from './netns.js';

type Marks = Partial<Record<'send' | 'message' | 'lookup' | 'lookedUp' | 'tcpCall' | 'tcpUp', number>>;
let marks: Marks = {};
const mark = (k: keyof Marks): void => void (marks[k] ??= performance.now());

function wrap(): void {
  const send0 = dgram.Socket.prototype.send;
  dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: unknown[]) {
    mark('send');
    return (send0 as (...a: unknown[]) => void).apply(this, args);
  } as typeof send0;
  const emit0 = dgram.Socket.prototype.emit;
  dgram.Socket.prototype.emit = function (this: dgram.Socket, event: string | symbol, ...args: unknown[]) {
    if (event === 'message') mark('message');
    return (emit0 as (...a: unknown[]) => boolean).call(this, event, ...args);
  } as typeof emit0;
  const connect0 = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    mark('tcpCall');
    this.once('connect', () => mark('tcpUp'));
    return (connect0 as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof connect0;
}

const bareSocket = (): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const udp = dgram.createSocket('udp4');
    const name = `bare-${Math.random().toString(36).slice(2)}.${LAB.zone}`;
    udp.on('message', (msg) => {
      const answer = dnsPacket.decode(msg).answers?.find((a) => a.type === 'AAAA');
      if (answer?.type !== 'AAAA') return;
      udp.close();
      const socket = net.connect({ host: answer.data, port: LAB.ports.http });
      socket.once('connect', () => resolve(socket)).once('error', reject);
    });
    udp.connect(53, LAB.server.v4, () => {
      for (const type of ['AAAA', 'A'] as const)
        udp.send(dnsPacket.encode({ type: 'query', id: (Math.random() * 65536) | 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] }));
    });
  });

const nodeSocket = (host: string): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const lookup: net.LookupFunction = (h, o, cb) => {
      mark('lookup');
      dns.lookup(h, o, (...a: Parameters<typeof cb>) => (mark('lookedUp'), cb(...a)));
    };
    const socket = net.connect({ host, port: LAB.ports.http, autoSelectFamily: true, lookup });
    socket.once('connect', () => (mark('tcpUp'), resolve(socket))).once('error', reject);
  });

export type Breakdown = Record<string, Record<string, number>>;

async function main(runs: number): Promise<Breakdown> {
  wrap();
  const resolver = new Resolver({ servers: [LAB.server.v4], resolvConf: false, hosts: false, timeout: 2000, attempts: 2 });
  const rows: Record<string, Record<string, number[]>> = { 'happy-eyeballs': {}, node: {}, 'bare JS': {} };
  const add = (who: string, what: string, ms: number): void => void (rows[who]![what] ??= []).push(ms);
  for (let run = -1; run < runs; run++) {
    for (const who of ['happy-eyeballs', 'node', 'bare JS']) {
      marks = {};
      const host = `o${run}-${Math.random().toString(36).slice(2, 8)}.${LAB.zone}`;
      const t0 = performance.now();
      const socket = await (who === 'happy-eyeballs' ? connect({ host, port: LAB.ports.http, resolver }) : who === 'node' ? nodeSocket(host) : bareSocket());
      const end = performance.now();
      socket.destroy();
      if (run < 0) continue;
      const m = marks as Required<Marks>;
      if (who === 'node') {
        add(who, 'call → getaddrinfo called', m.lookup - t0);
        add(who, 'getaddrinfo (AAAA + A)', m.lookedUp - m.lookup);
        add(who, 'answers → TCP up', m.tcpUp - m.lookedUp);
      } else {
        add(who, 'call → DNS query sent', m.send - t0);
        add(who, 'DNS round trip (send → first answer)', m.message - m.send);
        add(who, 'answer → TCP connect called', m.tcpCall - m.message);
        add(who, 'TCP connect → up', m.tcpUp - m.tcpCall);
      }
      add(who, 'TCP up → caller has the socket', end - m.tcpUp);
      add(who, 'total', end - t0);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  resolver.close();
  return Object.fromEntries(Object.entries(rows).map(([who, parts]) => [who, Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, median(v)]))]));
}

send('breakdown', await main(Number(process.argv[2] ?? 41)));
