/**
 * What the connection history (RFC 8305 §4) changes, on the network lab (root). Build
 * first: `npx tsc -p tsconfig.json`.
 *
 *   node build/scripts/lab/history.js [--id hehist] [--connects 10] [--ttl 30000] [--results FILE] [--docs docs]
 *   node build/scripts/lab/history.js --from bench-results/history.json --docs docs   (re-render only)
 *
 * Brings the lab up (scripts/lab/netns.ts) with IPv6 SYNs black-holed (both paths 20 ms
 * RTT), runs scripts/lab/history-peers.ts in the client namespace: `connects` turns of
 * every peer in one process (ours keeps a History with `ttl`), then heals IPv6 when the
 * driver asks and follows ours back to IPv6. Takes the lab down (also on failure and on
 * SIGINT/SIGTERM), prints the figures, writes JSON and, with --docs DIR, the "history"
 * section of DIR/lab-report.md.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild } from '../bench-lib/child.js';
import { ms, numberArg, stringArg, table, times } from '../bench-lib/print.js';
import { median, ratio } from '../bench-lib/stats.js';
import type { HistoryDriverConfig, HistoryDriverReport } from './history-peers.js';
import { labDown, labLeftovers, labNames, labUp } from './netns.js';
import { PEERS, type Measurement } from './peer-clients.js';
import { relayControl } from './relay-control.js';
import { spliceSection } from './report-sections.js';
import { relayConfig, scenario } from './scenarios.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface HistoryResults {
  date: string;
  command: string;
  connects: number;
  ttlMs: number;
  /** One DNS round trip and one TCP round trip on the 20 ms path: the least any fresh-name connect can take. */
  floorMs: number;
  environment: Record<string, string>;
  report: HistoryDriverReport;
}

const family = (m: Measurement): string => (m.outcome.includes(':') ? 'IPv6' : m.outcome.includes('.') ? 'IPv4' : m.outcome);

async function measureHistory(id: string, connects: number, ttlMs: number): Promise<HistoryResults> {
  const { names, state } = await labUp(id);
  const blackHole = scenario('v6-black-hole');
  await relayControl(state.relayPort!, { cmd: 'set', ...relayConfig(blackHole) });
  const healedFile = join(names.stateDir, 'healed');
  const cfg: HistoryDriverConfig = { connects, ttlMs, boundMs: 10_000, healedFile, everyMs: 250, recoverMaxMs: ttlMs + 5000 };
  let healing: Promise<void> = Promise.resolve();
  const result = await runChild({
    label: 'history',
    command: 'ip',
    args: ['netns', 'exec', names.clientNs, process.execPath, join(here, 'history-peers.js')],
    env: { ...process.env, HISTORY_DRIVER_CONFIG: JSON.stringify(cfg) },
    deadlineMs: 120_000 + connects * PEERS.length * 2000 + cfg.recoverMaxMs,
    onMessage: (tag) => {
      if (tag !== 'heal') return;
      healing = relayControl(state.relayPort!, { cmd: 'set', ...relayConfig(scenario('healthy')) }).then(() => writeFileSync(healedFile, 'healed\n'));
    },
  });
  await healing;
  const report = result.messages.get('report') as HistoryDriverReport | undefined;
  if (!report) throw new Error(`no report from the driver (exit ${result.code}, signal ${result.signal}${result.killed ? ', killed at its deadline' : ''})`);
  return {
    date: new Date().toISOString(),
    command: `node build/scripts/lab/history.js ${process.argv.slice(2).join(' ')}`.trim(),
    connects,
    ttlMs,
    floorMs: blackHole.v4.rtt * 2,
    environment: {
      node: process.version,
      kernel: release(),
      cpu: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
      load: loadavg()
        .map((x) => x.toFixed(2))
        .join(' '),
    },
    report,
  };
}

/** The recovery in one line: how many connects stayed on IPv4, and when IPv6 came back. */
function recoveryText(r: HistoryResults): string {
  const steps = r.report.recovery;
  const back = steps.at(-1);
  const onV4 = steps.filter((s) => family(s.measurement) === 'IPv4');
  const medianV4 = onV4.length > 0 ? ` (median ${ms(median(onV4.map((s) => s.measurement.ms)))} ms)` : '';
  if (!back || family(back.measurement) !== 'IPv6') return `${onV4.length} connects on IPv4${medianV4}; not back on IPv6 within ${ms(r.ttlMs + 5000)} ms`;
  return `${onV4.length} connects on IPv4${medianV4}, then IPv6 from ${ms(back.sinceHealMs)} ms after the heal (${ms(back.measurement.ms)} ms)`;
}

/**
 * Ours' later connects (all but the first): median and worst against the floor, and
 * against the floor as measured: the other peers' median on the healed path (the same
 * fresh-name connect over a working family, relay and per-connect costs included).
 */
export function laterFigures(results: HistoryResults): {
  median: number;
  max: number;
  ratio: number;
  medianRatio: number;
  measuredFloor: number;
  measuredRatio: number;
} {
  const later = results.report.blackHole['happy-eyeballs']!.slice(1).map((m) => m.ms);
  const others = PEERS.filter((p) => p !== 'happy-eyeballs').map((p) => results.report.afterHeal[p]!.ms);
  const measuredFloor = median(others);
  const max = Math.max(...later);
  return {
    median: median(later),
    max,
    ratio: ratio(max, results.floorMs),
    medianRatio: ratio(median(later), results.floorMs),
    measuredFloor,
    measuredRatio: ratio(max, measuredFloor),
  };
}

