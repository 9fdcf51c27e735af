/**
 * Issue 4: time to a connected socket, this library's `connect()` against Node core's
 * `net.connect({ autoSelectFamily: true })` (getaddrinfo) and against `net.connect` to
 * the IP literal (the floor), side by side in one run, runs interleaved. Both resolve
 * through the same fake DNS server on 127.0.0.x:53: ours over the wire (Resolver
 * `servers`), Node's via a private mount namespace whose /etc/resolv.conf names it.
 * Scenarios (every host has AAAA ::1 and A 127.0.0.1, one port for both):
 * - v6 black hole: [::1]:P drops SYNs (full accept queue), 127.0.0.1:P accepts;
 * - slow AAAA: the AAAA answer comes after 1 s, A at once; both accept;
 * - both healthy: both answers at once, both accept.
 * This process hosts the DNS server and listeners; the clients run in a child.
 * See bench-lib/connect-client.ts for the clients (DNS cache off in the main one).
 *
 *   npx tsc -p tsconfig.json && node build/scripts/bench-connect.js [--runs 30] [--json-out FILE]
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { listenPair, type ListenerPair } from '../lib/lab/listeners.js';
import { killAll, runChild, selfArgv } from './bench-lib/child.js';
import {
  CLIENTS,
  freshName,
  runConnectClient,
  type Breakdown,
  type ConnectConfig,
  type ScenarioReport,
  type ScenarioSpec,
} from './bench-lib/connect-client.js';
import { benchZone, inNamespace, namespaceUnavailable, startNamespaceDns } from './bench-lib/namespace.js';
import { ms, numberArg, stringArg, table, times } from './bench-lib/print.js';
import { median, quantile, ratio, summarize, type Summary } from './bench-lib/stats.js';
import { targetMetrics } from './bench-lib/metrics.js';

const ZONE = 'he.test';
const SLOW_AAAA_MS = 1000;
const HOSTS = [
  { scenario: 'v6 black hole', name: `bh.cn.${ZONE}`, ipv6: 'black-hole', winner: '127.0.0.1' },
  { scenario: 'slow AAAA', name: `slow.cn.${ZONE}`, ipv6: 'accept', winner: '127.0.0.1' },
  { scenario: 'both healthy', name: `ok.cn.${ZONE}`, ipv6: 'accept', winner: '::1' },
] as const;

interface Target {
  what: string;
  value: number;
  met: boolean;
}

/** Medians of every client, per scenario. */
type Medians = Record<string, Record<string, Summary>>;

function summaries(report: ScenarioReport): Record<string, Summary & { outcomes: Record<string, number> }> {
  return Object.fromEntries(
    CLIENTS.map((client) => {
      const samples = report.samples[client];
      const outcomes: Record<string, number> = {};
      for (const s of samples) outcomes[s.outcome] = (outcomes[s.outcome] ?? 0) + 1;
      // Failed or bounded runs count as their elapsed time: a failure is never fast.
      return [client, { ...summarize(samples.map((s) => s.ms)), outcomes }];
    }),
  );
}

function targets(m: Medians): Target[] {
  const med = (scenario: string, client: string): number => m[scenario]?.[client]?.median ?? NaN;
  const floor = med('both healthy', 'net.connect IP');
  const goals: Target[] = [];
  for (const [ours, label] of [
    ['happy-eyeballs', 'cache off'],
    ['happy-eyeballs fresh name', 'fresh name'],
  ] as const) {
    const bh = ratio(med('v6 black hole', ours), med('v6 black hole', 'node autoSelectFamily'));
    const slow = ratio(med('slow AAAA', 'node autoSelectFamily'), med('slow AAAA', ours));
    const healthy = ratio(med('both healthy', ours), floor);
    goals.push(
      { what: `v6 black hole: happy-eyeballs (${label}) / node, target ≤ 1.00×`, value: bh, met: bh <= 1 },
      { what: `slow AAAA: node / happy-eyeballs (${label}), target ≥ 10×`, value: slow, met: slow >= 10 },
      { what: `both healthy: happy-eyeballs (${label}) / net.connect IP, target ≤ 1.15×`, value: healthy, met: healthy <= 1.15 },
    );
  }
  for (const ours of ['happy-eyeballs warm', 'happy-eyeballs literal']) {
    const r = ratio(med('both healthy', ours), floor);
    goals.push({ what: `both healthy: ${ours} / net.connect IP, target ≤ 1.15×`, value: r, met: r <= 1.15 });
  }
  return goals;
}

function printScenario(report: ScenarioReport, s: ReturnType<typeof summaries>): void {
  const floor = s['net.connect IP']!.median;
  const node = s['node autoSelectFamily']!.median;
  console.log(`\n${report.name}`);
  const rows = CLIENTS.map((c) => {
    const x = s[c]!;
    const outcomes = Object.entries(x.outcomes)
      .map(([k, n]) => `${k}×${n}`)
      .join(' ');
    return [c, String(x.n), ms(x.median), ms(x.p90), times(ratio(x.median, floor)), times(ratio(x.median, node)), outcomes];
  });
  console.log(table(['client', 'runs', 'median ms', 'p90 ms', '/ floor', '/ node', 'connected to'], rows));
  const p = report.phases;
  if (p.length > 0) {
    const q = (k: keyof (typeof p)[number]): string => ms(median(p.map((x) => x[k])));
    console.log(
      `happy-eyeballs (cache off) timeline, median ms: first DNS answer ${q('firstDns')}, first attempt ${q('firstAttempt')}, winning attempt ${q('winnerAttempt')}, connected ${q('connected')}`,
    );
  }
  if (report.nodeLookups.length > 0) console.log(`node autoSelectFamily: its dns.lookup took ${ms(median(report.nodeLookups))} ms (median)`);
}

