/**
 * The measuring side of bench-connect, in a mount namespace whose resolv.conf names the
 * lab's DNS server. Per scenario, run by run, the clients take turns (the order rotates):
 * - happy-eyeballs: connect() with a Resolver asking that server over UDP, cache OFF, so
 *   every run asks DNS (cold DNS; the resolver and its UDP sockets are reused);
 * - happy-eyeballs fresh name: cache on, but a new name every run (`f<run>.<host>`, a
 *   wildcard in the zone), so DNS is asked through the cache's miss path;
 * - happy-eyeballs warm: the cache on, warmed before the runs;
 * - happy-eyeballs literal: connect() to the winning IP (no DNS: the racer's own cost);
 * - node autoSelectFamily: net.connect({ host, autoSelectFamily: true }), getaddrinfo
 *   (its `lookup` is dns.lookup itself, wrapped only to time it);
 * - net.connect IP: net.connect to the winning IP, the floor.
 * Times are from the call to the connected socket.
 */
import dns from 'node:dns';
import net from 'node:net';
import { connect } from '../../lib/connect.js';
import { probeSource } from '../../lib/address/source-address.js';
import type { RaceEvent } from '../../lib/racer/timeline.js';
import { Resolver } from '../../lib/resolver.js';
import { send } from './child.js';
import { assertOwnResolvConf } from './namespace.js';
import { within } from './timing.js';

export const CLIENTS = [
  'happy-eyeballs',
  'happy-eyeballs fresh name',
  'happy-eyeballs warm',
  'happy-eyeballs literal',
  'node autoSelectFamily',
  'net.connect IP',
] as const;
export type ClientName = (typeof CLIENTS)[number];

export interface ScenarioSpec {
  name: string;
  host: string;
  port: number;
  /** The address a good client ends up connected to. */
  winner: string;
}

/** The name the `fresh name` client asks in run `run` (the lab's zone has a wildcard under each host). */
export const freshName = (host: string, run: number): string => `f${run}.${host}`;

export interface ConnectConfig {
  nameserver: string;
  resolvConfText: string;
  zone: string;
  scenarios: ScenarioSpec[];
  runs: number;
  /** Bound on one connect, ms. */
  timeoutMs: number;
}

export interface Sample {
  ms: number;
  /** Remote address of the socket, or the error code. */
  outcome: string;
}

/** Milliseconds into one happy-eyeballs race (cache off), from its onEvent timeline. */
export interface Phases {
  firstDns: number;
  firstAttempt: number;
  /** Start of the attempt that won. */
  winnerAttempt: number;
  connected: number;
}

export interface ScenarioReport {
  name: string;
  samples: Record<ClientName, Sample[]>;
  phases: Phases[];
  /** Milliseconds of each dns.lookup inside node's net.connect. */
  nodeLookups: number[];
}

/** Where the time of a cold healthy connect goes, measured apart (ms per operation). */
export interface Breakdown {
  /** Resolver.query AAAA and A in parallel, cache off: one UDP round trip each. */
  oursDns: number[];
  /** dns.lookup(name, { all: true }): getaddrinfo on the threadpool. */
  coreDns: number[];
  /** RFC 6724 source-address probe: a UDP connect per destination (uncached; cached 1 s in connect()). */
  probe: number[];
}

type Open = () => Promise<net.Socket>;

function nodeConnect(options: net.NetConnectOpts): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(options);
    socket.once('connect', () => resolve(socket));
    socket.once('error', (err) => (socket.destroy(), reject(err)));
  });
}

/** One timed connect, bounded: the socket is closed at once, a late one too. */
async function timeOne(open: Open, boundMs: number): Promise<Sample> {
  // The clock starts before the call: its synchronous part (sockets, sends) counts too.
  const started = performance.now();
  const pending = open();
  const result = await within(pending, boundMs);
  const ms = performance.now() - started;
  if (!result.done) {
    void pending.then(
      (socket) => socket.destroy(),
      () => {},
    );
    return { ms, outcome: 'bound' };
  }
  if (result.error) return { ms, outcome: String((result.error as NodeJS.ErrnoException).code ?? result.error) };
  const socket = result.value!;
  const outcome = socket.remoteAddress ?? '?';
  socket.destroy();
  return { ms, outcome };
}

