/**
 * Issue 20: a healthy cold connect on loopback, this build against Node core asking the
 * same DNS server, and (with `--before DIR`) against another build of this library (a
 * git worktree of an earlier commit, compiled with tsc: DIR/build/lib/*.js), side by side
 * in one child process, runs interleaved (the order rotates every run).
 *
 * The parent hosts a fake DNS server on a random 127.x.y.z (AAAA ::1 and A 127.0.0.1 for
 * every name under the zone) and accepting listeners on [::1]:P and 127.0.0.1:P. Clients:
 * - happy-eyeballs: connect() with a Resolver asking that server over UDP, cache off
 *   (the same name every run), or (`fresh name`) cache on and a new name every run;
 * - node: net.connect({ autoSelectFamily: true }) with a `lookup` that asks the same
 *   server through c-ares (`dns.Resolver` + `setServers`), AAAA and A in parallel, as
 *   getaddrinfo would return them (never the system's resolver);
 * - floor: a UDP socket, two hand-made queries and net.connect to the first address
 *   answered, nothing else (bench-lib/floor-client.ts): what a cold connect costs in
 *   JavaScript before a resolver or a race does anything of its own;
 * - net.connect IP: net.connect to [::1]:P, the floor without DNS.
 * Time runs from the call to the connected socket. `--marks` splits each connect at the
 * UDP send, the first UDP message, the TCP connect call and TCP up (wrapping dgram's send
 * and 'message' and net.Socket's connect, for every client alike).
 *
 *   npx tsc -p tsconfig.json && node build/scripts/bench-cold-connect.js [--runs 201] [--before /tmp/he-before] [--marks] [--gap MS] [--json-out FILE]
 *   node build/scripts/bench-cold-connect.js --only 'happy-eyeballs' --runs 2000 --child-args '--cpu-prof --cpu-prof-dir=prof'
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { cpus, loadavg } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FakeDnsServer } from '../lib/lab/dns-server.js';
import { listenPair } from '../lib/lab/listeners.js';
import { killAll, runChild, send } from './bench-lib/child.js';
import { floorClient } from './bench-lib/floor-client.js';
import { benchZone } from './bench-lib/namespace.js';
import { ms, numberArg, stringArg, table, times } from './bench-lib/print.js';
import { targetMetrics } from './bench-lib/metrics.js';
import { median, quantile, ratio } from './bench-lib/stats.js';

const ZONE = 'cold.he.test';
const TARGET = 1.15;
const FLOOR = 'floor: dgram query + net.connect';

interface ChildConfig {
  nameserver: string;
  port: number;
  runs: number;
  warmup: number;
  before: string | undefined;
  marks: boolean;
  only: string | undefined;
  /** Pause between two connects, ms: 1 by default; above 2000 every connect finds the DNS client's UDP socket closed and the once-a-second checks due. */
  gapMs: number;
}

type Marks = Partial<Record<'query' | 'send' | 'message' | 'lookup' | 'lookedUp' | 'tcpCall' | 'tcpUp', number>>;
interface Sample {
  ms: number;
  marks: Marks;
  /** CPU time of the whole turn (the connect, the close, the work deferred until the next turn), µs: user and system. */
  cpu: [number, number];
}
type Open = (run: number) => Promise<net.Socket>;

interface Build {
  connect: (options: Record<string, unknown>) => Promise<net.Socket>;
  Resolver: new (options: Record<string, unknown>) => { close(): void };
}

async function loadBuild(dir: string): Promise<Build> {
  const lib = resolvePath(dir, 'build/lib');
  const { connect } = (await import(pathToFileURL(`${lib}/connect.js`).href)) as Pick<Build, 'connect'>;
  const { Resolver } = (await import(pathToFileURL(`${lib}/resolver.js`).href)) as Pick<Build, 'Resolver'>;
  return { connect, Resolver };
}

let marks: Marks = {};
const mark = (k: keyof Marks): void => void (marks[k] ??= performance.now());

/** The same wrappers for every client: the first UDP send and message, the first TCP connect call and its 'connect'. */
function wrapForMarks(): void {
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

/** Marks the first Resolver.query call of a connect. */
function wrapQuery(resolver: Build['Resolver']): void {
  const proto = resolver.prototype as { query: (...args: unknown[]) => unknown };
  const query0 = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    mark('query');
    return query0.apply(this, args);
  };
}

/** dns.lookup's contract on c-ares: AAAA and A in parallel, IPv6 first (`verbatim`), one server: ours. */
function caresLookup(nameserver: string, wantMarks: boolean): net.LookupFunction {
  const resolver = new dns.Resolver({ timeout: 3000, tries: 1 });
  resolver.setServers([nameserver]);
  return (hostname, options, callback) => {
    if (wantMarks) mark('lookup');
    let v6: string[] = [];
    let v4: string[] = [];
    let left = 2;
    let error: NodeJS.ErrnoException | null = null;
    const done = (): void => {
      if (--left > 0) return;
      if (wantMarks) mark('lookedUp');
      const all = [...v6.map((address) => ({ address, family: 6 })), ...v4.map((address) => ({ address, family: 4 }))];
      if (all.length === 0) return callback(error ?? Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: typeof all) => void)(null, all);
      callback(null, all[0]!.address, all[0]!.family);
    };
    resolver.resolve6(hostname, (err, addresses) => (err ? (error = err) : (v6 = addresses), done()));
    resolver.resolve4(hostname, (err, addresses) => (err ? (error = err) : (v4 = addresses), done()));
  };
}

