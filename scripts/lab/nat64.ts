/**
 * The NAT64 lab from the command line (root). Build first: `npx tsc -p tsconfig.json`.
 *
 *   node build/scripts/lab/nat64.js run [--id n64] [--runs 3] [--results FILE] [--docs docs]
 *   node build/scripts/lab/nat64.js up|down|status [--id n64]
 *   node build/scripts/lab/nat64.js run --from bench-results/nat64.json --docs docs   (re-render only)
 *
 * `run` brings the lab up (scripts/lab/nat64-netns.ts), runs every peer at every target
 * inside the IPv6-only client namespace (scripts/lab/nat64-peers.ts), reads tayga's
 * mappings, takes the lab down (also on failure and on SIGINT/SIGTERM), prints a table,
 * writes the results as JSON and, with --docs DIR, the "NAT64" section of DIR/lab-report.md.
 * Then, e.g.: ip netns exec n64-n64c curl -s -o /dev/null -w '%{remote_ip}\n' http://v4only.n64.test/
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild } from '../bench-lib/child.js';
import { ms, numberArg, stringArg, table } from '../bench-lib/print.js';
import { median } from '../bench-lib/stats.js';
import { NAT64_LAB, NAT64_OFF, TARGETS, type Nat64DriverConfig, type Nat64DriverReport } from './nat64-config.js';
import { nat64Down, nat64Leftovers, nat64Names, nat64Up, stopTayga, type TaygaEvidence } from './nat64-netns.js';
import { PEERS, type Measurement } from './peer-clients.js';
import { spliceSection } from './report-sections.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface Nat64Results {
  date: string;
  command: string;
  runs: number;
  environment: Record<string, string>;
  report: Nat64DriverReport;
  /** tayga's packet counters and dynamic map after the run. */
  tayga: TaygaEvidence;
}

function versionOf(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
  return (
    (r.stdout || r.stderr || '?')
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? '?'
  );
}

async function measureLab(id: string, runs: number): Promise<Nat64Results> {
  const n = await nat64Up(id);
  const cfg: Nat64DriverConfig = { runs, boundMs: 6000 };
  const result = await runChild({
    label: 'nat64',
    command: 'ip',
    args: ['netns', 'exec', n.clientNs, process.execPath, join(here, 'nat64-peers.js')],
    env: { ...process.env, NAT64_DRIVER_CONFIG: JSON.stringify(cfg) },
    deadlineMs: 60_000 + runs * TARGETS.length * PEERS.length * (cfg.boundMs + 2000),
  });
  const report = result.messages.get('report') as Nat64DriverReport | undefined;
  if (!report) throw new Error(`no report from the peers (exit ${result.code}, signal ${result.signal}${result.killed ? ', killed at its deadline' : ''})`);
  return {
    date: new Date().toISOString(),
    command: `node build/scripts/lab/nat64.js ${process.argv.slice(2).join(' ')}`.trim(),
    runs,
    environment: {
      node: process.version,
      tayga: versionOf('tayga', ['--help']).replace(/^Usage.*$/, 'tayga (Debian)'),
      unbound: `unbound ${versionOf('unbound', ['-V']).replace(/^Version /, '')}`,
      curl: versionOf('curl', ['--version']).split(' ').slice(0, 2).join(' '),
      python: versionOf('python3', ['--version']),
      kernel: release(),
      cpu: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
      load: loadavg()
        .map((x) => x.toFixed(2))
        .join(' '),
    },
    report,
    tayga: stopTayga(n),
  };
}

const PEER_TEXT: Record<string, string> = {
  'happy-eyeballs': 'this library, `connect()` with a `Resolver` from the system configuration',
  node: 'Node core, `net.connect({ autoSelectFamily: true })` (getaddrinfo)',
  python: 'Python `asyncio.open_connection(happy_eyeballs_delay=0.25)` (getaddrinfo)',
  curl: 'curl, `--happy-eyeballs-timeout-ms 250` (getaddrinfo)',
  [NAT64_OFF]: 'this library with `nat64Prefix: false` (no synthesis)',
};

