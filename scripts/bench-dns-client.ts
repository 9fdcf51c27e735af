/**
 * DNS query rate against Node's c-ares `dns.Resolver`, side by side against one knotd on
 * loopback: the public `Resolver` with `cache: false` (what users call), the bare
 * `DnsClient` under it, and a bare `dgram` loop (scripts/bench-lib/bare-dgram.ts: the
 * floor of JavaScript over Node's UDP). Every query asks a unique name under a wildcard
 * (nothing cached anywhere), with a fixed number in flight; each round runs every
 * contender once, in an order that rotates. knotd runs one UDP worker: on a 2-core
 * machine that leaves one core to the client, for all alike. CPU per query
 * (process.cpuUsage over the round / queries, user + system) is printed too: it is
 * steadier than rates on a busy box.
 *
 * `--before DIR` adds the Resolver and DnsClient of another build (DIR is that checkout's
 * `build/`, e.g. a `git worktree` of the base commit), so before and after run in one
 * process, in the same rounds.
 *
 *   npx tsc -p tsconfig.json && node build/scripts/bench-dns-client.js [--rounds 8] [--queries 20000] [--concurrency 50]
 *     [--contenders resolver,dnsclient,c-ares,dgram] [--before DIR] [--udp-max-queries 64,1000] [--json-out FILE]
 *   UDP_MAX_QUERIES=1 node build/scripts/bench-dns-client.js   # a fresh UDP socket per query
 */
import { Resolver as CaresResolver } from 'node:dns/promises';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DnsClient } from '../lib/dns/client.js';
import { Resolver } from '../lib/resolver.js';
import { BareDgram } from './bench-lib/bare-dgram.js';
import { startKnot, type KnotServer } from './harness/knot.js';
import { numberArg, stringArg } from './bench-lib/print.js';
import { type Metric, writeMetrics } from './bench-lib/metrics.js';
import { fixtureZone } from './harness/zones.js';

type Ask = (name: string) => Promise<unknown>;

interface Round {
  rate: number;
  medianUs: number;
  /** Process CPU time (user + system) per query, µs. */
  cpuUs: number;
  /** The system (kernel) part of it. */
  sysUs: number;
}

interface Contender {
  label: string;
  ask: Ask;
  close(): void;
}

const argv = process.argv.slice(2);
const rounds = numberArg(argv, '--rounds', 8);
const perRound = numberArg(argv, '--queries', 20_000);
const concurrency = numberArg(argv, '--concurrency', 50);
const wanted = (stringArg(argv, '--contenders') ?? 'resolver,dnsclient,c-ares,dgram').split(',');
const before = stringArg(argv, '--before');
const jsonOut = stringArg(argv, '--json-out');
/** Extra DnsClient contenders with other `udpMaxQueries` (queries per source port), e.g. `64,1000`. */
const maxQueriesVariants = (stringArg(argv, '--udp-max-queries') ?? '').split(',').filter(Boolean).map(Number);

async function runRound(ask: Ask, prefix: string): Promise<Round> {
  const latencies = new Float64Array(perRound);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < perRound) {
      const i = next++;
      const start = performance.now();
      await ask(`${prefix}-${i}.bench.test`);
      latencies[i] = performance.now() - start;
    }
  };
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    rate: perRound / seconds,
    medianUs: median([...latencies]) * 1000,
    cpuUs: (used.user + used.system) / perRound,
    sysUs: used.system / perRound,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Library {
  Resolver: typeof Resolver;
  DnsClient: typeof DnsClient;
}

/** The Resolver as users make it with their own server (no cache), and the DnsClient under it. */
function libraryContenders(lib: Library, knot: KnotServer, suffix: string): Contender[] {
  const udpMaxQueries = process.env.UDP_MAX_QUERIES ? Number(process.env.UDP_MAX_QUERIES) : undefined;
  const resolver = new lib.Resolver({ servers: [`127.0.0.1:${knot.port}`], resolvConf: false, cache: false });
  const client = new lib.DnsClient({ servers: [knot.v4], udpMaxQueries });
  return [
    { label: `resolver${suffix}`, ask: (name) => resolver.query(name, 'A'), close: () => resolver.close() },
    { label: `dnsclient${suffix}`, ask: (name) => client.query(name, 'A'), close: () => client.close() },
  ];
}

