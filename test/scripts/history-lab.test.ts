/**
 * The connection history on the real lab path (issue 18), as root: IPv6 SYNs dropped, a
 * few turns of every peer in one process, then IPv6 healed. Outcomes and event order are
 * asserted, not speed (the machine may be loaded); the figures go to docs/lab-report.md.
 * - R8: after one black-holed IPv6 attempt, ours starts on IPv4 and never tries IPv6
 *   again while the record lives; every other peer tries IPv6 first every time.
 * - It comes back: once IPv6 heals, ours is on IPv6 again within the ttl.
 * - Nothing is left behind.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { unmet } from '../helpers/requirements.js';

// One id per run: two runs at once (two checkouts on one machine) must not take each other's lab down.
const ID = `hh${process.pid % 100_000_000}`;
const TTL = 10_000;
const build = new URL('../../scripts/', import.meta.url).pathname;

function run(script: string, ...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('env', ['-i', `PATH=${process.env.PATH}`, process.execPath, join(build, script), ...args], { encoding: 'utf8', timeout: 170_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

interface Measurement {
  ms: number;
  outcome: string;
  trace?: string;
}
interface Results {
  report: {
    blackHole: Record<string, Measurement[]>;
    recovery: Array<{ sinceHealMs: number; measurement: Measurement }>;
    afterHeal: Record<string, Measurement>;
    historyStats: { entries: number; recorded: number; reordered: number };
  };
}

t.setTimeout(240_000);
const skip = unmet(['root', 'tun', 'ipv6', 'knot', 'iproute2', 'python3', 'curl']);

t.test('history on the lab: one black hole teaches ours to start on IPv4; a healed IPv6 is back within the ttl', { skip, timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'he-history-test-'));
  t.teardown(() => {
    run('lab/lab.js', 'down', '--id', ID);
    rmSync(dir, { recursive: true, force: true });
  });
  const file = join(dir, 'history.json');
  const r = run('lab/history.js', '--id', ID, '--connects', '3', '--ttl', String(TTL), '--results', file);
  t.equal(r.status, 0, 'the run ended', { output: r.out.slice(-3000) });
  t.notOk(existsSync(`/run/${ID}-lab`) || spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.includes(`${ID}-client`), 'the lab is gone');
  const { report } = JSON.parse(readFileSync(file, 'utf8')) as Results;
  const ours = report.blackHole['happy-eyeballs']!;
  const starts = (m: Measurement): string[] => (m.trace ?? '').split(' ').filter((s) => s.startsWith('start'));
  t.match(starts(ours[0]!), ['start6@', 'start4@'], 'first connect: IPv6 first, IPv4 after the delay');
  for (const [i, m] of ours.entries()) t.match(m.outcome, /^198\.18\.1\.2$/, `turn ${i + 1}: ours on IPv4`);
  for (const m of ours.slice(1))
    t.same(
      starts(m).map((s) => s.slice(0, 6)),
      ['start4'],
      'later connects: IPv4 first, IPv6 never tried',
    );
  for (const peer of ['node', 'python', 'curl']) {
    for (const m of report.blackHole[peer]!)
      t.ok(m.outcome === '198.18.1.2' && m.ms >= 250, `${peer}: IPv4 after the 250 ms delay every time (${m.ms.toFixed(0)} ms)`);
  }
  const back = report.recovery.at(-1)!;
  t.match(back.measurement.outcome, /:/, 'after the heal ours is back on IPv6');
  t.ok(back.sinceHealMs < TTL, `within the ttl (${back.sinceHealMs.toFixed(0)} ms after the heal)`);
  t.ok(report.historyStats.reordered >= 2, 'history reordered the later races');
});