/** `2001:db8:64::c612:4002 ×3` or `ENETUNREACH ×3`: how the runs ended. */
function outcomes(samples: Measurement[]): string {
  const counts = new Map<string, number>();
  for (const s of samples) counts.set(s.outcome, (counts.get(s.outcome) ?? 0) + 1);
  return [...counts].map(([o, k]) => `${o} ×${k}`).join(', ');
}

const reached = (samples: Measurement[]): boolean => samples.every((s) => s.outcome.includes(':'));

function rows(results: Nat64Results): Array<{ target: string; peer: string; samples: Measurement[] }> {
  const out: Array<{ target: string; peer: string; samples: Measurement[] }> = [];
  for (const target of TARGETS) {
    for (const peer of [...PEERS, NAT64_OFF]) {
      const samples = results.report.samples[`${peer} ${target.key}`];
      if (samples) out.push({ target: target.key, peer, samples });
    }
  }
  return out;
}

function printTable(results: Nat64Results): void {
  console.log(
    table(
      ['target', 'peer', 'median ms', 'ended on'],
      rows(results).map((r) => [r.target, r.peer, ms(median(r.samples.map((s) => s.ms))), outcomes(r.samples)]),
    ),
  );
  console.log(
    `\nlookup(): ${JSON.stringify(results.report.lookups)}\ntayga: ${results.tayga.packets.rx} packets in, ${results.tayga.packets.tx} out; map ${results.tayga.mappings.join('; ') || '(none)'}`,
  );
}

