/**
 * Issue 3: does a wall of slow DNS lookups starve file I/O? `fs.readFile` latency (a
 * 1 KiB temp file) while 1,000 lookups of distinct names (nothing to coalesce) wait on a
 * loopback DNS server that answers every query after 1 s:
 * - baseline: no lookups;
 * - happy-eyeballs: `Resolver.lookup` (user-space UDP client, cache on, library defaults);
 * - happy-eyeballs-wide: the same with cache `maxInFlight: 4096` (every query out at once);
 * - happy-eyeballs-system: `backend: 'system'` (getaddrinfo, at most 2 at once, the rest
 *   queued first in, first out with the cache's queue bounds), in the namespace below;
 * - dns.lookup: Node core, getaddrinfo on the libuv threadpool (UV_THREADPOOL_SIZE unset: 4),
 *   in a private mount namespace whose /etc/resolv.conf names the same server.
 * Each run is a child process; this process hosts the DNS server (on the other core).
 * Measured: sequential reads, then bursts of parallel reads, then one more lookup, of a
 * name answered at once, which shows head-of-line waiting behind the slow ones.
 * Rounds repeat every mode, the order rotating; samples of all rounds are pooled.
 *
 *   npx tsc -p tsconfig.json && node build/scripts/bench-threadpool.js [--rounds 3] [--lookups 1000]
 *     [--reads 200] [--bursts 20] [--burst-size 32] [--delay 1000] [--window 10000] [--fresh-bound 6000]
 *     [--modes baseline,happy-eyeballs-system,dns.lookup] [--json-out FILE]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll, runChild, selfArgv } from './bench-lib/child.js';
import { benchZone, inNamespace, namespaceUnavailable, startNamespaceDns, type NamespaceDns } from './bench-lib/namespace.js';
import { ms, numberArg, stringArg, table, times } from './bench-lib/print.js';
import { SlowDnsServer } from './bench-lib/slow-dns.js';
import { median, ratio, summarize, type Summary } from './bench-lib/stats.js';
import { runClient, type ClientConfig, type ClientReport, type Mode } from './bench-lib/threadpool-client.js';

const ZONE = 'he.test';
const DOMAIN = `tp.${ZONE}`;
const MODES: Mode[] = ['baseline', 'happy-eyeballs', 'happy-eyeballs-wide', 'happy-eyeballs-system', 'dns.lookup'];
/** Modes whose lookups call getaddrinfo: run in the mount namespace. */
const GETADDRINFO: Mode[] = ['happy-eyeballs-system', 'dns.lookup'];
const DRAIN_MS = 30_000;

interface RunReport extends ClientReport {
  /** Queries the DNS server had seen when the child reported (before the delay was lifted). */
  dnsQueries: number;
}

interface ModeResult {
  rounds: number;
  readMs: Summary;
  burstMs: Summary;
  /** True when some read or burst was cut at the window (its time is a lower bound). */
  censored: boolean;
  pendingAfterReads: number[];
  dnsQueries: number[];
  /** Per round: ms of the extra lookup, and how it ended ('ok', an error code, or 'unanswered'). */
  fresh: Array<{ ms: number; outcome: string }>;
  /** System backend, per round: getaddrinfo calls started by then, all in the order asked. */
  systemStarted: number[];
  systemInOrder: boolean;
}

interface Options {
  rounds: number;
  lookups: number;
  reads: number;
  bursts: number;
  burstSize: number;
  delay: number;
  window: number;
  freshBound: number;
}

function parseOptions(argv: string[]): Options {
  return {
    rounds: numberArg(argv, '--rounds', 3),
    lookups: numberArg(argv, '--lookups', 1000),
    reads: numberArg(argv, '--reads', 200),
    bursts: numberArg(argv, '--bursts', 20),
    burstSize: numberArg(argv, '--burst-size', 32),
    delay: numberArg(argv, '--delay', 1000),
    window: numberArg(argv, '--window', 10_000),
    freshBound: numberArg(argv, '--fresh-bound', 6000),
  };
}