async function runScenario(cfg: ConnectConfig, s: ScenarioSpec, cold: Resolver, warm: Resolver): Promise<ScenarioReport> {
  let run = 0;
  await Promise.allSettled([warm.query(s.host, 'A'), warm.query(s.host, 'AAAA')]);
  const phases: Phases[] = [];
  const nodeLookups: number[] = [];
  const timedLookup: net.LookupFunction = (hostname, options, callback) => {
    const started = performance.now();
    dns.lookup(hostname, options, (...args: Parameters<typeof callback>) => {
      nodeLookups.push(performance.now() - started);
      callback(...args);
    });
  };
  const opens: Record<ClientName, Open> = {
    'happy-eyeballs': () => {
      const events: RaceEvent[] = [];
      return connect({ host: s.host, port: s.port, resolver: cold, timeout: cfg.timeoutMs, onEvent: (e) => events.push(e) }).then((socket) => {
        // onEvent is delivered on a microtask: read the timeline once it is in.
        queueMicrotask(() => phases.push(phasesOf(events)));
        return socket;
      });
    },
    'happy-eyeballs fresh name': () => connect({ host: freshName(s.host, run), port: s.port, resolver: warm, timeout: cfg.timeoutMs }),
    'happy-eyeballs warm': () => connect({ host: s.host, port: s.port, resolver: warm, timeout: cfg.timeoutMs }),
    'happy-eyeballs literal': () => connect({ host: s.winner, port: s.port, timeout: cfg.timeoutMs }),
    'node autoSelectFamily': () => nodeConnect({ host: s.host, port: s.port, autoSelectFamily: true, lookup: timedLookup }),
    'net.connect IP': () => nodeConnect({ host: s.winner, port: s.port }),
  };
  const samples = Object.fromEntries(CLIENTS.map((c) => [c, [] as Sample[]])) as Record<ClientName, Sample[]>;
  for (; run < cfg.runs; run++) {
    const k = run % CLIENTS.length;
    for (const client of [...CLIENTS.slice(k), ...CLIENTS.slice(0, k)]) samples[client].push(await timeOne(opens[client], cfg.timeoutMs));
  }
  return { name: s.name, samples, phases, nodeLookups };
}

function phasesOf(events: RaceEvent[]): Phases {
  const at = (type: RaceEvent['type']): number => events.find((e) => e.type === type)?.ms ?? NaN;
  const success = events.find((e) => e.type === 'attempt:success');
  const winner = events.find((e) => e.type === 'attempt:start' && success?.type === 'attempt:success' && e.attempt === success.attempt);
  return { firstDns: at('dns'), firstAttempt: at('attempt:start'), winnerAttempt: winner?.ms ?? NaN, connected: success?.ms ?? NaN };
}

/** DNS and probe costs on their own, for the healthy host. */
async function breakdown(s: ScenarioSpec, cold: Resolver, runs: number): Promise<Breakdown> {
  const out: Breakdown = { oursDns: [], coreDns: [], probe: [] };
  const timed = async (op: () => Promise<unknown>): Promise<number> => {
    const t = performance.now();
    await op();
    return performance.now() - t;
  };
  for (let i = 0; i < runs; i++) {
    out.oursDns.push(await timed(() => Promise.all([cold.query(s.host, 'AAAA'), cold.query(s.host, 'A')])));
    out.coreDns.push(await timed(() => dns.promises.lookup(s.host, { all: true })));
    out.probe.push(await timed(() => Promise.all([probeSource('::1'), probeSource('127.0.0.1')])));
  }
  return out;
}

export async function runConnectClient(cfg: ConnectConfig): Promise<void> {
  // Before any getaddrinfo: resolv.conf must be ours (else this throws and the process ends).
  assertOwnResolvConf(cfg.resolvConfText, cfg.zone);
  const options = { servers: [cfg.nameserver], resolvConf: false as const, timeout: 3000, attempts: 1 };
  const cold = new Resolver({ ...options, cache: false });
  const warm = new Resolver(options);
  try {
    const scenarios: ScenarioReport[] = [];
    for (const s of cfg.scenarios) {
      scenarios.push(await runScenario(cfg, s, cold, warm));
      process.stderr.write(`${s.name}: ${cfg.runs} runs done\n`);
    }
    const healthy = cfg.scenarios.find((s) => s.name === 'both healthy');
    send('report', { scenarios, breakdown: healthy ? await breakdown(healthy, cold, cfg.runs) : undefined });
  } finally {
    cold.close();
    warm.close();
  }
  process.exit(0);
}
