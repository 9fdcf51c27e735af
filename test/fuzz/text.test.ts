/**
 * Fuzzing what parses text (short run; `node build/scripts/fuzz.js` runs the long one):
 * resolv.conf, hosts files, command lines, host names and server entries. Each returns a
 * result of the documented shape or its typed error (UsageError, DnsError EBADNAME,
 * InvalidArgumentError), and what one stage accepts the next one takes.
 */
import t, { type Test } from 'tap';
import { describeFailure, fuzz, type FuzzReport } from '../../scripts/harness/fuzz-run.js';
import { cliTarget, hostsTarget, namesTarget, resolvConfTarget } from '../../scripts/harness/fuzz-targets-text.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 8305);
t.comment(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} to replay)`);

function passes(t: Test, report: FuzzReport, results: string[]): void {
  t.same(report.failures.map(describeFailure), [], `${report.inputs} inputs, no invariant broken`);
  for (const result of results) t.ok((report.results[result] ?? 0) > 0, `some inputs led to '${result}'`);
  t.ok(report.slowestMs < 1000, `the slowest input took ${report.slowestMs.toFixed(1)} ms`);
}

t.test('fuzz: resolv.conf (and LOCALDOMAIN, RES_OPTIONS): the DNS client takes whatever it gives', async (t) => {
  passes(t, fuzz(resolvConfTarget, SEED, 5_000), ['0 servers', '1 servers', '2 servers', '3 servers']);
});

t.test('fuzz: hosts files; localhost never leaves the machine (RFC 6761 §6.3)', async (t) => {
  passes(t, fuzz(hostsTarget, SEED, 5_000), ['not listed', 'listed', 'localhost']);
});

t.test('fuzz: command lines give a command or one UsageError line; what is accepted, connect() takes', async (t) => {
  passes(t, fuzz(cliTarget, SEED, 10_000), ['usage error', 'probe', 'resolve', 'demo', 'help', 'version']);
});

t.test('fuzz: host names and server entries: accepted ones go on the wire, the rest are typed errors', async (t) => {
  passes(t, fuzz(namesTarget, SEED, 10_000), ['accepted', 'refused']);
});
