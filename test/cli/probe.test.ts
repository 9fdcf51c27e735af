/**
 * `happy-eyeballs probe` end to end: the built executable against a loopback lab
 * (DNS server + listeners), one world per verdict. The JSON is checked field by field.
 */
import t, { type Test } from 'tap';
import type { ProbeReport } from '../../lib/cli/probe-report.js';
import { startLab, type Lab } from '../../lib/lab/lab.js';
import { runBin } from '../helpers/cli-bin.js';

const lab: Lab = await startLab({
  hosts: [
    { name: 'dual.he.test', ipv6: 'accept', ipv4: 'accept' },
    { name: 'v4only.he.test', ipv4: 'accept' },
    { name: 'v6only.he.test', ipv6: 'accept' },
    { name: 'v6broken.he.test', ipv6: 'black-hole', ipv4: 'accept' },
    { name: 'v4broken.he.test', ipv6: 'accept', ipv4: 'black-hole' },
    { name: 'down.he.test', ipv6: 'closed', ipv4: 'closed' },
    { name: 'v6refused.he.test', ipv6: 'closed', ipv4: 'accept' },
    { name: 'slowaaaa.he.test', ipv6: 'accept', ipv4: 'accept', aaaaDelay: 400 },
    { name: 'holes.he.test', ipv6: 'black-hole', ipv4: 'black-hole' },
    { name: 'lateaaaa.he.test', ipv6: 'accept', ipv4: 'accept', aaaaDelay: 5000 },
  ],
});
t.teardown(() => lab.close());

