/**
 * `probe --tls`: success means the handshake is done, on every address. The CLI
 * trusts Node's CA store plus NODE_EXTRA_CA_CERTS (Node reads it at start-up), so
 * these tests hand the test CA to the child that way.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import type { ProbeReport } from '../../lib/cli/probe-report.js';
import { startLab } from '../../lib/lab/lab.js';
import { ROOT, runBin } from '../helpers/cli-bin.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/tls/${name}`, import.meta.url));
const CA = `${ROOT}fixtures/tls/ca.pem`;

const lab = await startLab({
  hosts: [
    { name: 'tls.he.test', ipv6: 'accept', ipv4: 'accept' },
    { name: 'tls4.he.test', ipv6: 'closed', ipv4: 'accept' },
  ],
  tls: { key: fixture('server-key.pem'), cert: fixture('server.pem') },
});
t.teardown(() => lab.close());

async function probeTls(input: string, env: Record<string, string> = {}): Promise<{ report: ProbeReport; code: number | null }> {
  const run = await runBin(['probe', input, '--tls', '--json', '--nameserver', lab.nameserver], { env });
  return { report: JSON.parse(run.stdout) as ProbeReport, code: run.code };
}

t.test('V5: with the CA trusted (NODE_EXTRA_CA_CERTS) both families complete the handshake', async (t) => {
  const { report, code } = await probeTls(`tls.he.test:${lab.host('tls.he.test').port}`, { NODE_EXTRA_CA_CERTS: CA });
  t.equal(code, 0);
  t.equal(report.tls, true);
  t.equal(report.verdict, 'dual-stack');
  t.match(report.attempts, [{ address: '::1', outcome: 'won', error: null }]);
  t.match(report.families, { ipv6: { reachable: true }, ipv4: { reachable: true } });
});

t.test('an untrusted certificate fails every attempt in the TLS phase: unreachable, exit 1', async (t) => {
  const { report, code } = await probeTls(`tls.he.test:${lab.host('tls.he.test').port}`);
  t.equal(code, 1);
  t.equal(report.verdict, 'unreachable');
  t.match(report.attempts, [
    { address: '::1', outcome: 'failed', phase: 'tls', error: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } },
    { address: '127.0.0.1', outcome: 'failed', phase: 'tls', error: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } },
  ]);
  t.match(report.families.ipv4, { reachable: false, error: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } });
});

t.test('TLS to IP literals: no SNI, the certificate is checked against the IP; a refused family is broken', async (t) => {
  const port = lab.host('tls.he.test').port;
  const v6 = await probeTls(`[::1]:${port}`, { NODE_EXTRA_CA_CERTS: CA });
  t.equal(v6.code, 0);
  t.equal(v6.report.verdict, 'ipv6-only');
  const refused = await probeTls(`tls4.he.test:${lab.host('tls4.he.test').port}`, { NODE_EXTRA_CA_CERTS: CA });
  t.equal(refused.report.verdict, 'ipv6-broken');
  t.match(refused.report.attempts, [
    { address: '::1', outcome: 'failed', phase: 'tcp' },
    { address: '127.0.0.1', outcome: 'won' },
  ]);
});