function printBreakdown(b: Breakdown): void {
  console.log('\nboth healthy, the parts apart (median / p90 ms per operation):');
  const row = (what: string, xs: number[]): string[] => [what, ms(median(xs)), ms(quantile(xs, 0.9))];
  console.log(
    table(
      ['operation', 'median', 'p90'],
      [
        row('Resolver.query AAAA + A in parallel (cache off, UDP)', b.oursDns),
        row('dns.lookup(name, { all: true }) (getaddrinfo)', b.coreDns),
        row('source-address probe, ::1 and 127.0.0.1 (uncached)', b.probe),
      ],
    ),
  );
}

async function main(argv: string[]): Promise<void> {
  const runs = numberArg(argv, '--runs', 30);
  const jsonOut = stringArg(argv, '--json-out');
  const unavailable = namespaceUnavailable();
  if (unavailable) throw new Error(`bench-connect compares with getaddrinfo, which needs a mount namespace: ${unavailable}`);
  const pairs: ListenerPair[] = [];
  const records = HOSTS.flatMap((h) => [h.name, `*.${h.name}`]).flatMap((name) => [
    { name, type: 'AAAA' as const, data: '::1' },
    { name, type: 'A' as const, data: '127.0.0.1' },
  ]);
  // glibc: 3 s per query, one try, so the 1 s AAAA is waited for, as a real slow answer would be.
  const ns = await startNamespaceDns([benchZone(ZONE, records)], { timeout: 3, attempts: 1 });
  const slow = `slow.cn.${ZONE}`;
  for (const name of [slow, ...Array.from({ length: runs }, (_, run) => freshName(slow, run))]) {
    ns.server.setBehaviour(name, 'AAAA', { delay: SLOW_AAAA_MS });
  }
  let report: { scenarios: ScenarioReport[]; breakdown?: Breakdown } | undefined;
  try {
    const scenarios: ScenarioSpec[] = [];
    for (const h of HOSTS) {
      const pair = await listenPair({ ipv6: h.ipv6, ipv4: 'accept' });
      pairs.push(pair);
      scenarios.push({ name: h.scenario, host: h.name, port: pair.port, winner: h.winner });
    }
    const cfg: ConnectConfig = { nameserver: ns.nameserver, resolvConfText: ns.resolvConfText, zone: ZONE, scenarios, runs, timeoutMs: 5000 };
    const argvChild = selfArgv(import.meta.url, 'clients');
    const result = await runChild({
      label: 'clients',
      ...inNamespace(ns.resolvConfPath, argvChild),
      env: { ...process.env, BENCH_CHILD_CONFIG: JSON.stringify(cfg) },
      deadlineMs: 60_000 + runs * CLIENTS.length * 3 * 1500,
    });
    report = result.messages.get('report') as typeof report;
    if (!report) throw new Error(`clients: no report (exit ${result.code}, signal ${result.signal}${result.killed ? ', killed at deadline' : ''})`);
  } finally {
    killAll();
    await Promise.all([ns.close(), ...pairs.map((p) => p.close())]);
  }
  console.log(`time to a connected socket, ${runs} runs per client and scenario, interleaved; node ${process.version}, ${cpus().length} cores`);
  console.log(`DNS: fake server on ${ns.nameserver}; happy-eyeballs asks it over UDP, cold every run: cache off, or cache on with a new name per run.`);
  const medians: Medians = {};
  for (const scenario of report.scenarios) {
    const s = summaries(scenario);
    medians[scenario.name] = s;
    printScenario(scenario, s);
  }
  if (report.breakdown) printBreakdown(report.breakdown);
  const goals = targets(medians);
  console.log('\ntargets:');
  for (const t of goals) console.log(`  ${t.met ? 'met   ' : 'MISSED'} ${t.what}: ${times(t.value, 3)}`);
  if (jsonOut) {
    const out = {
      benchmark: 'connect',
      date: new Date().toISOString(),
      node: process.version,
      cores: cpus().length,
      runs,
      nameserver: ns.nameserver,
      medians,
      targets: goals,
      metrics: targetMetrics('connect', goals),
      breakdown: report.breakdown,
      phases: Object.fromEntries(report.scenarios.map((s) => [s.name, { happyEyeballs: s.phases, nodeLookups: s.nodeLookups }])),
    };
    writeFileSync(jsonOut, `${JSON.stringify(out, null, 2)}\n`);
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') await runConnectClient(JSON.parse(process.env.BENCH_CHILD_CONFIG ?? '{}') as ConnectConfig);
else await main(argv);