const ANSI = /\x1b\[/;
const target = (name: string): string => `${name}:${lab.host(name).port}`;

async function probeJson(t: Test, args: string[], env?: Record<string, string>): Promise<{ report: ProbeReport; code: number | null; ms: number }> {
  const run = await runBin(['probe', ...args, '--json', '--nameserver', lab.nameserver], { env });
  t.equal(run.stderr, '', 'nothing on stderr');
  const report = JSON.parse(run.stdout) as ProbeReport;
  return { report, code: run.code, ms: run.ms };
}

t.test('dual-stack: the whole JSON object, field by field', async (t) => {
  lab.dns.resetCounts();
  const { report, code } = await probeJson(t, [target('dual.he.test')]);
  t.equal(code, 0);
  t.same(Object.keys(report), ['host', 'port', 'tls', 'dns', 'attempts', 'families', 'winner', 'verdict']);
  t.equal(report.host, 'dual.he.test');
  t.equal(report.port, lab.host('dual.he.test').port);
  t.equal(report.tls, false);
  for (const [family, address] of [
    ['ipv6', '::1'],
    ['ipv4', '127.0.0.1'],
  ] as const) {
    const dns = report.dns[family];
    t.same(Object.keys(dns).sort(), ['addresses', 'backend', 'cnames', 'error', 'ms', 'server', 'source']);
    t.same(dns.addresses, [{ address, ttl: 60 }]);
    t.equal(typeof dns.ms, 'number');
    t.ok((dns.ms as number) >= 0 && (dns.ms as number) < 2000, `${family} answered (${dns.ms} ms)`);
    t.equal(dns.error, null);
    t.equal(dns.server, lab.nameserver);
    t.equal(dns.backend, 'dns');
    t.same(dns.cnames, []);
    t.equal(dns.source, 'dns');
    t.same(Object.keys(report.families[family]), ['reachable', 'ms', 'error']);
    t.equal(report.families[family].reachable, true);
    t.equal(typeof report.families[family].ms, 'number');
    t.equal(report.families[family].error, null);
  }
  t.equal(report.attempts.length, 1, 'IPv6 first and it connected: one attempt (RFC 8305 §4)');
  const [attempt] = report.attempts;
  t.same(Object.keys(attempt ?? {}), ['address', 'family', 'startMs', 'endMs', 'outcome', 'error']);
  t.match(attempt, { address: '::1', family: 6, outcome: 'won', error: null });
  t.ok(attempt!.startMs >= (report.dns.ipv6.ms as number) && attempt!.endMs >= attempt!.startMs, 'the attempt began once AAAA was in');
  t.same(Object.keys(report.winner ?? {}), ['address', 'family', 'ms']);
  t.match(report.winner, { address: '::1', family: 6 });
  t.equal(report.winner!.ms, attempt!.endMs, 'the winner connected when its attempt ended');
  t.equal(report.verdict, 'dual-stack');
  t.equal(lab.dns.count('dual.he.test', 'AAAA'), 1, 'the race and the report share one AAAA query (cache)');
  t.equal(lab.dns.count('dual.he.test', 'A'), 1, 'and one A query');
});

t.test('ipv4-only and ipv6-only: the missing family is NODATA, not tried, and not reachable', async (t) => {
  for (const [name, present, missing, address, verdict] of [
    ['v4only.he.test', 'ipv4', 'ipv6', '127.0.0.1', 'ipv4-only'],
    ['v6only.he.test', 'ipv6', 'ipv4', '::1', 'ipv6-only'],
  ] as const) {
    const { report, code } = await probeJson(t, [target(name)]);
    t.equal(code, 0);
    t.equal(report.verdict, verdict);
    t.same(report.dns[missing].addresses, []);
    t.match(report.dns[missing].error, { code: 'ENODATA', message: String });
    t.same(report.families[missing], { reachable: false, ms: null, error: report.dns[missing].error });
    t.equal(report.families[present].reachable, true);
    t.same(
      report.attempts.map((a) => [a.address, a.outcome]),
      [[address, 'won']],
    );
    t.equal(report.winner?.address, address);
  }
});

t.test('R12/§9.3 ipv6-broken: IPv4 starts one Connection Attempt Delay later and wins; the check finds IPv6 dead', async (t) => {
  const { report, code } = await probeJson(t, [target('v6broken.he.test'), '--timeout', '3000']);
  t.equal(code, 0);
  t.equal(report.verdict, 'ipv6-broken');
  const [v6, v4] = report.attempts;
  t.match(v6, { address: '::1', family: 6, outcome: 'abandoned', error: null });
  t.match(v4, { address: '127.0.0.1', family: 4, outcome: 'won', error: null });
  const gap = v4!.startMs - v6!.startMs;
  t.ok(gap >= 245 && gap < 600, `IPv4 started ${gap} ms after IPv6 (delay 250)`);
  const lag = v6!.endMs - v4!.endMs;
  t.ok(lag >= 0 && lag < 50, `the loser is cancelled when the winner connects (R15): ${lag} ms later`);
  t.match(report.families.ipv6, { reachable: false, ms: null, error: { code: 'ERR_HE_TIMEOUT' } });
  t.match(report.families.ipv4, { reachable: true, error: null });
  t.match(report.winner, { address: '127.0.0.1', family: 4 });
});

t.test('--attempt-delay sets the gap between attempts (R12)', async (t) => {
  const { report } = await probeJson(t, [target('v6broken.he.test'), '--attempt-delay', '100', '--timeout', '1500']);
  const gap = report.attempts[1]!.startMs - report.attempts[0]!.startMs;
  t.ok(gap >= 95 && gap < 240, `IPv4 started ${gap} ms after IPv6 (delay 100)`);
  t.equal(report.verdict, 'ipv6-broken');
});

t.test('RFC 8305 §9.3 ipv4-broken: IPv6 wins the race at once, yet the check reveals IPv4 is dead', async (t) => {
  const { report, code } = await probeJson(t, [target('v4broken.he.test'), '--timeout', '3000']);
  t.equal(code, 0);
  t.equal(report.verdict, 'ipv4-broken');
  t.same(
    report.attempts.map((a) => [a.address, a.outcome]),
    [['::1', 'won']],
    'the race alone never tried IPv4',
  );
  t.match(report.families.ipv4, { reachable: false, error: { code: 'ERR_HE_TIMEOUT' } });
});

t.test('R17 unreachable: a refused attempt starts the next at once; no winner; exit 1', async (t) => {
  const { report, code } = await probeJson(t, [target('down.he.test')]);
  t.equal(code, 1);
  t.equal(report.verdict, 'unreachable');
  t.equal(report.winner, null);
  t.match(report.attempts, [
    { address: '::1', outcome: 'failed', error: { code: 'ECONNREFUSED' }, phase: 'tcp' },
    { address: '127.0.0.1', outcome: 'failed', error: { code: 'ECONNREFUSED' }, phase: 'tcp' },
  ]);
  t.ok(report.attempts[1]!.startMs - report.attempts[0]!.endMs < 100, 'no Connection Attempt Delay after a failure');
  for (const family of ['ipv6', 'ipv4'] as const) t.match(report.families[family], { reachable: false, ms: null, error: { code: 'ECONNREFUSED' } });
});

t.test('R17 ipv6-broken by refusal: IPv4 wins long before the 250 ms delay', async (t) => {
  const { report } = await probeJson(t, [target('v6refused.he.test')]);
  t.equal(report.verdict, 'ipv6-broken');
  t.match(report.attempts, [
    { address: '::1', outcome: 'failed' },
    { address: '127.0.0.1', outcome: 'won' },
  ]);
  // R17: IPv4 starts when ::1 refuses, not when the 250 ms delay ends. Measured between the two
  // attempts (the same clock), so a loaded machine's slow process start does not count.
  const [v6, v4] = report.attempts as { startMs: number; endMs: number }[];
  t.ok(v4!.startMs - v6!.endMs < 100, `IPv4 began ${v4!.startMs - v6!.endMs} ms after ::1 refused`);
  t.ok(v4!.startMs - v6!.startMs < 200, `IPv4 began ${v4!.startMs - v6!.startMs} ms after ::1 (delay 250 ms)`);
});

t.test('R4 slow AAAA: IPv4 goes one Resolution Delay after A, without waiting for AAAA; --resolution-delay', async (t) => {
  for (const delay of [50, 150]) {
    const { report, code } = await probeJson(t, [target('slowaaaa.he.test'), '--resolution-delay', String(delay)]);
    t.equal(code, 0);
    const aMs = report.dns.ipv4.ms as number;
    const start = report.attempts[0]!;
    t.match(start, { address: '127.0.0.1', outcome: 'won' });
    t.ok(start.startMs - aMs >= delay - 5 && start.startMs - aMs < delay + 150, `IPv4 began ${start.startMs - aMs} ms after A (delay ${delay})`);
    t.ok((report.dns.ipv6.ms as number) >= 390, `AAAA came late (${report.dns.ipv6.ms} ms) and is still reported`);
    t.same(report.dns.ipv6.addresses, [{ address: '::1', ttl: 60 }]);
    t.equal(report.verdict, 'dual-stack', 'the late IPv6 address was checked too');
  }
});

t.test('--timeout bounds the whole probe: every attempt timing out is unreachable, exit 1', async (t) => {
  const { report, code, ms } = await probeJson(t, [target('holes.he.test'), '--timeout', '700']);
  t.equal(code, 1);
  t.equal(report.verdict, 'unreachable');
  t.match(report.attempts, [
    { address: '::1', outcome: 'timeout', error: { code: 'ERR_HE_TIMEOUT' } },
    { address: '127.0.0.1', outcome: 'timeout', error: { code: 'ERR_HE_TIMEOUT' } },
  ]);
  t.match(
    report.families.ipv6,
    { reachable: false, error: { code: 'ERR_HE_TIMEOUT', message: 'probe timed out after 700 ms' } },
    'no time left to try it alone',
  );
  t.ok(ms < 700 + 5000, `the process ended after ${ms} ms (700 ms probe + node start)`);
});

t.test('an AAAA answer later than --timeout: that family reports the probe timeout; IPv4 still wins', async (t) => {
  const { report, code, ms } = await probeJson(t, [target('lateaaaa.he.test'), '--timeout', '800']);
  t.equal(code, 0);
  t.match(report.dns.ipv6, { addresses: [], error: { code: 'ERR_HE_TIMEOUT', message: 'probe of lateaaaa.he.test timed out after 800 ms' } });
  t.ok((report.dns.ipv6.ms as number) >= 790, `given up at the deadline (${report.dns.ipv6.ms} ms)`);
  t.match(report.winner, { address: '127.0.0.1' });
  t.equal(report.verdict, 'ipv4-only', 'no IPv6 address came in time');
  t.ok(ms < 5000, `did not wait for the 5 s answer (${Math.round(ms)} ms)`);
});

t.test('a name that does not exist: ENOTFOUND per family, no attempt, exit 1', async (t) => {
  const { report, code } = await probeJson(t, ['nope.he.test:80']);
  t.equal(code, 1);
  t.equal(report.verdict, 'unreachable');
  t.same(report.attempts, []);
  t.equal(report.winner, null);
  for (const family of ['ipv6', 'ipv4'] as const) {
    t.match(report.dns[family], { addresses: [], error: { code: 'ENOTFOUND' } });
    t.match(report.families[family], { reachable: false, error: { code: 'ENOTFOUND' } });
  }
});

t.test('IP literals: no DNS query, the other family not asked', async (t) => {
  lab.dns.resetCounts();
  const port = lab.host('dual.he.test').port;
  for (const [input, family, other, verdict] of [
    [`127.0.0.1:${port}`, 'ipv4', 'ipv6', 'ipv4-only'],
    [`[::1]:${port}`, 'ipv6', 'ipv4', 'ipv6-only'],
  ] as const) {
    const { report, code } = await probeJson(t, [input]);
    t.equal(code, 0);
    t.equal(report.verdict, verdict);
    // Without --nameserver too: a literal needs no DNS, so the system configuration is never read.
    const bare = await runBin(['probe', input, '--json']);
    t.equal(bare.code, 0);
    t.match(JSON.parse(bare.stdout), { verdict, dns: { [family]: { source: 'literal' } } });
    t.match(report.dns[family], { addresses: [{ ttl: null }], error: null, source: 'literal' });
    t.same(report.dns[other], { addresses: [], ms: null, error: null, cnames: [], server: null, backend: null });
  }
  t.equal(lab.dns.count(), 0);
});

t.test('human output: the report and verdict on stdout, colour only when asked for', async (t) => {
  const args = ['probe', target('v6broken.he.test'), '--nameserver', lab.nameserver, '--timeout', '1200'];
  const plain = await runBin(args);
  t.equal(plain.code, 0);
  t.equal(plain.stderr, '', 'no spinner off a terminal');
  t.notMatch(plain.stdout, ANSI);
  t.match(plain.stdout, `probe ${target('v6broken.he.test')}`);
  t.match(plain.stdout, 'IPv6 AAAA  1 address');
  t.match(plain.stdout, '→ not reachable: ERR_HE_TIMEOUT');
  t.match(plain.stdout, /\nrace\n/);
  t.match(plain.stdout, /verdict ipv6-broken: IPv6 addresses found but none reachable; IPv4 works\n$/);
  t.match((await runBin(args, { env: { FORCE_COLOR: '1' } })).stdout, ANSI, 'FORCE_COLOR');
  t.notMatch((await runBin([...args, '--no-color'], { env: { FORCE_COLOR: '1' } })).stdout, ANSI, '--no-color wins');
});