export function renderNat64Section(results: Nat64Results): string {
  const env = results.environment;
  const lines = [
    '## NAT64: reaching IPv4 from an IPv6-only network (issue 18)',
    '',
    `One run on ${results.date.slice(0, 10)}: \`${results.command}\`, ${results.runs} turns per peer and target (peers rotate).`,
    `Machine: ${env.cpu}, Linux ${env.kernel}, load ${env.load}. ${env.tayga}; ${env.unbound}; Node ${env.node}; ${env.python}; ${env.curl}.`,
    '',
    'Three namespaces (`scripts/lab/nat64-netns.ts`): an **IPv6-only client** (2001:db8:6::2/64, default route to the',
    `gateway, no IPv4 but loopback; its \`/etc/resolv.conf\` names ${NAT64_LAB.gateway.v6}), a **gateway** running **tayga**`,
    `(NAT64, prefix \`${NAT64_LAB.prefix}\`, pool ${NAT64_LAB.tayga.pool}) and **unbound** with its \`dns64\` module (same prefix),`,
    `and an **IPv4-only server** (${NAT64_LAB.server.v4}) with knotd (zone \`${NAT64_LAB.zone}\` and \`ipv4only.arpa\`, A 192.0.0.170/171)`,
    `and an HTTP server on port ${NAT64_LAB.port}. The prefix is network-specific: the lab's IPv4 addresses are not global, and`,
    '`64:ff9b::/96` may not carry them (RFC 6052 §3.1). Every peer runs in the client namespace; ms from the call to the',
    `connected socket; a run that has not connected after 6 s is cut (**bound**).`,
    '',
    ...[...PEERS, NAT64_OFF].map((p) => `- **${p}**: ${PEER_TEXT[p]}.`),
    '',
  ];
  for (const target of TARGETS) {
    lines.push(`**${target.title}**`, '', '| peer | median ms | ended on (remote address or error) |', '|---|---:|---|');
    for (const r of rows(results).filter((x) => x.target === target.key)) {
      const fast = reached(r.samples) ? `**${ms(median(r.samples.map((s) => s.ms)))}**` : ms(median(r.samples.map((s) => s.ms)));
      lines.push(`| ${r.peer} | ${fast} | ${outcomes(r.samples)} |`);
    }
    lines.push('');
  }
  const failed = (peer: string, key: string): string => outcomes(results.report.samples[`${peer} ${key}`] ?? []);
  lines.push(
    '**What each does.** Ours finds the prefix by RFC 7050 through unbound, synthesizes the literal and races it, connects to',
    'the IPv4-only name through the AAAA DNS64 made, and for the broken name, once its IPv6 attempt has had 250 ms and the',
    'unroutable IPv4 one failed at once, waits the 2 s Last Resort Local Synthesis Delay, synthesizes the A record and',
    'connects through tayga. Node core, Python and curl **fail on the literal** (no IPv4 route: Node',
    `${failed('node', 'literal')}, Python ${failed('python', 'literal')}, curl ${failed('curl', 'literal')}: "Couldn't connect"),`,
    '**reach the IPv4-only name** only because DNS64 synthesized its AAAA, and **fail on the broken name**: getaddrinfo hands',
    'them the black-holed AAAA (and an unroutable A), they have no last resort, and they hang until the bound.',
    '',
  );
  const lookup = Object.entries(results.report.lookups).map(([k, v]) => `- ${k}: ${typeof v === 'string' ? v : v.map((a) => `\`${a.address}\``).join(', ')}`);
  lines.push('Our `lookup(host, { all: true })` on the client (what `connect()` would try, synthesized first):', '', ...lookup, '');
  const { packets, mappings } = results.tayga;
  lines.push(
    `tayga translated ${packets.rx} packets in and ${packets.tx} out; its dynamic map after the run (client address → pool address): ${mappings.map((m) => `\`${m}\``).join('; ') || '(none)'}.`,
    '',
  );
  return lines.join('\n');
}

function writeDocs(results: Nat64Results, argv: string[]): void {
  const docs = stringArg(argv, '--docs');
  if (!docs) return;
  const report = join(docs, 'lab-report.md');
  writeFileSync(report, spliceSection(existsSync(report) ? readFileSync(report, 'utf8') : '', 'nat64', renderNat64Section(results)));
  console.log(`written: ${report} (section nat64)`);
}

async function main(argv: string[]): Promise<number> {
  const from = stringArg(argv, '--from');
  if (from && argv[0] === 'run') {
    const results = JSON.parse(readFileSync(from, 'utf8')) as Nat64Results;
    printTable(results);
    writeDocs(results, argv);
    return 0;
  }
  const id = stringArg(argv, '--id') ?? 'n64';
  const n = nat64Names(id);
  switch (argv[0]) {
    case 'up':
      await nat64Up(id);
      console.log(`NAT64 lab ${id} up: ${n.clientNs} (IPv6 only) / ${n.gatewayNs} (tayga, unbound) / ${n.serverNs} (IPv4 only)`);
      console.log(`try: ip netns exec ${n.clientNs} curl -s -o /dev/null -w '%{remote_ip}\\n' http://${NAT64_LAB.v4only}/`);
      return 0;
    case 'down': {
      const removed = nat64Down(id);
      console.log(removed.length ? `removed: ${removed.join(', ')}` : `NAT64 lab ${id}: nothing to remove`);
      return nat64Leftovers(id).length ? 1 : 0;
    }
    case 'status': {
      const left = nat64Leftovers(id);
      console.log(left.length ? left.join('\n') : `NAT64 lab ${id} is down`);
      return 0;
    }
    case 'run': {
      const interrupted = (signal: NodeJS.Signals): void => {
        console.error(`${signal}: taking the NAT64 lab down`);
        nat64Down(id);
        process.exit(130);
      };
      process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
      let results: Nat64Results;
      try {
        results = await measureLab(id, numberArg(argv, '--runs', 3));
      } finally {
        nat64Down(id);
      }
      printTable(results);
      const file = stringArg(argv, '--results') ?? 'bench-results/nat64.json';
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(results, null, 1)}\n`);
      writeDocs(results, argv);
      const left = nat64Leftovers(id);
      if (left.length) console.error(`still there: ${left.join(', ')}`);
      return left.length ? 1 : 0;
    }
    default:
      console.error('usage: nat64.js run|up|down|status [--id ID] [--runs N] [--results FILE] [--docs DIR]');
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
