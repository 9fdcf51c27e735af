import t from 'tap';
import {
  describeVerdict,
  probeExitCode,
  resolveExitCode,
  verdictOf,
  verdictOfReport,
  EXIT_REACHABLE,
  EXIT_UNREACHABLE,
  EXIT_USAGE,
} from '../../lib/cli/verdict.js';
import type { DnsFamilyReport, FamilyReport, ResolveFamilyReport, Verdict } from '../../lib/cli/probe-report.js';

// Every combination of (AAAA addresses?, IPv6 reachable?, A addresses?, IPv4 reachable?).
// "reachable" without addresses cannot happen in a real probe; it is read as not reachable.
const table: Array<[v6Addresses: boolean, v6Reachable: boolean, v4Addresses: boolean, v4Reachable: boolean, Verdict]> = [
  [true, true, true, true, 'dual-stack'],
  [true, true, true, false, 'ipv4-broken'],
  [true, true, false, false, 'ipv6-only'],
  [true, true, false, true, 'ipv6-only'], // IPv4 "reachable" with no A: ignored
  [true, false, true, true, 'ipv6-broken'],
  [true, false, true, false, 'unreachable'],
  [true, false, false, false, 'unreachable'],
  [true, false, false, true, 'unreachable'],
  [false, false, true, true, 'ipv4-only'],
  [false, true, true, true, 'ipv4-only'], // IPv6 "reachable" with no AAAA: ignored
  [false, false, true, false, 'unreachable'],
  [false, true, true, false, 'unreachable'],
  [false, false, false, false, 'unreachable'], // no addresses at all
  [false, true, false, true, 'unreachable'],
  [false, true, false, false, 'unreachable'],
  [false, false, false, true, 'unreachable'],
];

for (const [v6a, v6r, v4a, v4r, want] of table) {
  t.test(`AAAA:${v6a} v6 reachable:${v6r} A:${v4a} v4 reachable:${v4r} → ${want}`, async (t) => {
    const families = { ipv6: { hasAddresses: v6a, reachable: v6r }, ipv4: { hasAddresses: v4a, reachable: v4r } };
    t.equal(verdictOf(families), want);
    const dns = (has: boolean): DnsFamilyReport => ({
      addresses: has ? [{ address: '192.0.2.1', ttl: 60 }] : [],
      ms: 1,
      error: null,
    });
    const family = (reachable: boolean): FamilyReport => ({ reachable, ms: reachable ? 3 : null, error: null });
    t.equal(verdictOfReport({ dns: { ipv6: dns(v6a), ipv4: dns(v4a) }, families: { ipv6: family(v6r), ipv4: family(v4r) } }), want);
  });
}

t.test('all six verdicts occur in the table and each has its own description', async (t) => {
  const verdicts = new Set(table.map((row) => row[4]));
  t.equal(verdicts.size, 6);
  const descriptions = [...verdicts].map(describeVerdict);
  t.equal(new Set(descriptions).size, 6);
  t.match(describeVerdict('ipv6-broken'), /IPv6 addresses found but none reachable/);
  t.match(describeVerdict('unreachable'), /no address/);
});

t.test('probe exit code: 0 when anything connected, else 1', async (t) => {
  const down: FamilyReport = { reachable: false, ms: null, error: { code: 'ECONNREFUSED', message: 'refused' } };
  const up: FamilyReport = { reachable: true, ms: 2, error: null };
  const winner = { address: '::1', family: 6 as const, ms: 5 };
  t.equal(probeExitCode({ winner: null, families: { ipv6: down, ipv4: down } }), EXIT_UNREACHABLE);
  t.equal(probeExitCode({ winner, families: { ipv6: up, ipv4: down } }), EXIT_REACHABLE);
  t.equal(probeExitCode({ winner: null, families: { ipv6: down, ipv4: up } }), EXIT_REACHABLE);
  t.equal(probeExitCode({ winner: null, families: { ipv6: up, ipv4: down } }), EXIT_REACHABLE);
  t.equal(probeExitCode({ winner, families: { ipv6: down, ipv4: down } }), EXIT_REACHABLE, 'a winner alone is enough');
  t.strictSame([EXIT_REACHABLE, EXIT_UNREACHABLE, EXIT_USAGE], [0, 1, 2]);
});

t.test('resolve exit code: 0 when either family has an address, else 1', async (t) => {
  const family = (type: 'AAAA' | 'A', count: number): ResolveFamilyReport => ({
    type,
    addresses: Array.from({ length: count }, (_, i) => ({ address: `192.0.2.${i + 1}`, ttl: 30 })),
    ms: 1,
    error: count ? null : { code: 'ENODATA', message: 'no data' },
    cnames: [],
    server: null,
  });
  t.equal(resolveExitCode({ host: 'a.test', ipv6: family('AAAA', 0), ipv4: family('A', 0) }), 1);
  t.equal(resolveExitCode({ host: 'a.test', ipv6: family('AAAA', 1), ipv4: family('A', 0) }), 0);
  t.equal(resolveExitCode({ host: 'a.test', ipv6: family('AAAA', 0), ipv4: family('A', 2) }), 0);
});