/** One mode in its own child; the DNS server stops delaying once the child has reported. */
async function runMode(mode: Mode, o: Options, ns: NamespaceDns<SlowDnsServer>, file: string): Promise<RunReport> {
  const cfg: ClientConfig = {
    mode,
    nameserver: ns.nameserver,
    resolvConfText: ns.resolvConfText,
    domain: DOMAIN,
    zone: ZONE,
    file,
    lookups: o.lookups,
    reads: o.reads,
    bursts: o.bursts,
    burstSize: o.burstSize,
    windowMs: o.window,
    freshBoundMs: o.freshBound,
    drainMs: DRAIN_MS,
  };
  const argv = selfArgv(import.meta.url, mode);
  const cmd = GETADDRINFO.includes(mode) ? inNamespace(ns.resolvConfPath, argv) : { command: argv[0]!, args: argv.slice(1) };
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_CHILD_CONFIG: JSON.stringify(cfg) };
  delete env.UV_THREADPOOL_SIZE; // the default pool of 4 is what users get
  ns.server.resetCounts();
  ns.server.delay = o.delay;
  let seen = 0;
  const result = await runChild({
    label: mode,
    ...cmd,
    env,
    deadlineMs: 2 * o.window + o.freshBound + DRAIN_MS + 15_000,
    onMessage: (tag) => {
      if (tag !== 'report') return;
      seen = ns.server.count();
      ns.server.delay = 0; // getaddrinfo cannot be cancelled: let its queue drain so the child can exit
    },
  });
  const report = result.messages.get('report') as ClientReport | undefined;
  if (!report) throw new Error(`${mode}: no report (exit ${result.code}, signal ${result.signal}${result.killed ? ', killed at deadline' : ''})`);
  return { ...report, dnsQueries: seen };
}

function aggregate(runs: RunReport[]): ModeResult {
  return {
    rounds: runs.length,
    readMs: summarize(runs.flatMap((r) => r.reads)),
    burstMs: summarize(runs.flatMap((r) => r.bursts)),
    censored: runs.some((r) => r.censored || r.burstsCensored),
    pendingAfterReads: runs.map((r) => r.pendingAfterReads),
    dnsQueries: runs.map((r) => r.dnsQueries),
    fresh: runs.flatMap((r) => (r.freshMs === undefined ? [] : [{ ms: r.freshMs, outcome: r.freshAnswered ? 'ok' : (r.freshError ?? 'unanswered') }])),
    systemStarted: runs.flatMap((r) => (r.systemStarted === undefined ? [] : [r.systemStarted])),
    systemInOrder: runs.every((r) => r.systemInOrder !== false),
  };
}

function freshText(fresh: ModeResult['fresh']): string {
  if (fresh.length === 0) return '';
  const m = median(fresh.map((f) => f.ms));
  const outcomes = [...new Set(fresh.map((f) => f.outcome))];
  if (outcomes.length === 1 && outcomes[0] === 'ok') return ms(m);
  return `${outcomes.includes('unanswered') ? '>' : ''}${ms(m)} (${outcomes.join('/')})`;
}

