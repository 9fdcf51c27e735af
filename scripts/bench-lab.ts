/**
 * Issue 7: the network lab benchmark (root). Brings the lab up (scripts/lab/netns.ts),
 * sets the relay to each scenario in turn, runs every peer in the client namespace
 * (scripts/lab/peers.ts: runs interleaved, a fresh name per turn), takes the lab down,
 * prints a table per scenario and writes bench-results/lab.json; with --docs DIR also
 * DIR/lab-report.md, DIR/lab-chart.svg and DIR/lab-results.json (the same data, compact).
 *
 *   node build/scripts/bench-lab.js [--runs 21] [--scenarios k,k] [--quick] [--docs docs] [--json-out FILE]
 *                                   [--results bench-results/lab.json] [--no-breakdown] [--id he] [--before DIR]
 *   node build/scripts/bench-lab.js --from bench-results/lab.json --docs docs   (re-render only)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { dirname, join, relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAll, runChild } from './bench-lib/child.js';
import { ms, numberArg, stringArg, table, times } from './bench-lib/print.js';
import { ratio } from './bench-lib/stats.js';
import { renderChart } from './lab/chart.js';
import { LAB, labDown, labNames, labUnavailable, labUp, python3, sourceDir } from './lab/netns.js';
import { PEERS, type Mode } from './lab/peer-clients.js';
import type { Breakdown } from './lab/overhead.js';
import type { DriverConfig, DriverReport } from './lab/peers.js';
import { relayControl } from './lab/relay-control.js';
import { renderReport } from './lab/report.js';
import { sectionsOf } from './lab/report-sections.js';
import { spreadOf, targets, type LabResults, type ScenarioResult } from './lab/results.js';
import { physicalLimit, relayConfig, scenario, SCENARIOS, type Scenario } from './lab/scenarios.js';
import { targetMetrics } from './bench-lib/metrics.js';

const here = dirname(fileURLToPath(import.meta.url));
const MODES: Mode[] = ['tcp', 'tls'];
const BOUND_MS = 10_000;

function versionOf(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
  return (r.stdout || r.stderr || '?').split('\n')[0]!.trim();
}

function environment(): Record<string, string> {
  return {
    node: process.version,
    curl: versionOf('curl', ['--version']),
    python: `${versionOf(python3(), ['--version'])} (${python3()})`,
    knotd: versionOf('knotd', ['--version']),
    kernel: release(),
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    loadAtStart: loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
  };
}

async function runScenario(s: Scenario, relayPort: number, clientNs: string, runs: number, warmup: number, before?: string): Promise<ScenarioResult> {
  await relayControl(relayPort, { cmd: 'set', ...relayConfig(s) });
  const limit = physicalLimit(s);
  const cfg: DriverConfig = {
    scenario: s.key,
    runs,
    warmup,
    peers: [...PEERS],
    modes: MODES,
    boundMs: BOUND_MS,
    reference: limit.family === 6 ? LAB.server.v6 : LAB.server.v4,
    domain: s.https ? LAB.httpsZone : undefined,
    before,
  };
  const started = performance.now();
  const turns = (runs + warmup) * ((PEERS.length + (before ? 1 : 0)) * MODES.length + 1);
  const result = await runChild({
    label: s.key,
    command: 'ip',
    args: ['netns', 'exec', clientNs, process.execPath, join(here, 'lab', 'peers.js')],
    env: { ...process.env, LAB_DRIVER_CONFIG: JSON.stringify(cfg) },
    deadlineMs: 30_000 + turns * 2 * (limit.tls + 1500),
  });
  const report = result.messages.get('report') as DriverReport | undefined;
  if (!report)
    throw new Error(`${s.key}: no report from the peers (exit ${result.code}, signal ${result.signal}${result.killed ? ', killed at its deadline' : ''})`);
  const relay = (await relayControl(relayPort, { cmd: 'stats' })).stats;
  const spread = Object.fromEntries(Object.entries(report.samples).map(([k, v]) => [k, spreadOf(v)]));
  return { scenario: s, limit, samples: report.samples, spread, relay, seconds: (performance.now() - started) / 1000 };
}

/** scripts/lab/overhead.ts on the healthy path: where a connect's time goes, ours and Node core's. */
async function runBreakdown(relayPort: number, clientNs: string): Promise<Breakdown> {
  await relayControl(relayPort, { cmd: 'set', ...relayConfig(scenario('healthy')) });
  const result = await runChild({
    label: 'breakdown',
    command: 'ip',
    args: ['netns', 'exec', clientNs, process.execPath, join(here, 'lab', 'overhead.js'), '41'],
    deadlineMs: 120_000,
  });
  const b = result.messages.get('breakdown') as Breakdown | undefined;
  if (!b) throw new Error(`breakdown: no result (exit ${result.code})`);
  console.log('\nhealthy path, where the time goes (median ms):');
  for (const [who, parts] of Object.entries(b))
    console.log(
      `  ${who}: ${Object.entries(parts)
        .map(([k, v]) => `${k} ${ms(v)}`)
        .join(' | ')}`,
    );
  return b;
}