async function contenders(knot: KnotServer): Promise<Contender[]> {
  const all = libraryContenders({ Resolver, DnsClient }, knot, '');
  if (before) {
    const dir = pathToFileURL(`${resolve(before)}/`);
    const old: Library = {
      Resolver: ((await import(new URL('lib/resolver.js', dir).href)) as { Resolver: typeof Resolver }).Resolver,
      DnsClient: ((await import(new URL('lib/dns/client.js', dir).href)) as { DnsClient: typeof DnsClient }).DnsClient,
    };
    all.push(...libraryContenders(old, knot, '@before'));
  }
  const cares = new CaresResolver({ timeout: 5000, tries: 2 });
  cares.setServers([`127.0.0.1:${knot.port}`]);
  all.push({ label: 'c-ares', ask: (name) => cares.resolve4(name, { ttl: true }), close: () => cares.cancel() });
  const bare = await BareDgram.open('127.0.0.1', knot.port);
  all.push({ label: 'dgram', ask: (name) => bare.query(name), close: () => bare.close() });
  for (const max of maxQueriesVariants) {
    const client = new DnsClient({ servers: [knot.v4], udpMaxQueries: max });
    all.push({ label: `dnsclient/udpMaxQueries=${max}`, ask: (name) => client.query(name, 'A'), close: () => client.close() });
  }
  const chosen = all.filter((c) => wanted.includes(c.label.replace('@before', '')) || c.label.includes('/udpMaxQueries='));
  for (const c of all) if (!chosen.includes(c)) c.close();
  return chosen;
}

function summary(results: Round[]): Round {
  return {
    rate: median(results.map((r) => r.rate)),
    medianUs: median(results.map((r) => r.medianUs)),
    cpuUs: median(results.map((r) => r.cpuUs)),
    sysUs: median(results.map((r) => r.sysUs)),
  };
}

async function main(): Promise<void> {
  const knot = await startKnot([fixtureZone('bench.test')], { udpWorkers: 1 });
  const list = await contenders(knot);
  const results = new Map<string, Round[]>(list.map((c) => [c.label, []]));
  const width = Math.max(...list.map((c) => c.label.length)) + 1;
  try {
    const tag = randomBytes(4).toString('hex');
    // A warm-up round each, not counted (JIT, first sockets).
    for (const c of list) await runRound(c.ask, `warm-${c.label.replace(/[@/=]/g, '-')}-${tag}`);
    for (let round = 0; round < rounds; round++) {
      // Rotate who goes first, so no contender always follows the same one.
      const order = list.map((_, i) => list[(i + round) % list.length]!);
      for (const c of order) {
        const result = await runRound(c.ask, `r${round}-${c.label.replace(/[@/=]/g, '-')}-${tag}`);
        results.get(c.label)!.push(result);
        console.log(
          `round ${round} ${c.label.padEnd(width)} ${result.rate.toFixed(0).padStart(7)} q/s  median ${result.medianUs.toFixed(0)} µs  cpu ${result.cpuUs.toFixed(1)} µs/q (sys ${result.sysUs.toFixed(1)})`,
        );
      }
    }
  } finally {
    for (const c of list) c.close();
    await knot.stop();
  }
  const summaries = new Map([...results].map(([label, r]) => [label, summary(r)]));
  console.log(`\n${rounds} rounds × ${perRound} queries, ${concurrency} in flight, unique names, knotd on 127.0.0.1 (one UDP worker)`);
  for (const [label, r] of summaries) {
    console.log(
      `${`${label}:`.padEnd(width + 1)} median ${r.rate.toFixed(0)} q/s, median latency ${r.medianUs.toFixed(0)} µs, cpu ${r.cpuUs.toFixed(1)} µs/query (sys ${r.sysUs.toFixed(1)})`,
    );
  }
  const cares = summaries.get('c-ares');
  const ratios: Record<string, { rate: number; cpu: number }> = {};
  if (cares) {
    for (const [label, r] of summaries) {
      if (label === 'c-ares') continue;
      ratios[label] = { rate: r.rate / cares.rate, cpu: r.cpuUs / cares.cpuUs };
      console.log(`ratio ${label} / c-ares: ${(r.rate / cares.rate).toFixed(2)}× q/s, ${(r.cpuUs / cares.cpuUs).toFixed(2)}× CPU per query`);
    }
  }
  if (jsonOut) {
    const json = { rounds, queries: perRound, concurrency, results: Object.fromEntries(summaries), ratios };
    // The gate's metrics (scripts/bench-lib/metrics.ts): ours against c-ares, rate and CPU.
    const metrics: Metric[] = [];
    for (const label of ['resolver', 'dnsclient']) {
      const r = summaries.get(label);
      const q = ratios[label];
      if (!r || !q) continue;
      metrics.push(
        { name: `dns-${label}-qps`, value: r.rate, unit: 'q/s', better: 'higher' },
        { name: `dns-${label}-vs-cares`, value: q.rate, unit: 'x', better: 'higher', target: 1 },
        { name: `dns-${label}-cpu-vs-cares`, value: q.cpu, unit: 'x', better: 'lower', target: 1 },
      );
    }
    writeMetrics(jsonOut, metrics, json);
  }
}

await main();
