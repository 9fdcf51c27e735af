/**
 * Runs every benchmark in sequence, each as a child process with its own arguments
 * (`--quick`: smaller runs, the whole set well under 2 minutes), prints a summary and
 * writes bench-results/results.json (gitignored). Then the gate: each metric a benchmark
 * wrote (bench-lib/metrics.ts) against its target, met or MISSED, and REGRESSION for one
 * more than 10 % worse than docs/bench-baseline.json (same mode) in this run and in a
 * rerun of its benchmark; `--save-baseline` writes this run's metrics there.
 *
 *   npm run bench [-- --quick] [-- --save-baseline]        (builds with tsc first)
 *   node build/scripts/bench.js [--quick] [--only name,name] [--save-baseline]
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { knotdPath } from './harness/knot.js';
import { killAll, runChild } from './bench-lib/child.js';
import { labUnavailable } from './lab/netns.js';
import { namespaceUnavailable } from './bench-lib/namespace.js';
import { stringArg } from './bench-lib/print.js';
import { collect, gate, readBaseline, saveBaseline, suspects } from './bench-lib/gate.js';

interface Bench {
  name: string;
  /** Script under build/scripts. */
  script: string;
  nodeArgs?: string[];
  args: { quick: string[]; full: string[] };
  /** The script takes --json-out FILE. */
  json: boolean;
  /** Lines of its output worth repeating in the summary. */
  summary: RegExp;
  /** Why it cannot run here, or undefined. */
  unavailable?: () => string | undefined;
}

const here = dirname(fileURLToPath(import.meta.url));

