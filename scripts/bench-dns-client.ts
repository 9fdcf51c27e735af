/**
 * DnsClient vs Node's c-ares `dns.Resolver`, side by side against one knotd on loopback.
 * Every query asks a unique name under a wildcard (nothing cached anywhere), with a fixed
 * number in flight; rounds alternate which client goes first. knotd runs one UDP worker:
 * on a 2-core machine that leaves one core to the client, for both clients alike.
 * CPU per query (user + system) is printed too: it is steadier than rates on a busy box.
 *
 *   npx tsc -p tsconfig.json && node build/scripts/bench-dns-client.js [--rounds 8] [--queries 20000] [--concurrency 50] [--json-out FILE]
 *   UDP_MAX_QUERIES=1 node build/scripts/bench-dns-client.js   # a fresh UDP socket per query
 */
import { Resolver } from 'node:dns/promises';
import { randomBytes } from 'node:crypto';
import { DnsClient } from '../lib/dns/client.js';
import { startKnot } from './harness/knot.js';
import { numberArg, stringArg } from './bench-lib/print.js';
import { writeMetrics } from './bench-lib/metrics.js';
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

const argv = process.argv.slice(2);
const rounds = numberArg(argv, '--rounds', 8);
const perRound = numberArg(argv, '--queries', 20_000);
const concurrency = numberArg(argv, '--concurrency', 50);

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

async function main(): Promise<void> {
  const knot = await startKnot([fixtureZone('bench.test')], { udpWorkers: 1 });
  const udpMaxQueries = process.env.UDP_MAX_QUERIES ? Number(process.env.UDP_MAX_QUERIES) : undefined;
  const client = new DnsClient({ servers: [knot.v4], udpMaxQueries });
  const cares = new Resolver({ timeout: 5000, tries: 2 });
  cares.setServers([`127.0.0.1:${knot.port}`]);
  const contenders: Record<'dnsclient' | 'c-ares', Ask> = {
    dnsclient: (name) => client.query(name, 'A'),
    'c-ares': (name) => cares.resolve4(name, { ttl: true }),
  };
  const results: Record<string, Round[]> = { dnsclient: [], 'c-ares': [] };
  try {
    const tag = randomBytes(4).toString('hex');
    for (const [label, ask] of Object.entries(contenders)) await runRound(ask, `warm-${label}-${tag}`);
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['dnsclient', 'c-ares'] as const) : (['c-ares', 'dnsclient'] as const);
      for (const label of order) {
        const result = await runRound(contenders[label], `r${round}-${label}-${tag}`);
        results[label]!.push(result);
        console.log(
          `round ${round} ${label.padEnd(9)} ${result.rate.toFixed(0).padStart(7)} q/s  median ${result.medianUs.toFixed(0)} µs  cpu ${result.cpuUs.toFixed(1)} µs/q (sys ${result.sysUs.toFixed(1)})`,
        );
      }
    }
  } finally {
    client.close();
    cares.cancel();
    await knot.stop();
  }
  const summary = (label: string): Round => ({
    rate: median(results[label]!.map((r) => r.rate)),
    medianUs: median(results[label]!.map((r) => r.medianUs)),
    cpuUs: median(results[label]!.map((r) => r.cpuUs)),
    sysUs: median(results[label]!.map((r) => r.sysUs)),
  });
  const ours = summary('dnsclient');
  const theirs = summary('c-ares');
  console.log(`\n${rounds} rounds × ${perRound} queries, ${concurrency} in flight, unique names, knotd on 127.0.0.1`);
  for (const [label, r] of [
    ['dnsclient', ours],
    ['c-ares', theirs],
  ] as const) {
    console.log(
      `${`${label}:`.padEnd(10)} median ${r.rate.toFixed(0)} q/s, median latency ${r.medianUs.toFixed(0)} µs, cpu ${r.cpuUs.toFixed(1)} µs/query (sys ${r.sysUs.toFixed(1)})`,
    );
  }
  console.log(`ratio dnsclient / c-ares: ${(ours.rate / theirs.rate).toFixed(2)}×`);
  console.log('stats', client.stats());
  const jsonOut = stringArg(argv, '--json-out');
  if (jsonOut) {
    writeMetrics(jsonOut, [
      { name: 'dns-client-qps', value: ours.rate, unit: 'q/s', better: 'higher' },
      { name: 'dns-client-vs-cares', value: ours.rate / theirs.rate, unit: 'x', better: 'higher', target: 1 },
      { name: 'dns-client-cpu-us', value: ours.cpuUs, unit: 'µs/query', better: 'lower' },
      { name: 'dns-client-cpu-vs-cares', value: ours.cpuUs / theirs.cpuUs, unit: 'x', better: 'lower', target: 1 },
    ]);
  }
}

await main();