function nodeConnect(options: net.NetConnectOpts): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(options);
    socket.once('connect', () => resolve(socket));
    socket.once('error', (err) => (socket.destroy(), reject(err)));
  });
}

async function clients(cfg: ChildConfig): Promise<void> {
  if (cfg.marks) wrapForMarks();
  const builds: Array<[string, Build]> = [['happy-eyeballs', await loadBuild(resolvePath(import.meta.dirname, '../..'))]];
  if (cfg.before) builds.push(['happy-eyeballs before', await loadBuild(cfg.before)]);
  const server = { servers: [cfg.nameserver], resolvConf: false, hosts: false, timeout: 3000, attempts: 1 };
  const resolvers: Array<{ close(): void }> = [];
  const opens: Record<string, Open> = {};
  for (const [label, build] of builds) {
    if (cfg.marks) wrapQuery(build.Resolver);
    const cold = new build.Resolver({ ...server, cache: false });
    const cached = new build.Resolver(server);
    resolvers.push(cold, cached);
    opens[`${label} (cache off)`] = () => build.connect({ host: `ok.${ZONE}`, port: cfg.port, resolver: cold });
    opens[`${label} (fresh name)`] = (run) => build.connect({ host: `f${run + 1000}-${label.length}.${ZONE}`, port: cfg.port, resolver: cached });
  }
  const lookup = caresLookup(cfg.nameserver, cfg.marks);
  opens['node autoSelectFamily (c-ares lookup)'] = () => nodeConnect({ host: `ok.${ZONE}`, port: cfg.port, autoSelectFamily: true, lookup });
  const floor = await floorClient(cfg.nameserver, `ok.${ZONE}`, cfg.port);
  resolvers.push(floor);
  opens[FLOOR] = floor.open;
  opens['net.connect IP'] = () => nodeConnect({ host: '::1', port: cfg.port });
  const names = Object.keys(opens).filter((name) => cfg.only === undefined || name.startsWith(cfg.only));
  const samples: Record<string, Sample[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let run = -cfg.warmup; run < cfg.runs; run++) {
    const k = ((run % names.length) + names.length) % names.length;
    for (const name of [...names.slice(k), ...names.slice(0, k)]) {
      marks = {};
      const cpu0 = process.cpuUsage();
      const started = performance.now();
      const socket = await opens[name]!(run);
      const elapsed = performance.now() - started;
      const taken = marks;
      socket.destroy();
      for (const key of Object.keys(taken) as Array<keyof Marks>) taken[key]! -= started;
      if (run >= 0) samples[name]!.push({ ms: elapsed, marks: taken, cpu: [0, 0] });
      // Let the closes and the server's work finish: each connect starts from an idle loop.
      await new Promise((resolve) => setTimeout(resolve, cfg.gapMs));
      const cpu = process.cpuUsage(cpu0);
      if (run >= 0) samples[name]!.at(-1)!.cpu = [cpu.user, cpu.system];
    }
  }
  for (const r of resolvers) r.close();
  send('samples', samples);
  // Exit once the (long) line is out: exiting at once could cut a write to a pipe short.
  process.stdout.write('', () => process.exit(0));
}

function phases(samples: Sample[], kind: 'node' | 'floor' | 'ours'): Array<[string, number]> {
  const part = (from: keyof Marks | 'call', to: keyof Marks | 'end'): number =>
    median(samples.map((s) => (to === 'end' ? s.ms : s.marks[to]!) - (from === 'call' ? 0 : s.marks[from]!)).filter(Number.isFinite));
  if (kind === 'floor')
    return [
      ['call → first DNS query sent', part('call', 'send')],
      ['DNS: send → first answer in', part('send', 'message')],
      ['answer → TCP connect called', part('message', 'tcpCall')],
      ['TCP connect called → up', part('tcpCall', 'tcpUp')],
      ['TCP up → caller has the socket', part('tcpUp', 'end')],
    ];
  if (kind === 'node')
    return [
      ['call → lookup called', part('call', 'lookup')],
      ['lookup (AAAA + A, c-ares)', part('lookup', 'lookedUp')],
      ['answers → TCP up', part('lookedUp', 'tcpUp')],
      ['TCP up → caller has the socket', part('tcpUp', 'end')],
    ];
  return [
    ['call → Resolver.query called', part('call', 'query')],
    ['Resolver.query → first DNS query sent', part('query', 'send')],
    ['DNS: send → first answer in', part('send', 'message')],
    ['answer → TCP connect called', part('message', 'tcpCall')],
    ['TCP connect called → up', part('tcpCall', 'tcpUp')],
    ['TCP up → caller has the socket', part('tcpUp', 'end')],
  ];
}