const BENCHES: Bench[] = [
  {
    name: 'cache',
    script: 'bench-cache.js',
    nodeArgs: ['--expose-gc'],
    args: { quick: [], full: [] }, // fixed sizes (about 30 s)
    json: false,
    summary: /^\s*(ratio|DnsCache|cacheable-lookup)\b/,
  },
  {
    name: 'lookup',
    script: 'bench-lookup.js',
    args: { quick: ['--api', 'callback', '--rounds', '3', '--lookups', '50000'], full: ['--api', 'callback', '--rounds', '9', '--lookups', '200000'] },
    json: true,
    summary: /^\s*(ratio|happy-eyeballs|cacheable-lookup)\b|^lookup\(/,
  },
  {
    name: 'import',
    script: 'bench-import.js',
    args: { quick: ['--runs', '7'], full: ['--runs', '21'] },
    json: true,
    summary: /^(node:net|happy-eyeballs|met|MISSED)/,
  },
  {
    name: 'first-connect',
    script: 'bench-first-connect.js',
    args: { quick: ['--runs', '5'], full: ['--runs', '21'] },
    json: false,
    summary: /^(node autoSelectFamily|happy-eyeballs)/,
  },
  {
    name: 'policy',
    script: 'bench-policy.js',
    args: { quick: ['--rounds', '5'], full: ['--rounds', '15'] },
    json: false,
    summary: /^\s+('public'|\{ preset|no policy|without policy)/,
  },
  {
    name: 'dns-client',
    script: 'bench-dns-client.js',
    args: { quick: ['--rounds', '2', '--queries', '5000'], full: ['--rounds', '8', '--queries', '20000'] },
    json: true,
    summary: /^(resolver:|dnsclient:|c-ares:|dgram:|ratio)/,
    unavailable: () => (knotdPath() ? undefined : 'knotd is not installed (Debian package "knot")'),
  },
  {
    name: 'encrypted-dns',
    script: 'bench-encrypted-dns.js',
    // Backend: dnsdist → knotd when installed, else the lab servers in a child process.
    args: {
      quick: ['--rounds', '2', '--queries', '1000', '--concurrency', '20', '--cold', '10'],
      full: ['--rounds', '5', '--queries', '5000', '--concurrency', '50', '--cold', '30'],
    },
    json: true,
    summary: /^(transport|udp|dot|doh)\s/,
  },
  {
    name: 'threadpool',
    script: 'bench-threadpool.js',
    args: { quick: ['--rounds', '1', '--fresh-bound', '3000'], full: [] },
    json: true,
    summary: /^(mode |baseline|happy-eyeballs|dns\.lookup|readFile median|vs baseline|system backend)/,
  },
  {
    name: 'connect',
    script: 'bench-connect.js',
    args: { quick: ['--runs', '12'], full: ['--runs', '30'] },
    json: true,
    summary: /^\s*(met|MISSED)\b/,
    unavailable: namespaceUnavailable,
  },
  {
    name: 'cold-connect',
    script: 'bench-cold-connect.js',
    args: { quick: ['--runs', '101'], full: ['--runs', '401'] },
    json: true,
    summary: /^\s*(met|MISSED)\b/,
  },
  {
    name: 'create-connection',
    script: 'bench-create-connection.js',
    args: { quick: ['--rounds', '5', '--mib', '16'], full: ['--rounds', '11', '--mib', '64'] },
    json: true,
    summary: /^(createConnection|tls\.connect\(\{)/,
  },
  {
    name: 'https',
    script: 'bench-https.js',
    args: { quick: ['--runs', '12'], full: ['--runs', '60'] },
    json: true,
    summary: /^(DNS |today|HTTPS )/,
  },
  {
    name: 'lab',
    script: 'bench-lab.js',
    // Full: every scenario, 21 runs, and the report in docs/. Quick: 2 scenarios × 3 runs (about 15 s).
    args: { quick: ['--quick'], full: ['--docs', join(here, '..', '..', 'docs')] },
    json: true,
    summary: /^\s*(met|MISSED)\b/,
    unavailable: labUnavailable,
  },
];

interface Outcome {
  name: string;
  command: string;
  status: 'ok' | 'failed' | 'skipped';
  reason?: string;
  seconds: number;
  exitCode?: number | null;
  summary: string[];
  output: string[];
  results?: unknown;
}

const DEADLINE_MS = { quick: 3 * 60_000, full: 15 * 60_000 };

async function runBench(bench: Bench, mode: 'quick' | 'full', dir: string): Promise<Outcome> {
  const jsonOut = join(dir, `${bench.name}.json`);
  const args = [...(bench.nodeArgs ?? []), join(here, bench.script), ...bench.args[mode], ...(bench.json ? ['--json-out', jsonOut] : [])];
  const shown = [...(bench.nodeArgs ?? []), `build/scripts/${bench.script}`, ...bench.args[mode], ...(bench.json ? ['--json-out', 'FILE'] : [])];
  const command = `node ${shown.join(' ')}`;
  const unavailable = bench.unavailable?.();
  if (unavailable) return { name: bench.name, command, status: 'skipped', reason: unavailable, seconds: 0, summary: [], output: [] };
  console.log(`\n== ${bench.name}: ${command}`);
  const output: string[] = [];
  const started = performance.now();
  const result = await runChild({ label: bench.name, command: process.execPath, args, deadlineMs: DEADLINE_MS[mode], onLine: (line) => output.push(line) });
  const seconds = (performance.now() - started) / 1000;
  const ok = result.code === 0 && !result.killed;
  const outcome: Outcome = {
    name: bench.name,
    command,
    status: ok ? 'ok' : 'failed',
    seconds,
    exitCode: result.code,
    summary: output.filter((line) => bench.summary.test(line)),
    output,
  };
  if (!ok) outcome.reason = result.killed ? `killed after ${DEADLINE_MS[mode] / 1000} s` : `exit ${result.code ?? result.signal}`;
  if (bench.json && existsSync(jsonOut)) outcome.results = JSON.parse(readFileSync(jsonOut, 'utf8'));
  return outcome;
}

async function main(argv: string[]): Promise<void> {
  const mode = argv.includes('--quick') ? 'quick' : 'full';
  const only = stringArg(argv, '--only')?.split(',');
  const dir = mkdtempSync(join(tmpdir(), 'he-bench-'));
  const outcomes: Outcome[] = [];
  const started = performance.now();
  try {
    for (const bench of BENCHES.filter((b) => !only || only.includes(b.name))) outcomes.push(await runBench(bench, mode, dir));
  } finally {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`\n== summary (${mode}, ${seconds.toFixed(0)} s in all; node ${process.version}, ${cpus().length} cores)`);
  for (const o of outcomes) {
    console.log(`${o.name}: ${o.status}${o.reason ? ` (${o.reason})` : ''}, ${o.seconds.toFixed(1)} s — ${o.command}`);
    for (const line of o.summary) console.log(`    ${line.trim()}`);
  }
  const resultsDir = join(here, '..', '..', 'bench-results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, 'results.json');
  const report = { date: new Date().toISOString(), mode, node: process.version, cores: cpus().length, seconds, benchmarks: outcomes };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwritten: bench-results/results.json`);
  const metrics = collect(outcomes);
  const baselineFile = join(here, '..', '..', 'docs', 'bench-baseline.json');
  const baseline = readBaseline(baselineFile);
  // A metric past the limit is measured once more before it is called a regression (gate.ts).
  const again = suspects(metrics, baseline, mode);
  const reruns: Outcome[] = [];
  if (again.length > 0) {
    console.log(`\n== rerun of ${again.join(', ')}: a metric more than 10 % worse than the baseline is measured again`);
    const rerunDir = mkdtempSync(join(tmpdir(), 'he-bench-'));
    try {
      for (const bench of BENCHES.filter((b) => again.includes(b.name))) reruns.push(await runBench(bench, mode, rerunDir));
    } finally {
      killAll();
      rmSync(rerunDir, { recursive: true, force: true });
    }
  }
  const { lines, missed, regressed } = gate(metrics, baseline, mode, collect(reruns));
  console.log(`\n== gate (${mode}): targets, and regressions of more than 10 % against docs/bench-baseline.json (confirmed by a rerun)`);
  for (const line of lines) console.log(line);
  console.log(`${missed} target(s) missed, ${regressed} regression(s)`);
  if (argv.includes('--save-baseline')) {
    saveBaseline(baselineFile, mode, process.version, metrics);
    console.log(`written: docs/bench-baseline.json (${mode})`);
  }
  if (mode === 'quick' && seconds > 120) console.log(`note: --quick took ${seconds.toFixed(0)} s, over its 2-minute budget (a loaded machine?)`);
  if (outcomes.some((o) => o.status === 'failed')) process.exitCode = 1;
}

await main(process.argv.slice(2));
