/**
 * `happy-eyeballs demo` end to end, as `npm run demo` runs it: starts its lab, probes
 * every host, compares with Node core, cleans up and exits 0 well within 30 s.
 */
import t from 'tap';
import { DEMO_HOSTS } from '../../lib/cli/demo.js';
import { runBin } from '../helpers/cli-bin.js';

const LIMIT_MS = 30_000;

t.test('the demo: each lab host probed with the verdict its world should give, a comparison, exit 0', async (t) => {
  const run = await runBin(['demo'], { timeoutMs: LIMIT_MS + 5_000 });
  t.equal(run.signal, null, 'not killed');
  t.equal(run.code, 0);
  t.ok(run.ms < LIMIT_MS, `finished in ${Math.round(run.ms)} ms`);
  t.equal(run.stderr, '', 'no spinner off a terminal, no error');
  t.notMatch(run.stdout, /\x1b\[/, 'no colour off a terminal');
  const out = run.stdout;
  const verdicts: Record<string, string> = {
    'dual-stack.he.test': 'dual-stack',
    'broken-v6.he.test': 'ipv6-broken',
    'slow-aaaa.he.test': 'dual-stack',
    'v4-only.he.test': 'ipv4-only',
    'unreachable.he.test': 'unreachable',
  };
  t.same(
    DEMO_HOSTS.map((h) => h.name),
    Object.keys(verdicts),
  );
  for (const [name, verdict] of Object.entries(verdicts)) {
    const section = out.slice(out.indexOf(`probe ${name}:`));
    t.match(section, new RegExp(`^probe ${name.replace(/\./g, '\\.')}:\\d+\\n[^]*?\\nverdict ${verdict}:`), `${name}: ${verdict}`);
  }
  t.match(out, /^happy-eyeballs demo: a lab on loopback\nDNS server 127\.0\.0\.1:\d+ /);
  const row = (name: string): string => out.split('\n').find((line) => line.startsWith(name) && !line.includes(':')) ?? '';
  /** The three clients' times in a row, in column order. */
  const times = (line: string): number[] => [...line.matchAll(/([\d.]+) ms/g)].map((m) => Number(m[1]));
  // slow AAAA: happy-eyeballs goes after the Resolution Delay; Node core waits for AAAA (1 s).
  const [mine = NaN, plain = NaN, auto = NaN] = times(row('slow-aaaa.he.test'));
  t.ok(mine < 500, `happy-eyeballs on slow AAAA: ${mine} ms`);
  t.ok(plain >= 900 && auto >= 900, `Node core on slow AAAA: ${plain} / ${auto} ms`);
  // black-holed IPv6: plain net.connect never connects; the two racers fall back after about 250 ms.
  t.match(row('broken-v6.he.test'), /^broken-v6\.he\.test +\d+ ms v4 +✗ >2000 ms +\d+ ms v4/);
  t.match(row('unreachable.he.test'), /^unreachable\.he\.test( +✗ ECONNREFUSED){3}$/);
});
