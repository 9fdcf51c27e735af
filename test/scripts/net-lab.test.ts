/**
 * The network lab (issue 7) end to end, so it cannot rot silently: root, /dev/net/tun,
 * knotd, python3, curl and iproute2 needed (CI has them); skipped with the reason otherwise.
 * The lab's scripts run as child processes with a clean environment (`env -i`): they are
 * tools, not library code, and stay out of the coverage figures.
 * - R4/R12/R17 on a real path: with IPv6 SYNs black-holed every peer ends on IPv4 after
 *   the Connection Attempt Delay, ours within the physical limit plus a margin; with both
 *   paths healthy ours connects over IPv6 (RFC 6724 prefers it) within limit plus margin.
 * - Nothing is left behind: after the benchmark, after `lab.js down`, after SIGINT.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { unmet } from '../helpers/requirements.js';

// One id per run: two runs at once (two checkouts on one machine) must not take each other's lab down.
const ID = `ht${process.pid % 100_000_000}`;
const build = new URL('../../scripts/', import.meta.url).pathname;

/** argv for `node <script> ...` with an empty environment but PATH (no coverage hooks). */
const clean = (script: string, ...args: string[]): string[] => ['-i', `PATH=${process.env.PATH}`, process.execPath, join(build, script), ...args];

function run(script: string, ...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('env', clean(script, ...args), { encoding: 'utf8', timeout: 50_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** What of the test lab exists, checked here without the lab's own code. */
function leftovers(): string[] {
  const out: string[] = [];
  const spaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  for (const ns of [`${ID}-client`, `${ID}-server`]) if (spaces.split('\n').some((l) => l.split(' ')[0] === ns)) out.push(`namespace ${ns}`);
  for (const dev of [`${ID}-c`, `${ID}-s`]) if (spawnSync('ip', ['link', 'show', 'dev', dev], { stdio: 'ignore' }).status === 0) out.push(`device ${dev}`);
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    let argv = '';
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (argv.includes('relay.py') && argv.includes(`${ID}-client`)) out.push(`relay ${pid}`);
    if (argv.includes('knotd') && argv.includes(`/run/${ID}-lab`)) out.push(`knotd ${pid}`);
  }
  for (const path of [`/etc/netns/${ID}-client`, `/run/${ID}-lab`]) if (existsSync(path)) out.push(path);
  return out;
}

interface Spread {
  median: number;
  outcomes: Record<string, number>;
}
interface Results {
  scenarios: { scenario: { key: string }; limit: { tcp: number; tls: number }; spread: Record<string, Spread> }[];
}

const skip = unmet(['root', 'tun', 'ipv6', 'knot', 'iproute2', 'python3', 'curl']);

t.test('lab: v6 black hole and healthy, every peer, then nothing left', { skip, timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'he-lab-test-'));
  t.teardown(() => {
    run('lab/lab.js', 'down', '--id', ID);
    rmSync(dir, { recursive: true, force: true });
  });
  const file = join(dir, 'lab.json');
  const r = run('bench-lab.js', '--id', ID, '--scenarios', 'v6-black-hole,healthy', '--runs', '3', '--results', file);
  t.equal(r.status, 0, 'the benchmark ran', { output: r.out.slice(-3000) });
  t.same(leftovers(), [], 'no namespace, device, relay, knotd or file left after the run');
  const results = JSON.parse(readFileSync(file, 'utf8')) as Results;
  const [bh, ok] = results.scenarios;
  t.equal(bh?.scenario.key, 'v6-black-hole');
  t.equal(ok?.scenario.key, 'healthy');
  for (const peer of ['happy-eyeballs', 'node', 'python', 'curl']) {
    t.same(bh!.spread[`${peer} tcp`]!.outcomes, { IPv4: 3 }, `R12: ${peer} ends on IPv4 when IPv6 SYNs vanish`);
    t.same(ok!.spread[`${peer} tcp`]!.outcomes, { IPv6: 3 }, `R7: ${peer} connects over IPv6 when both are healthy`);
  }
  for (const [s, mode] of [
    [bh!, 'tcp'],
    [bh!, 'tls'],
    [ok!, 'tcp'],
    [ok!, 'tls'],
  ] as const) {
    const ours = s.spread[`happy-eyeballs ${mode}`]!.median;
    const limit = mode === 'tcp' ? s.limit.tcp : s.limit.tls;
    // Never faster than physics (the delays are real), at most 150 ms over on a loaded machine.
    t.ok(ours >= limit && ours < limit + 150, `${s.scenario.key} ${mode}: ours ${ours.toFixed(1)} ms, limit ${limit} ms`);
  }
});

t.test('lab: up, down, and SIGINT in the middle of a run leave nothing', { skip, timeout: 60_000 }, async (t) => {
  t.teardown(() => void run('lab/lab.js', 'down', '--id', ID));
  const up = run('lab/lab.js', 'up', '--id', ID);
  t.equal(up.status, 0, 'up', { output: up.out });
  t.ok(leftovers().includes(`namespace ${ID}-client`), 'the client namespace exists while up');
  const down = run('lab/lab.js', 'down', '--id', ID);
  t.equal(down.status, 0, 'down', { output: down.out });
  t.same(leftovers(), [], 'nothing left after down');

  const child = spawn('env', clean('bench-lab.js', '--id', ID, '--scenarios', 'v6-black-hole', '--runs', '20', '--results', '/dev/null'), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (line.startsWith('lab up')) setTimeout(() => child.kill('SIGINT'), 1500); // mid-measurement
  });
  child.stderr.resume();
  const code = await exited;
  clearTimeout(timer);
  t.equal(code, 130, 'the benchmark stopped on SIGINT');
  t.same(leftovers(), [], 'nothing left after SIGINT');
});