function print(o: Options, results: Partial<Record<Mode, ModeResult>>, skipped: string | undefined): Record<string, number> {
  console.log(`fs.readFile of a 1 KiB file while ${o.lookups} lookups (distinct names, A+AAAA) wait on a loopback DNS server`);
  console.log(`answering after ${o.delay} ms. node ${process.version}, ${cpus().length} cores, UV_THREADPOOL_SIZE unset (4), ${o.rounds} round(s).`);
  console.log(`Sequential: ${o.reads} reads one after another. Bursts: ${o.bursts} × ${o.burstSize} reads at once, time to the last.\n`);
  const rows = MODES.map((mode) => {
    const r = results[mode];
    if (!r) return [mode, 'skipped'];
    const lt = r.censored ? '≥' : '';
    return [
      mode,
      `${r.readMs.n}`,
      lt + ms(r.readMs.median),
      lt + ms(r.readMs.p99),
      lt + ms(r.burstMs.median),
      String(Math.min(...r.pendingAfterReads)),
      String(median(r.dnsQueries)),
      freshText(r.fresh),
    ];
  });
  console.log(table(['mode', 'reads', 'median ms', 'p99 ms', 'burst median ms', 'lookups pending', 'DNS queries by then', 'one more lookup ms'], rows));
  if (skipped) console.log(`\n${GETADDRINFO.join(' and ')} skipped: ${skipped}`);
  const sys = results['happy-eyeballs-system'];
  if (sys)
    console.log(
      `\nsystem backend: getaddrinfo calls started by the report ${sys.systemStarted.join(', ')} (2 at a time), in the order asked: ${sys.systemInOrder ? 'yes' : 'NO'}`,
    );
  const med = (mode: Mode, what: 'readMs' | 'burstMs'): number => results[mode]?.[what].median ?? NaN;
  const ratios = {
    readCoreOverOurs: ratio(med('dns.lookup', 'readMs'), med('happy-eyeballs', 'readMs')),
    burstCoreOverOurs: ratio(med('dns.lookup', 'burstMs'), med('happy-eyeballs', 'burstMs')),
    readOursOverBaseline: ratio(med('happy-eyeballs', 'readMs'), med('baseline', 'readMs')),
    readCoreOverBaseline: ratio(med('dns.lookup', 'readMs'), med('baseline', 'readMs')),
    burstOursOverBaseline: ratio(med('happy-eyeballs', 'burstMs'), med('baseline', 'burstMs')),
    burstCoreOverBaseline: ratio(med('dns.lookup', 'burstMs'), med('baseline', 'burstMs')),
    readSystemOverBaseline: ratio(med('happy-eyeballs-system', 'readMs'), med('baseline', 'readMs')),
    burstSystemOverBaseline: ratio(med('happy-eyeballs-system', 'burstMs'), med('baseline', 'burstMs')),
    readCoreOverSystem: ratio(med('dns.lookup', 'readMs'), med('happy-eyeballs-system', 'readMs')),
  };
  const cut = results['dns.lookup']?.censored ? ' (dns.lookup cut at the window: lower bounds)' : '';
  console.log(`\nreadFile median, dns.lookup / happy-eyeballs: sequential ${times(ratios.readCoreOverOurs)}, bursts ${times(ratios.burstCoreOverOurs)}${cut}`);
  console.log(
    `vs baseline: sequential happy-eyeballs ${times(ratios.readOursOverBaseline)}, dns.lookup ${times(ratios.readCoreOverBaseline)};` +
      ` bursts happy-eyeballs ${times(ratios.burstOursOverBaseline)}, dns.lookup ${times(ratios.burstCoreOverBaseline)}`,
  );
  console.log(`system backend vs baseline: sequential ${times(ratios.readSystemOverBaseline)}, bursts ${times(ratios.burstSystemOverBaseline)}`);
  return ratios;
}

async function main(argv: string[]): Promise<void> {
  const o = parseOptions(argv);
  const jsonOut = stringArg(argv, '--json-out');
  const skipped = namespaceUnavailable();
  const zone = benchZone(ZONE, [
    { name: `*.${DOMAIN}`, type: 'A', data: '127.0.0.1' },
    { name: `*.${DOMAIN}`, type: 'AAAA', data: '::1' },
  ]);
  // glibc: 5 s per query, one try, so a 1 s answer is waited for.
  const ns = await startNamespaceDns([zone], { timeout: 5, attempts: 1 }, (options) => SlowDnsServer.start(options));
  ns.server.fast.add(`fresh.${DOMAIN}`);
  const dir = mkdtempSync(join(tmpdir(), 'he-bench-tp-'));
  const file = join(dir, 'small.txt');
  writeFileSync(file, 'x'.repeat(1024));
  const only = stringArg(argv, '--modes')?.split(',');
  const modes = MODES.filter((mode) => !(GETADDRINFO.includes(mode) && skipped) && (only === undefined || only.includes(mode)));
  const runs = new Map<Mode, RunReport[]>(modes.map((mode) => [mode, []]));
  try {
    for (let round = 0; round < o.rounds; round++) {
      // Rotate the order so drift over the run falls on every mode alike.
      for (const mode of [...modes.slice(round % modes.length), ...modes.slice(0, round % modes.length)]) {
        runs.get(mode)!.push(await runMode(mode, o, ns, file));
      }
    }
  } finally {
    killAll();
    await ns.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const results = Object.fromEntries([...runs].map(([mode, reports]) => [mode, aggregate(reports)])) as Partial<Record<Mode, ModeResult>>;
  const ratios = print(o, results, skipped);
  if (jsonOut) {
    const out = {
      benchmark: 'threadpool',
      date: new Date().toISOString(),
      node: process.version,
      cores: cpus().length,
      options: o,
      nameserver: ns.nameserver,
      results,
      skipped,
      ratios,
    };
    writeFileSync(jsonOut, `${JSON.stringify(out, null, 2)}\n`);
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') await runClient(JSON.parse(process.env.BENCH_CHILD_CONFIG ?? '{}') as ClientConfig);
else await main(argv);
