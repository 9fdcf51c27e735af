/**
 * The NAT64 lab (issue 18) end to end, as root, with the reference implementations:
 * tayga (NAT64) and unbound's dns64 module, knotd behind them. Skipped with the reason on
 * a machine without them; mandatory in CI. The lab's scripts run as child processes with a
 * clean environment (tools, not library code: outside the coverage figures).
 * - R19/R20: from an IPv6-only namespace, ours reaches the IPv4 literal and the IPv4-only
 *   name through tayga (the prefix found by RFC 7050 through unbound); Node core, Python and
 *   curl reach the name (DNS64 synthesized its AAAA) and fail on the literal (no route).
 * - R21: the name whose AAAA is black-holed: ours connects through its own synthesis after
 *   the Last Resort Local Synthesis Delay; the getaddrinfo peers are cut at the 6 s bound.
 * - Nothing is left behind: after the run, after up and down.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { unmet } from '../helpers/requirements.js';

// One id per run: two runs at once (two checkouts on one machine) must not take each other's lab down.
const ID = `hn${process.pid % 100_000_000}`;
const build = new URL('../../scripts/', import.meta.url).pathname;
const SYNTHESIZED = '2001:db8:64::c612:4002'; // 198.18.64.2 under the lab's 2001:db8:64::/96

function run(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('env', ['-i', `PATH=${process.env.PATH}`, process.execPath, join(build, 'lab', 'nat64.js'), ...args], {
    encoding: 'utf8',
    timeout: 170_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** What of the test lab exists, checked without the lab's own code. */
function leftovers(): string[] {
  const spaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split(' ')[0]);
  const out = ['n64c', 'n64g', 'n64s']
    .map((s) => `${ID}-${s}`)
    .filter((ns) => spaces.includes(ns))
    .map((ns) => `namespace ${ns}`);
  for (const path of [`/etc/netns/${ID}-n64c`, `/run/${ID}-n64lab`]) if (existsSync(path)) out.push(path);
  return out;
}

interface Measurement {
  ms: number;
  outcome: string;
}
interface Results {
  report: { samples: Record<string, Measurement[]>; lookups: Record<string, Array<{ address: string; family: number }> | string> };
  tayga: { packets: { rx: number; tx: number }; mappings: string[] };
}

// Two lab runs of about 30 s each; a loaded machine can triple that.
t.setTimeout(300_000);

const skip = unmet(['root', 'tun', 'ipv6', 'tayga', 'unbound', 'knot', 'iproute2', 'python3', 'curl']);

t.test('NAT64 lab: ours reaches IPv4 from an IPv6-only network; the getaddrinfo peers only through DNS64', { skip, timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'he-nat64-test-'));
  t.teardown(() => {
    run('down', '--id', ID);
    rmSync(dir, { recursive: true, force: true });
  });
  const file = join(dir, 'nat64.json');
  const r = run('run', '--id', ID, '--runs', '1', '--results', file);
  t.equal(r.status, 0, 'the lab ran', { output: r.out.slice(-3000) });
  t.same(leftovers(), [], 'no namespace, file or process left after the run');
  const { report, tayga } = JSON.parse(readFileSync(file, 'utf8')) as Results;
  const only = (key: string): Measurement => {
    const samples = report.samples[key]!;
    t.equal(samples.length, 1, key);
    return samples[0]!;
  };

  t.equal(only('happy-eyeballs literal').outcome, SYNTHESIZED, 'R20: ours reaches the IPv4 literal through tayga');
  t.equal(only('happy-eyeballs v4only').outcome, SYNTHESIZED, 'ours reaches the IPv4-only name');
  const broken = only('happy-eyeballs broken');
  t.equal(broken.outcome, SYNTHESIZED, 'R21: ours reaches the name with a broken AAAA through its own synthesis');
  t.ok(broken.ms >= 2250 && broken.ms < 4500, `R21: after 250 ms + the 2 s Last Resort Local Synthesis Delay (${broken.ms.toFixed(0)} ms)`);
  t.equal(only('happy-eyeballs nat64Prefix:false literal').outcome, 'ERR_HE_ALL_ATTEMPTS_FAILED', 'without synthesis ours fails like the others');
  t.equal(only('node literal').outcome, 'ENETUNREACH', 'Node core: the literal is unreachable');
  t.equal(only('python literal').outcome, 'ENETUNREACH', 'Python: the literal is unreachable');
  t.equal(only('curl literal').outcome, 'curl exit 7', 'curl: cannot connect to the literal');
  for (const peer of ['node', 'python', 'curl']) {
    t.equal(only(`${peer} v4only`).outcome, SYNTHESIZED, `${peer}: the IPv4-only name through DNS64`);
    t.match(only(`${peer} broken`).outcome, /^(bound|curl exit 28)$/, `${peer}: the broken AAAA hangs until the bound`);
  }
  t.same(
    report.lookups.literal,
    [
      { address: SYNTHESIZED, family: 6 },
      { address: '198.18.64.2', family: 4 },
    ],
    'lookup(): what connect() tries, synthesized first',
  );
  t.match(tayga.mappings.join('\n'), /2001:db8:6::2 → 198\.18\.65\./, 'tayga mapped the client into its pool: the traffic went through it');
  t.ok(tayga.packets.rx > 0 && tayga.packets.tx > 0, `tayga translated packets both ways (${tayga.packets.rx} in, ${tayga.packets.tx} out)`);
});

t.test('NAT64 lab: up, then down, leaves nothing', { skip, timeout: 90_000 }, async (t) => {
  t.teardown(() => void run('down', '--id', ID));
  const up = run('up', '--id', ID);
  t.equal(up.status, 0, 'up', { output: up.out });
  t.ok(leftovers().includes(`namespace ${ID}-n64g`), 'the gateway namespace exists while up');
  const down = run('down', '--id', ID);
  t.equal(down.status, 0, 'down', { output: down.out });
  t.same(leftovers(), [], 'nothing left after down');
});