function printScenario(r: ScenarioResult): void {
  console.log(`\n${r.scenario.title}  (limit: connect ${r.limit.tcp} ms, TLS ${r.limit.tls} ms; ${r.seconds.toFixed(0)} s)`);
  const rows = Object.entries(r.spread).map(([k, s]) => {
    const limit = k.endsWith('tls') ? r.limit.tls : r.limit.tcp;
    const outcomes = Object.entries(s.outcomes)
      .map(([o, n]) => `${o}×${n}`)
      .join(' ');
    return [k, ms(s.median), `${ms(s.p25)}–${ms(s.p75)}`, `${ms(s.min)}–${ms(s.max)}`, times(ratio(s.median, limit)), outcomes];
  });
  console.log(table(['peer', 'median ms', 'p25–p75', 'min–max', '/ limit', 'ended on'], rows));
}

function writeDocs(results: LabResults, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const notesFile = join(sourceDir, 'notes.md');
  const reportFile = join(dir, 'lab-report.md');
  // Sections other runs add (report-sections.ts: the NAT64 lab, the history run) stay.
  const kept = existsSync(reportFile) ? sectionsOf(readFileSync(reportFile, 'utf8')) : '';
  writeFileSync(reportFile, renderReport(results, existsSync(notesFile) ? readFileSync(notesFile, 'utf8') : '') + kept);
  writeFileSync(join(dir, 'lab-chart.svg'), renderChart(results));
  writeFileSync(join(dir, 'lab-results.json'), `${JSON.stringify(results)}\n`);
  console.log(`written: ${['lab-report.md', 'lab-chart.svg', 'lab-results.json'].map((f) => join(dir, f)).join(', ')}`);
}

async function measureAll(argv: string[]): Promise<LabResults> {
  const quick = argv.includes('--quick');
  const runs = numberArg(argv, '--runs', quick ? 3 : 21);
  const warmup = 1;
  const chosen = (stringArg(argv, '--scenarios')?.split(',') ?? (quick ? ['v6-black-hole', 'healthy'] : SCENARIOS.map((s) => s.key))).map(scenario);
  const id = stringArg(argv, '--id') ?? 'he';
  // Another build of this library as one more peer (`before`), e.g. a worktree of the base commit.
  const beforeArg = stringArg(argv, '--before');
  const before = beforeArg === undefined ? undefined : resolvePath(beforeArg);
  const unavailable = labUnavailable();
  if (unavailable) throw new Error(`the lab cannot run here: ${unavailable}`);
  const env = environment();
  const interrupted = (signal: NodeJS.Signals): void => {
    console.error(`${signal}: taking the lab down`);
    killAll();
    labDown(id);
    process.exit(130);
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  const results: ScenarioResult[] = [];
  let breakdown: Breakdown | undefined;
  try {
    const { state } = await labUp(id);
    console.log(`lab up; ${runs} runs per scenario (+${warmup} warm-up), peers ${PEERS.join(', ')}, modes ${MODES.join(', ')}`);
    for (const s of chosen) {
      const r = await runScenario(s, state.relayPort!, labNames(id).clientNs, runs, warmup, before);
      results.push(r);
      printScenario(r);
    }
    if (!quick && !argv.includes('--no-breakdown')) breakdown = await runBreakdown(state.relayPort!, labNames(id).clientNs);
  } finally {
    killAll();
    labDown(id);
  }
  const root = join(here, '..', '..');
  const shown = argv.map((a) => (a.startsWith(`${root}/`) ? relative(root, a) : a));
  const command = `node build/scripts/bench-lab.js ${shown.join(' ')}`.trim();
  return { date: new Date().toISOString(), command, runs, warmup, environment: env, scenarios: results, targets: targets(results), breakdown };
}

async function main(argv: string[]): Promise<void> {
  const from = stringArg(argv, '--from');
  const results = from ? (JSON.parse(readFileSync(from, 'utf8')) as LabResults) : await measureAll(argv);
  if (from) results.targets = targets(results.scenarios);
  console.log('\ntargets:');
  for (const t of results.targets)
    console.log(
      `  ${t.met ? 'met   ' : 'MISSED'} ${t.scenario}: ${t.what} ${times(t.value, 3)} (goal ${t.direction === 'max' ? '≤' : '≥'} ${t.goal}×)${t.deltaMs === undefined ? '' : `, ${t.deltaMs >= 0 ? '+' : ''}${t.deltaMs.toFixed(2)} ms`}${t.note ? `; ${t.note}` : ''}`,
    );
  if (!from) {
    const file = stringArg(argv, '--results') ?? join(here, '..', '..', 'bench-results', 'lab.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(results, null, 1)}\n`);
    console.log(`written: ${file}`);
    const jsonOut = stringArg(argv, '--json-out');
    if (jsonOut)
      writeFileSync(
        jsonOut,
        `${JSON.stringify({ benchmark: 'lab', ...results, scenarios: results.scenarios.map(({ samples: _, ...rest }) => rest), metrics: targetMetrics('lab', results.targets) }, null, 1)}\n`,
      );
  }
  const docs = stringArg(argv, '--docs');
  if (docs) writeDocs(results, docs);
}

await main(process.argv.slice(2));
