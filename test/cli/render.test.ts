import t from 'tap';
import { renderProbe, renderResolve } from '../../lib/cli/render.js';
import { barOf, legendLines } from '../../lib/cli/timeline.js';
import { systemClock } from '../../lib/clock.js';
import { fit, formatMs, plural } from '../../lib/cli/format.js';
import { hostPort } from '../../lib/options.js';
import { colorEnabled, makeStyle, startSpinner, widthOf, type Style, type StyleOptions } from '../../lib/cli/style.js';
import type { Clock } from '../../lib/clock.js';
import type { AttemptReport, ProbeReport, ResolveReport } from '../../lib/cli/probe-report.js';

const ANSI = /\x1b\[[0-9;]*m/g;
const plain = (width = 100): Style => makeStyle({ isTTY: false, env: { COLUMNS: String(width) } });
const coloured = (width = 100): Style => makeStyle({ isTTY: true, env: {}, columns: width });
const strip = (text: string): string => text.replace(ANSI, '');
const lineWith = (text: string, needle: string): string => {
  const line = text.split('\n').find((l) => l.includes(needle));
  if (line === undefined) throw new Error(`no line with ${needle}:\n${text}`);
  return line;
};
const count = (text: string, glyph: string): number => [...text].filter((c) => c === glyph).length;

/** IPv6 times out after 250 ms, IPv4 wins (an ipv6-broken host), a second AAAA is abandoned. */
function brokenV6(): ProbeReport {
  return {
    host: 'www.a.test',
    port: 443,
    tls: true,
    dns: {
      ipv6: {
        addresses: [
          { address: '2001:db8::1', ttl: 300 },
          { address: '2001:db8::2', ttl: 300 },
          { address: '2001:db8::3', ttl: 300 },
        ],
        ms: 12,
        error: null,
        server: '127.0.0.1:5300',
        cnames: ['cdn.a.test', 'edge.a.test'],
      },
      ipv4: { addresses: [{ address: '192.0.2.1', ttl: 60 }], ms: 4, error: null, server: '127.0.0.1:5300' },
    },
    attempts: [
      { address: '2001:db8::1', family: 6, startMs: 12, endMs: 262, outcome: 'failed', error: { code: 'ETIMEDOUT', message: 't' } },
      { address: '192.0.2.1', family: 4, startMs: 262, endMs: 300, outcome: 'won', error: null },
      { address: '2001:db8::2', family: 6, startMs: 280, endMs: 300, outcome: 'abandoned', error: null },
    ],
    families: {
      ipv6: { reachable: false, ms: null, error: { code: 'ETIMEDOUT', message: 't' } },
      ipv4: { reachable: true, ms: 38, error: null },
    },
    winner: { address: '192.0.2.1', family: 4, ms: 300 },
    verdict: 'ipv6-broken',
  };
}

t.test('probe report: every DNS answer, address, outcome, the winner and the verdict', async (t) => {
  const out = renderProbe(brokenV6(), plain());
  t.notMatch(out, ANSI, 'no escapes with colour off');
  t.match(out.split('\n')[0], 'probe www.a.test:443 with TLS');
  t.match(out, 'IPv6 AAAA  3 addresses in 12 ms from 127.0.0.1:5300');
  t.match(out, 'IPv4 A     1 address in 4.0 ms from 127.0.0.1:5300');
  t.match(out, 'via CNAME cdn.a.test → edge.a.test');
  t.match(lineWith(out, '  2001:db8::1 '), /ttl 300 +✗ ETIMEDOUT after 250 ms$/);
  t.match(lineWith(out, '  2001:db8::2 '), /ttl 300 +· abandoned after 20 ms$/);
  t.match(lineWith(out, '  2001:db8::3 '), /ttl 300 +– not tried$/);
  t.match(lineWith(out, '  192.0.2.1 '), /ttl 60 +★ connected in 38 ms, winner$/);
  t.match(out, '→ not reachable: ETIMEDOUT');
  t.match(out, '→ reachable, connect 38 ms');
  t.match(out, 'winner  192.0.2.1:443 (IPv4) after 300 ms');
  const lines = out.trimEnd().split('\n');
  t.equal(lines.at(-1), 'verdict ipv6-broken: IPv6 addresses found but none reachable; IPv4 works', 'verdict last');
  t.ok(out.endsWith('\n'));
});

t.test('timeline: a row per DNS answer and per attempt, with the outcome marks', async (t) => {
  const out = renderProbe(brokenV6(), plain());
  const race = out.slice(out.indexOf('\nrace\n'));
  t.match(race, /\n {2}░ DNS {2}█ connecting {2}★ winner {2}✓ connected {2}✗ failed {2}· abandoned\n/, 'legend');
  t.match(lineWith(race, '  AAAA '), /░+ +12 ms$/);
  t.match(lineWith(race, '  A '), /░ +4\.0 ms$/);
  t.match(lineWith(race, '  2001:db8::1 '), /█+✗ +12→262 ms failed ETIMEDOUT$/);
  t.match(lineWith(race, '  192.0.2.1 '), /█+★ +262→300 ms won$/);
  t.match(lineWith(race, '  2001:db8::2 '), /·+ +280→300 ms abandoned$/);
  t.notOk(race.includes('2001:db8::3'), 'untried addresses have no row');
  t.match(race, /0 ms +300 ms\n/, 'the axis ends at the last event');
});

t.test('timeline spans: the start in the precision of the end, so a start never reads later than its end', async (t) => {
  const report = brokenV6();
  report.attempts = [
    { address: '2001:db8::1', family: 6, startMs: 1.94, endMs: 3.4, outcome: 'failed', error: { code: 'ECONNREFUSED', message: 'r' } },
    { address: '192.0.2.1', family: 4, startMs: 3.5, endMs: 3.7, outcome: 'failed', error: { code: 'ECONNREFUSED', message: 'r' } },
    { address: '2001:db8::2', family: 6, startMs: 0.4, endMs: 400, outcome: 'failed', error: { code: 'ECONNREFUSED', message: 'r' } },
  ];
  const out = renderProbe(report, plain());
  const race = out.slice(out.indexOf('\nrace\n'));
  t.match(lineWith(race, '  2001:db8::1 '), / 1\.9→3\.4 ms failed ECONNREFUSED$/);
  t.match(lineWith(race, '  192.0.2.1 '), / 3\.5→3\.7 ms failed ECONNREFUSED$/, 'not 4→3.7');
  t.match(lineWith(race, '  2001:db8::2 '), / 0→400 ms failed ECONNREFUSED$/);
});

t.test('timeline bars are proportional to time, and fill the width', async (t) => {
  const attempt = (address: string, startMs: number, endMs: number): AttemptReport => ({
    address,
    family: 4,
    startMs,
    endMs,
    outcome: 'failed',
    error: { code: 'ECONNREFUSED', message: 'r' },
  });
  const report: ProbeReport = {
    ...brokenV6(),
    dns: { ipv6: { addresses: [], ms: null, error: null }, ipv4: { addresses: [], ms: 100, error: null } },
    attempts: [attempt('192.0.2.1', 0, 400), attempt('192.0.2.2', 0, 100), attempt('192.0.2.3', 100, 300)],
    winner: null,
  };
  for (const width of [60, 100, 160]) {
    const out = renderProbe(report, plain(width));
    const full = count(lineWith(out, '192.0.2.1 '), '█');
    const quarter = count(lineWith(out, '192.0.2.2 '), '█');
    const half = lineWith(out, '192.0.2.3 ');
    const dns = count(lineWith(out, '  A '), '░');
    t.ok(full >= 10, `width ${width}: full bar ${full} cells`);
    t.ok(Math.abs(quarter - full / 4) <= 1, `width ${width}: 100 of 400 ms → ${quarter} of ${full}`);
    t.ok(Math.abs(count(half, '█') - full / 2) <= 1, `width ${width}: 200 of 400 ms`);
    t.ok(Math.abs(dns - full / 4) <= 1, `width ${width}: DNS on the same axis`);
    const offset = half.indexOf('█') - lineWith(out, '192.0.2.1 ').indexOf('█');
    t.ok(Math.abs(offset - full / 4) <= 1, `width ${width}: starts at 100 of 400 ms`);
    for (const line of out.split('\n').filter((l) => l.includes('█') || l.includes('░ '))) {
      t.ok([...line].length <= width, `fits in ${width}: ${line}`);
    }
  }
  const wide = count(lineWith(renderProbe(report, plain(160)), '192.0.2.1 '), '█');
  const narrow = count(lineWith(renderProbe(report, plain(60)), '192.0.2.1 '), '█');
  t.ok(wide > narrow * 2, 'bars scale with the terminal width');
});

t.test('the legend wraps to the width', async (t) => {
  t.strictSame(legendLines(40), ['  ░ DNS  █ connecting  ★ winner', '  ✓ connected  ✗ failed  · abandoned']);
  t.equal(legendLines(200).length, 1);
  t.ok(
    legendLines(10).every((line) => line.length <= 14),
    'one entry per line at worst',
  );
});

t.test('barOf: at least one cell, clamped to the axis', async (t) => {
  t.equal(barOf({ startMs: 0, endMs: 0, fill: '█', mark: '' }, 100, 10), '█');
  t.equal(barOf({ startMs: 100, endMs: 100, fill: '█', mark: '✗' }, 100, 10), `${' '.repeat(9)}█✗`);
  t.equal(barOf({ startMs: 50, endMs: 100, fill: '·', mark: '' }, 100, 10), `${' '.repeat(5)}·····`);
});

t.test('colour on: escapes present, the text unchanged once they are stripped', async (t) => {
  const on = renderProbe(brokenV6(), coloured());
  t.match(on, ANSI);
  t.match(on, '\x1b[32m★ connected in 38 ms, winner\x1b[39m');
  t.match(on, '\x1b[31m✗ ETIMEDOUT after 250 ms\x1b[39m');
  t.match(on, '\x1b[33mipv6-broken\x1b[39m');
  t.equal(strip(on), renderProbe(brokenV6(), plain()));
  const resolveReport = resolved();
  t.equal(strip(renderResolve(resolveReport, coloured())), renderResolve(resolveReport, plain()));
});

t.test('NO_COLOR, --no-color and FORCE_COLOR decide the escapes in the output', async (t) => {
  const noColorEnv = makeStyle({ isTTY: true, env: { NO_COLOR: '1' }, columns: 100 });
  t.notMatch(renderProbe(brokenV6(), noColorEnv), ANSI);
  t.notMatch(renderProbe(brokenV6(), makeStyle({ isTTY: true, env: {}, columns: 100, noColor: true })), ANSI);
  t.match(renderProbe(brokenV6(), makeStyle({ isTTY: false, env: { FORCE_COLOR: '1' } })), ANSI);
});

t.test('verdict colours: green when fine, yellow when a family is broken, red when unreachable', async (t) => {
  const style = coloured();
  const verdictOf = (verdict: ProbeReport['verdict'], winner: ProbeReport['winner']): string =>
    lineWith(renderProbe({ ...brokenV6(), verdict, winner }, style), 'verdict');
  t.match(verdictOf('dual-stack', null), '\x1b[32mdual-stack');
  t.match(verdictOf('ipv4-broken', null), '\x1b[33mipv4-broken');
  t.match(verdictOf('unreachable', null), '\x1b[31munreachable');
});

t.test('other outcomes, an IPv6 winner, DNS errors and families not asked', async (t) => {
  const report: ProbeReport = {
    host: '2001:db8::9',
    port: 80,
    dns: {
      ipv6: { addresses: [{ address: '2001:db8::9', ttl: null }], ms: 0, error: null, source: 'literal' },
      ipv4: { addresses: [], ms: null, error: null },
    },
    attempts: [
      { address: '2001:db8::9', family: 6, startMs: 0, endMs: 3, outcome: 'won', error: null },
      { address: '2001:db8::9', family: 6, startMs: 3, endMs: 9, outcome: 'connected', error: null },
      { address: '2001:db8::9', family: 6, startMs: 9, endMs: 19, outcome: 'failed', error: null },
      { address: '2001:db8::9', family: 6, startMs: 19, endMs: 5000, outcome: 'timeout', error: { code: 'ERR_HE_TIMEOUT', message: 't' } },
    ],
    families: { ipv6: { reachable: true, ms: null, error: null }, ipv4: { reachable: false, ms: null, error: null } },
    winner: { address: '2001:db8::9', family: 6, ms: 3 },
    verdict: 'ipv6-only',
  };
  const out = renderProbe(report, plain());
  t.match(out, 'probe [2001:db8::9]:80\n');
  t.match(out, 'IPv6 AAAA  1 address in 0.0 ms from literal');
  t.match(out, 'IPv4 A     not asked');
  t.match(lineWith(out, '  2001:db8::9  ttl -'), '★ connected in 3.0 ms, winner; ✓ connected in 6.0 ms; ✗ failed after 10 ms; ✗ timed out after 4981 ms');
  t.match(out, '→ reachable\n', 'no connect time when the family has none');
  t.notMatch(out, '→ not reachable', 'no family line without addresses');
  t.notMatch(out, /^ {2}A /m, 'no timeline row for a query not asked');
  t.match(out, /✓ +3\.0→9\.0 ms connected$/m);
  t.match(out, /✗ +19→5000 ms timeout ERR_HE_TIMEOUT$/m);
  t.match(out, 'winner  [2001:db8::9]:80 (IPv6) after 3.0 ms');

  const failedDns: ProbeReport = {
    host: 'gone.a.test',
    port: 80,
    dns: {
      ipv6: { addresses: [], ms: 30, error: { code: 'ENOTFOUND', message: 'n' }, server: '127.0.0.1:53' },
      ipv4: { addresses: [], ms: 2, error: { code: 'ENOTFOUND', message: 'n' } },
    },
    attempts: [],
    families: {
      ipv6: { reachable: false, ms: null, error: { code: 'ENOTFOUND', message: 'n' } },
      ipv4: { reachable: false, ms: null, error: { code: 'ENOTFOUND', message: 'n' } },
    },
    winner: null,
    verdict: 'unreachable',
  };
  const gone = renderProbe(failedDns, plain());
  t.match(gone, 'IPv6 AAAA  ENOTFOUND in 30 ms from 127.0.0.1:53');
  t.match(gone, 'IPv4 A     ENOTFOUND in 2.0 ms\n');
  t.match(lineWith(gone, '  AAAA '), /░+✗ +30 ms ENOTFOUND$/);
  t.match(gone, 'winner  none');
  t.match(gone, 'verdict unreachable: no address could be reached');

  const nothing = renderProbe(
    { ...failedDns, dns: { ipv6: { addresses: [], ms: null, error: null }, ipv4: { addresses: [], ms: null, error: null } } },
    plain(),
  );
  t.notMatch(nothing, 'race', 'no timeline without events');
  const familyDown = renderProbe(
    {
      ...failedDns,
      dns: { ...failedDns.dns, ipv4: { addresses: [{ address: '192.0.2.7', ttl: 5 }], ms: 2, error: null } },
      families: { ...failedDns.families, ipv4: { reachable: false, ms: null, error: null } },
    },
    plain(),
  );
  t.match(familyDown, '→ not reachable\n', 'no error code when none was reported');
});

t.test('a long address is cut to the column with an ellipsis', async (t) => {
  const address = 'fe80::1234:5678:9abc:def0:1234:5678%a-very-long-interface-name';
  const report = brokenV6();
  report.dns.ipv4.addresses = [];
  report.dns.ipv6.addresses = [{ address, ttl: 1 }];
  report.attempts = [{ address, family: 6, startMs: 0, endMs: 10, outcome: 'won', error: null }];
  const out = renderProbe(report, plain());
  t.match(out, `  ${address.slice(0, 38)}…  ttl 1`);
  t.match(out, `  ${address.slice(0, 38)}…  █`);
});

function resolved(): ResolveReport {
  return {
    host: 'www.a.test',
    ipv6: { type: 'AAAA', addresses: [], ms: 7, error: { code: 'ENODATA', message: 'n' }, cnames: [], server: '127.0.0.1:53' },
    ipv4: {
      type: 'A',
      addresses: [
        { address: '192.0.2.1', ttl: 60 },
        { address: '192.0.2.200', ttl: 59 },
      ],
      ms: 3,
      error: null,
      cnames: ['cdn.a.test'],
      server: '127.0.0.1:53',
      source: 'dns',
    },
  };
}

t.test('resolve report: records with TTLs, CNAME chain, server, times, errors', async (t) => {
  const out = renderResolve(resolved(), plain());
  t.notMatch(out, ANSI);
  t.equal(
    out,
    [
      'resolve www.a.test',
      '',
      'AAAA  ENODATA in 7.0 ms from 127.0.0.1:53',
      '',
      'A     2 addresses in 3.0 ms from 127.0.0.1:53',
      '  via CNAME cdn.a.test',
      '  192.0.2.1    ttl 60',
      '  192.0.2.200  ttl 59',
      '',
    ].join('\n'),
  );
  const hosts = renderResolve(
    { ...resolved(), ipv4: { ...resolved().ipv4, addresses: [{ address: '127.0.0.1', ttl: null }], cnames: [], server: null, source: 'hosts' } },
    plain(),
  );
  t.match(hosts, 'A     1 address in 3.0 ms from hosts\n  127.0.0.1  ttl -\n');
});

t.test('format helpers', async (t) => {
  t.equal(formatMs(0), '0.0 ms');
  t.equal(formatMs(9.94), '9.9 ms');
  t.equal(formatMs(10), '10 ms');
  t.equal(formatMs(312.6), '313 ms');
  t.equal(hostPort('::1', 53), '[::1]:53');
  t.equal(hostPort('a.test', 53), 'a.test:53');
  t.equal(plural(1, 'record', 'records'), '1 record');
  t.equal(plural(0, 'record', 'records'), '0 records');
  t.equal(fit('abc', 5), 'abc  ');
  t.equal(fit('abcdef', 5), 'abcd…');
});

const colourCases: Array<{ name: string; options: StyleOptions; want: boolean }> = [
  { name: 'a terminal', options: { isTTY: true, env: {} }, want: true },
  { name: 'a pipe', options: { isTTY: false, env: {} }, want: false },
  { name: 'NO_COLOR=1 on a terminal', options: { isTTY: true, env: { NO_COLOR: '1' } }, want: false },
  { name: 'NO_COLOR=anything', options: { isTTY: true, env: { NO_COLOR: 'no' } }, want: false },
  { name: 'NO_COLOR empty is ignored (no-color.org)', options: { isTTY: true, env: { NO_COLOR: '' } }, want: true },
  { name: '--no-color', options: { isTTY: true, env: {}, noColor: true }, want: false },
  { name: '--no-color beats FORCE_COLOR', options: { isTTY: true, env: { FORCE_COLOR: '1' }, noColor: true }, want: false },
  { name: 'FORCE_COLOR=1 on a pipe', options: { isTTY: false, env: { FORCE_COLOR: '1' } }, want: true },
  { name: 'FORCE_COLOR empty means on (as Node)', options: { isTTY: false, env: { FORCE_COLOR: '' } }, want: true },
  { name: 'FORCE_COLOR=3', options: { isTTY: false, env: { FORCE_COLOR: '3' } }, want: true },
  { name: 'FORCE_COLOR=0 on a terminal', options: { isTTY: true, env: { FORCE_COLOR: '0' } }, want: false },
  { name: 'FORCE_COLOR=false', options: { isTTY: true, env: { FORCE_COLOR: 'false' } }, want: false },
  { name: 'FORCE_COLOR beats NO_COLOR (as Node)', options: { isTTY: false, env: { FORCE_COLOR: '1', NO_COLOR: '1' } }, want: true },
  { name: 'TERM=dumb', options: { isTTY: true, env: { TERM: 'dumb' } }, want: false },
];

for (const c of colourCases) {
  t.test(`colour: ${c.name} → ${c.want ? 'on' : 'off'}`, async (t) => {
    t.equal(colorEnabled(c.options), c.want);
    const style = makeStyle(c.options);
    t.equal(style.color, c.want);
    t.equal(ANSI.test(style.red('x')), c.want);
    ANSI.lastIndex = 0;
  });
}

t.test('width: the terminal, else COLUMNS, else 80; within 40–200', async (t) => {
  t.equal(widthOf({ isTTY: true, env: {}, columns: 120 }), 120);
  t.equal(widthOf({ isTTY: false, env: {}, columns: 120 }), 80, 'a pipe has no columns');
  t.equal(widthOf({ isTTY: false, env: { COLUMNS: '100' } }), 100);
  t.equal(widthOf({ isTTY: true, env: { COLUMNS: '100' } }), 100, 'a terminal without columns');
  t.equal(widthOf({ isTTY: false, env: { COLUMNS: 'wide' } }), 80);
  t.equal(widthOf({ isTTY: true, env: {}, columns: 20 }), 40);
  t.equal(widthOf({ isTTY: true, env: {}, columns: 500 }), 200);
  t.equal(widthOf({ isTTY: false, env: { COLUMNS: '99.7' } }), 99);
});

/** A clock whose timers run when the test says; handles count `unref` calls. */
function fakeClock(): Clock & { advance(ms: number): void; pending(): number; unrefs: number } {
  let now = 0;
  const timers = new Set<{ at: number; fn: () => void; unref(): void }>();
  const clock = {
    unrefs: 0,
    now: () => now,
    setTimeout(fn: () => void, ms: number) {
      const handle = { at: now + ms, fn, unref: () => void (clock.unrefs += 1) };
      timers.add(handle);
      return handle;
    },
    clearTimeout(handle: unknown) {
      timers.delete(handle as { at: number; fn: () => void; unref(): void });
    },
    advance(ms: number) {
      const until = now + ms;
      for (let due = [...timers].find((x) => x.at <= until); due; due = [...timers].find((x) => x.at <= until)) {
        timers.delete(due);
        now = due.at;
        due.fn();
      }
      now = until;
    },
    pending: () => timers.size,
  };
  return clock;
}

t.test('spinner on a terminal: frames on a timer, line cleared and timer gone on stop', async (t) => {
  const writes: string[] = [];
  const clock = fakeClock();
  const stop = startSpinner({ isTTY: true, write: (s) => writes.push(s) }, 'resolving www.a.test', { clock, intervalMs: 100 });
  t.equal(writes.length, 1, 'first frame at once');
  t.match(writes[0], /^\r\x1b\[2K⠋ resolving www\.a\.test$/);
  clock.advance(250);
  t.equal(writes.length, 3);
  t.match(writes[1], '⠙ resolving');
  t.match(writes[2], '⠹ resolving');
  t.equal(clock.pending(), 1);
  t.equal(clock.unrefs, 3, "every timer unref'd");
  stop();
  t.equal(clock.pending(), 0, 'timer cleared');
  t.equal(writes.at(-1), '\r\x1b[2K', 'line cleared');
  stop();
  clock.advance(1000);
  t.equal(writes.length, 4, 'nothing after stop, even stopped twice');
  for (let i = 0; i < 12; i++) clock.advance(100);
});

t.test('spinner frames wrap around', async (t) => {
  const writes: string[] = [];
  const clock = fakeClock();
  const stop = startSpinner({ isTTY: true, write: (s) => writes.push(s) }, 'x', { clock, intervalMs: 10 });
  clock.advance(100);
  t.match(writes[10], '⠋ x', 'the eleventh frame is the first again');
  stop();
});

t.test('spinner off a terminal draws nothing', async (t) => {
  const writes: string[] = [];
  const stop = startSpinner({ write: (s) => writes.push(s) }, 'x');
  stop();
  t.strictSame(writes, []);
});

t.test('spinner on the real clock stops for good (default clock)', async (t) => {
  const writes: string[] = [];
  const started = systemClock.now();
  const stop = startSpinner({ isTTY: true, write: (s) => writes.push(s) }, 'x', { intervalMs: 5 });
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.ok(systemClock.now() - started >= 50, 'the system clock moved on meanwhile');
  stop();
  const after = writes.length;
  t.ok(after >= 2, `redrawn (${after} writes)`);
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.equal(writes.length, after);
});

t.test('spinner default interval is 80 ms', async (t) => {
  const writes: string[] = [];
  const clock = fakeClock();
  const stop = startSpinner({ isTTY: true, write: (s) => writes.push(s) }, 'x', { clock });
  clock.advance(79);
  t.equal(writes.length, 1);
  clock.advance(1);
  t.equal(writes.length, 2);
  stop();
});