async function main(argv: string[]): Promise<void> {
  const runs = numberArg(argv, '--runs', 201);
  const before = stringArg(argv, '--before');
  const jsonOut = stringArg(argv, '--json-out');
  const childArgs = (stringArg(argv, '--child-args') ?? '').split(' ').filter(Boolean);
  const host = `127.${20 + Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  const records = [`*.${ZONE}`, `ok.${ZONE}`].flatMap((name) => [
    { name, type: 'AAAA' as const, data: '::1' },
    { name, type: 'A' as const, data: '127.0.0.1' },
  ]);
  const server = await FakeDnsServer.start({ zones: [benchZone(ZONE, records)], host });
  const pair = await listenPair({ ipv6: 'accept', ipv4: 'accept' });
  const cfg: ChildConfig = {
    nameserver: server.server,
    port: pair.port,
    runs,
    warmup: numberArg(argv, '--warmup', 20),
    before,
    marks: argv.includes('--marks'),
    gapMs: numberArg(argv, '--gap', 1),
    only: stringArg(argv, '--only'),
  };
  const load = loadavg();
  let samples: Record<string, Sample[]> | undefined;
  try {
    const result = await runChild({
      label: 'clients',
      command: process.execPath,
      args: [...childArgs, import.meta.filename, '--child'],
      env: { ...process.env, BENCH_CHILD_CONFIG: JSON.stringify(cfg) },
      // Up to 6 clients take a turn per run, each followed by the gap.
      deadlineMs: 60_000 + runs * 100 + (runs + cfg.warmup) * 6 * cfg.gapMs,
    });
    samples = result.messages.get('samples') as typeof samples;
    if (!samples) throw new Error(`clients: no samples (exit ${result.code}, signal ${result.signal})`);
  } finally {
    killAll();
    await Promise.all([server.close(), pair.close()]);
  }
  const loadAfter = loadavg();
  const fmt = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`healthy cold connect on loopback, ${runs} runs per client, interleaved; node ${process.version}, ${cpus().length} cores`);
  console.log(`load average before ${fmt(load)}, after ${fmt(loadAfter)}; DNS: fake server on ${server.server}`);
  const node = samples['node autoSelectFamily (c-ares lookup)'];
  const nodeMedian = node ? median(node.map((s) => s.ms)) : NaN;
  const rows = Object.entries(samples).map(([name, xs]) => {
    const t = xs.map((s) => s.ms);
    const mean = (k: 0 | 1): number => xs.reduce((sum, s) => sum + s.cpu[k], 0) / xs.length;
    return [name, String(xs.length), ms(median(t)), ms(quantile(t, 0.9)), times(ratio(median(t), nodeMedian), 3), mean(0).toFixed(0), mean(1).toFixed(0)];
  });
  console.log(table(['client', 'runs', 'median ms', 'p90 ms', '/ node', 'CPU user µs', 'CPU sys µs'], rows));
  console.log('(CPU: mean per turn of the child process, the connect, its close and deferred work; the DNS server runs in the parent)');
  const targets = Object.keys(samples)
    .filter((name) => name.startsWith('happy-eyeballs'))
    .map((name) => {
      const value = ratio(median(samples[name]!.map((s) => s.ms)), nodeMedian);
      return { what: `${name} / node, target ≤ ${TARGET}×`, value, met: value <= TARGET };
    });
  console.log('\ntargets:');
  for (const t of targets) console.log(`  ${t.met ? 'met   ' : 'MISSED'} ${t.what}: ${times(t.value, 3)}`);
  const breakdown: Record<string, Array<[string, number]>> = {};
  if (cfg.marks) {
    console.log('\nwhere the time goes (median ms of each part):');
    for (const [name, xs] of Object.entries(samples)) {
      if (name === 'net.connect IP') continue;
      breakdown[name] = phases(xs, name.startsWith('node') ? 'node' : name === FLOOR ? 'floor' : 'ours');
      console.log(`  ${name}: ${breakdown[name].map(([k, v]) => `${k} ${ms(v)}`).join('; ')}`);
    }
  }
  if (jsonOut) {
    const medians = Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, median(xs.map((s) => s.ms))]));
    const out = {
      benchmark: 'cold-connect',
      date: new Date().toISOString(),
      node: process.version,
      runs,
      load: { before: load, after: loadAfter },
      before,
      medians,
      targets,
      breakdown,
      metrics: targetMetrics('cold-connect', targets),
    };
    writeFileSync(jsonOut, `${JSON.stringify(out, null, 2)}\n`);
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') await clients(JSON.parse(process.env.BENCH_CHILD_CONFIG ?? '{}') as ChildConfig);
else await main(argv);