function printResults(r: HistoryResults): void {
  const rows = PEERS.map((peer) => {
    const s = r.report.blackHole[peer]!;
    return [peer, ...s.map((m) => ms(m.ms)), ms(median(s.map((m) => m.ms))), [...new Set(s.map(family))].join('/')];
  });
  console.log(table(['peer', ...r.report.blackHole['happy-eyeballs']!.map((_, i) => `#${i + 1}`), 'median', 'family'], rows));
  const later = laterFigures(r);
  console.log(`\nours after the first: median ${ms(later.median)} ms, worst ${ms(later.max)} ms = ${times(later.ratio)} the ${r.floorMs} ms floor`);
  console.log(`after the heal (ttl ${r.ttlMs} ms): ${recoveryText(r)}`);
  console.log(
    `after the heal, one turn each: ${PEERS.map((p) => `${p} ${ms(r.report.afterHeal[p]!.ms)} ${family(r.report.afterHeal[p]!)}`).join('; ')}; history ${JSON.stringify(r.report.historyStats)}`,
  );
}

export function renderHistorySection(r: HistoryResults): string {
  const later = laterFigures(r);
  const cells = (peer: string): string => r.report.blackHole[peer]!.map((m) => (family(m) === 'IPv4' ? ms(m.ms) : `${ms(m.ms)} (${family(m)})`)).join(' | ');
  return [
    '## Connection history: a host whose IPv6 black-holes, connected to 10 times (issue 18)',
    '',
    `One run on ${r.date.slice(0, 10)}: \`${r.command}\`. Machine: ${r.environment.cpu}, Linux ${r.environment.kernel}, load ${r.environment.load}.`,
    '',
    `The lab above, scenario "IPv6 black hole" (SYNs dropped, both paths 20 ms RTT). One process runs ${r.connects} turns; each`,
    'peer connects once per turn (the order rotates), every time to a name never asked before, so every figure includes one DNS',
    'round trip over IPv4. Ours is `connect()` with a `History` of its own (`ttl` set to',
    `${r.ttlMs} ms for the run; the default is 10 minutes) kept across the turns; the others have no memory. The floor is one DNS`,
    `round trip plus one TCP round trip: ${r.floorMs} ms. ms from the call to the connected socket; every connect ended on IPv4 unless marked.`,
    '',
    `| peer | ${r.report.blackHole['happy-eyeballs']!.map((_, i) => `#${i + 1}`).join(' | ')} | median |`,
    `|---|${r.report.blackHole['happy-eyeballs']!.map(() => '---:').join('|')}|---:|`,
    ...PEERS.map((p) => `| ${p} | ${cells(p)} | **${ms(median(r.report.blackHole[p]!.map((m) => m.ms)))}** |`),
    '',
    `Ours' first connect pays the Connection Attempt Delay like everyone (the IPv6 attempt is abandoned when the IPv4 one`,
    'wins: recorded as black-holed). From the second on, the demoted IPv6 address goes after IPv4 and the race starts on',
    `IPv4: median ${ms(later.median)} ms (**${times(later.medianRatio)} the floor**), worst ${ms(later.max)} ms (**${times(later.ratio)}**). Against the floor as`,
    `measured (the other peers' median once IPv6 healed, the same fresh-name connect on a working path: ${ms(later.measuredFloor)} ms) the worst is`,
    `${times(later.measuredRatio)}. The other peers pay about ${r.floorMs / 2 + 250 + r.floorMs / 2} ms (DNS + 250 ms + RTT) every time.`,
    '',
    `Then IPv6 heals (the relay passes SYNs again) and ours connects every 250 ms (plus the connect's own time): ${recoveryText(r)}.`,
    `The bound is the ttl: the IPv6 record was written when ours' turn-1 race ended and ages out ${r.ttlMs} ms later;`,
    'meanwhile IPv4 works, so ours never tries IPv6 (no new record, no second black hole). `clear()` brings it back at once.',
    `One turn of each peer after that: ${PEERS.map((p) => `${p} ${ms(r.report.afterHeal[p]!.ms)} ms (${family(r.report.afterHeal[p]!)})`).join(', ')}.`,
    `History at the end: ${JSON.stringify(r.report.historyStats)}.`,
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const from = stringArg(argv, '--from');
  if (from) return writeOut(JSON.parse(readFileSync(from, 'utf8')) as HistoryResults, argv, false);
  const id = stringArg(argv, '--id') ?? 'hehist';
  labNames(id); // checks the id
  const interrupted = (signal: NodeJS.Signals): void => {
    console.error(`${signal}: taking the lab down`);
    labDown(id);
    process.exit(130);
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  let results: HistoryResults;
  try {
    results = await measureHistory(id, numberArg(argv, '--connects', 10), numberArg(argv, '--ttl', 30_000));
  } finally {
    labDown(id);
  }
  const code = writeOut(results, argv, true);
  const left = labLeftovers(id);
  if (left.length) console.error(`still there: ${left.join(', ')}`);
  return left.length ? 1 : code;
}

/** Prints, writes the results (unless re-rendering) and the docs section. */
function writeOut(results: HistoryResults, argv: string[], save: boolean): number {
  printResults(results);
  if (save) {
    const file = stringArg(argv, '--results') ?? 'bench-results/history.json';
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(results, null, 1)}\n`);
  }
  const docs = stringArg(argv, '--docs');
  if (docs) {
    const report = join(docs, 'lab-report.md');
    writeFileSync(report, spliceSection(existsSync(report) ? readFileSync(report, 'utf8') : '', 'history', renderHistorySection(results)));
    console.log(`written: ${report} (section history)`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
