/**
 * Load, the long run.
 *
 * 1. 10,000 concurrent connect() calls to a local server (in a child process) under
 *    several process-wide bounds on attempts being started, healthy and with IPv6
 *    black-holed: time, failures by code (EMFILE?), most file descriptors open. The
 *    unbounded runs show what the bound prevents.
 * 2. Warm-cache rates: rounds of 100,000 queries and lookups over 1,000 dual-stack names,
 *    with the heap after a full GC after each round.
 *
 *   node --expose-gc build/scripts/soak-load.js [--connects 10000] [--bounds 64,256,1024,Infinity] [--rounds 10] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setMaxConcurrentAttempts } from '../lib/racer/attempt-slots.js';
import { Resolver } from '../lib/resolver.js';
import { FakeDnsServer } from '../lib/lab/dns-server.js';
import { connectMany, type LoadResult, type LoadServer, startBlackHoledServer, startLoadServer } from './harness/load-connect.js';
import { lookupRounds, type Round } from './harness/load-lookups.js';
import { fixtureZones } from './harness/zones.js';

const { values } = parseArgs({
  options: {
    connects: { type: 'string', default: '10000' },
    bounds: { type: 'string', default: '64,256,1024,Infinity' },
    rounds: { type: 'string', default: '10' },
    json: { type: 'string' },
  },
});
const connects = Number(values.connects);
const bounds = values.bounds.split(',').map(Number);
console.log(`open files limit: run 'ulimit -n' (this machine: 20000); ${connects} connects per run`);

const dns = await FakeDnsServer.start({ zones: fixtureZones() });
dns.setRecords('load.example.test', 'AAAA', ['::1'], 3600);
dns.setRecords('load.example.test', 'A', ['127.0.0.1'], 3600);
const connectRuns: Array<LoadResult & { scenario: string; bound: number }> = [];

for (const scenario of ['healthy', 'IPv6 black-holed'] as const) {
  for (const bound of scenario === 'healthy' ? bounds : [256, 1024, Number.POSITIVE_INFINITY]) {
    // A fresh resolver and server per run, so one run's failures do not follow the next.
    const resolver = new Resolver({ servers: [dns.server], resolvConf: false, hosts: false, timeout: 5000 });
    const server: LoadServer = scenario === 'healthy' ? await startLoadServer() : await startBlackHoledServer();
    setMaxConcurrentAttempts(bound);
    const result = await connectMany(connects, server.port, resolver);
    setMaxConcurrentAttempts(256);
    connectRuns.push({ ...result, scenario, bound });
    console.log(
      `${scenario}, bound ${String(bound).padEnd(8)}: ${result.connected} connected in ${(result.ms / 1000).toFixed(2)} s ` +
        `(${Math.round(connects / (result.ms / 1000))}/s), failures ${JSON.stringify(result.errors)}, most fds ${result.mostFds}, ` +
        `most attempts starting ${result.mostHeld}, most waiting ${result.mostWaiting}`,
    );
    resolver.close();
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 2000)); // let the kernel reap the closed sockets
  }
}

const lookupRuns: Array<{ api: string; rounds: Round[] }> = [];
for (const api of ['query', 'lookup'] as const) {
  const resolver = new Resolver({ servers: [dns.server], resolvConf: false, hosts: false });
  const rounds = await lookupRounds(resolver, dns, api, Number(values.rounds), 100_000);
  lookupRuns.push({ api, rounds });
  const rates = rounds.map((r) => Math.round(r.perSecond));
  console.log(`${api}: rounds of 100,000 on a warm cache: ${rates.join(', ')} per second; median ${median(rates)}`);
  console.log(
    `${api}: heap after GC per round (MB): ${rounds.map((r) => (r.heap / 1e6).toFixed(2)).join(', ')}; failures ${rounds.reduce((n, r) => n + r.failures, 0)}`,
  );
  resolver.close();
}
await dns.close();
if (values.json) writeFileSync(values.json, JSON.stringify({ connects, connectRuns, lookupRuns }, null, 2));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
