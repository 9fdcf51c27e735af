/**
 * The executable's contract: version, `resolve` (text and JSON) and exit codes. Help is in
 * help.test.ts, bad input in bad-input.test.ts (each child is a Node start-up: split so no
 * file nears tap's per-file timeout on a loaded machine).
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import type { ResolveReport } from '../../lib/cli/probe-report.js';
import { startLab } from '../../lib/lab/lab.js';
import { BIN, DIST_BIN, ROOT, runBin } from '../helpers/cli-bin.js';

const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string; bin: Record<string, string> };

const lab = await startLab({
  hosts: [
    { name: 'dual.he.test', ipv6: 'accept', ipv4: 'accept' },
    { name: 'v4only.he.test', ipv4: 'accept' },
    { name: 'slow.he.test', ipv4: 'accept', aDelay: 3000 },
  ],
});
t.teardown(() => lab.close());
lab.dns.setRecords('alias.he.test', 'CNAME', ['www.he.test']);
lab.dns.setRecords('www.he.test', 'CNAME', ['dual.he.test']);

t.test('--version and -v print the version from package.json: the test build and the shipped bin', async (t) => {
  t.equal(pkg.bin['happy-eyeballs'], 'dist/cli/main.js');
  t.match(readFileSync(DIST_BIN, 'utf8'), /^#!\/usr\/bin\/env node\n/, 'the shipped bin starts with a shebang');
  for (const [bin, args] of [
    [BIN, ['--version']],
    [BIN, ['-v']],
    [DIST_BIN, ['--version']],
    [BIN, ['probe', '--version']],
  ] as const) {
    const run = await runBin(args, { bin });
    t.same([run.code, run.stdout, run.stderr], [0, `${pkg.version}\n`, ''], `${bin.slice(ROOT.length)} ${args.join(' ')}`);
  }
});

t.test('resolve --json: AAAA and A with TTLs, CNAME chain, server and time, and the HTTPS answer; exit 0', async (t) => {
  const run = await runBin(['resolve', 'alias.he.test', '--json', '--nameserver', lab.nameserver]);
  t.equal(run.code, 0);
  t.equal(run.stderr, '');
  const report = JSON.parse(run.stdout) as ResolveReport;
  t.same(Object.keys(report), ['host', 'ipv6', 'ipv4', 'https']);
  t.equal(report.host, 'alias.he.test');
  t.match(report.https, { name: 'alias.he.test', records: [], aliases: [], error: { code: 'ENODATA' } }, 'asked beside them (RFC 9460); this lab has none');
  for (const [family, type, address] of [
    ['ipv6', 'AAAA', '::1'],
    ['ipv4', 'A', '127.0.0.1'],
  ] as const) {
    const r = report[family];
    t.same(Object.keys(r), ['type', 'addresses', 'ms', 'error', 'cnames', 'server', 'source', 'backend']);
    t.equal(r.type, type);
    t.same(r.addresses, [{ address, ttl: 60 }]);
    t.ok(typeof r.ms === 'number' && r.ms >= 0);
    t.equal(r.error, null);
    t.same(r.cnames, ['www.he.test', 'dual.he.test'], 'the CNAME chain in order');
    t.equal(r.server, lab.nameserver);
    t.equal(r.source, 'dns');
    t.equal(r.backend, 'dns', 'answered by the built-in client');
  }
});

t.test('resolve: text output; a family without records; a missing name exits 1', async (t) => {
  const text = await runBin(['resolve', 'v4only.he.test', '--nameserver', lab.nameserver]);
  t.equal(text.code, 0);
  t.match(text.stdout, /^resolve v4only\.he\.test\n/);
  t.match(text.stdout, 'AAAA  ENODATA in');
  t.match(text.stdout, `A     1 address in`);
  t.match(text.stdout, /127\.0\.0\.1 +ttl 60/);
  const missing = await runBin(['resolve', 'nope.he.test', '--json', '--nameserver', lab.nameserver]);
  t.equal(missing.code, 1);
  const report = JSON.parse(missing.stdout) as ResolveReport;
  t.match(report, { ipv6: { addresses: [], error: { code: 'ENOTFOUND' } }, ipv4: { addresses: [], error: { code: 'ENOTFOUND' } } });
  const literal = JSON.parse((await runBin(['resolve', '::1', '--json', '--nameserver', lab.nameserver])).stdout) as ResolveReport;
  t.match(literal, { ipv6: { addresses: [{ address: '::1', ttl: null }], source: 'literal' }, ipv4: { ms: null, error: null } });
});

t.test('a reader that hangs up early (`| head -1`) is not an error', async (t) => {
  const run = await runBin(['resolve', 'dual.he.test', '--nameserver', lab.nameserver], { onSpawn: (child) => child.stdout?.destroy() });
  t.equal(run.code, 0);
  t.equal(run.stderr, '');
});

/**
 * Preloaded into the child: misbehaves once main.ts has installed its handlers (the
 * last one it adds is 'unhandledRejection'), while `resolve slow.he.test` still waits.
 */
const later = (code: string): string[] => [
  '--import',
  `data:text/javascript,const base = process.listenerCount('unhandledRejection'); const poll = setInterval(() => { if (process.listenerCount('unhandledRejection') > base) { clearInterval(poll); ${code} } }, 5)`,
];

t.test(
  "a throw or rejection outside the CLI's own code: still one line and exit 1, with no forced exit (the command finishes); the stack only when debugging",
  async (t) => {
    const args = ['resolve', 'slow.he.test', '--nameserver', lab.nameserver];
    const cases: Array<[string, string]> = [
      ["throw new Error('boom')", 'happy-eyeballs: boom\n'],
      ["Promise.reject(new Error('lost promise'))", 'happy-eyeballs: lost promise\n'],
      ["process.stdout.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }))", 'happy-eyeballs: write EIO\n'],
    ];
    for (const [code, message] of cases) {
      const run = await runBin(args, { nodeArgs: later(code) });
      t.same([run.code, run.stderr], [1, message], code);
      t.match(run.stdout, /slow\.he\.test/, `${code}: the resolve ran to its end`);
    }
    const debug = await runBin(args, { nodeArgs: later("throw new Error('boom')"), env: { HAPPY_EYEBALLS_DEBUG: '1' } });
    t.equal(debug.code, 1);
    t.match(debug.stderr, /^happy-eyeballs: boom\nError: boom\n\s+at /);
  },
);
