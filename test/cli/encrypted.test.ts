/**
 * `--nameserver tls://…` and `--nameserver https://…`: parsed, passed to the Resolver, and
 * used by the real executable against DoT and DoH servers on loopback. The test CA is
 * trusted the way a user would: NODE_EXTRA_CA_CERTS.
 */
import t from 'tap';
import { parseArgs, UsageError } from '../../lib/cli/args.js';
import { usage } from '../../lib/cli/usage.js';
import type { ResolveReport } from '../../lib/cli/probe-report.js';
import { caught } from '../helpers/caught.js';
import { runBin } from '../helpers/cli-bin.js';
import { CA_PATH, dohServer, dotServer } from '../helpers/encrypted.js';

t.test('--nameserver takes tls:// and https:// entries, as given, beside plain ones', async (t) => {
  const entries = ['tls://127.0.0.1:853#localhost', 'https://dns.example/dns-query', 'tls://[::1]', '127.0.0.1:5300'];
  const parsed = parseArgs(['resolve', 'www.example.test', ...entries.flatMap((e) => ['--nameserver', e])]);
  t.match(parsed, { command: 'resolve', nameservers: entries });
  t.match(parseArgs(['probe', 'www.example.test', '--nameserver=https://127.0.0.1:8443/q{?dns}']), { nameservers: ['https://127.0.0.1:8443/q{?dns}'] });
});

t.test('bad encrypted entries: a usage error naming the value and the forms', async (t) => {
  for (const entry of ['tls://dns.example', 'tls://127.0.0.1#bad name', 'https://dns.example', 'http://127.0.0.1/dns-query', 'quic://127.0.0.1']) {
    const err = caught(() => parseArgs(['resolve', 'www.example.test', '--nameserver', entry])) as UsageError;
    t.type(err, UsageError, entry);
    t.equal(err.message, `invalid nameserver ${JSON.stringify(entry)} (expected IP, IP:PORT, [IPv6]:PORT, tls://IP[:PORT][#NAME] or https://HOST[:PORT]/PATH)`);
    t.equal(err.command, 'resolve');
  }
});

t.test('the help names the forms and how to trust a private CA', async (t) => {
  for (const command of ['probe', 'resolve'] as const) {
    const text = usage(command);
    t.match(text, 'tls://IP[:PORT][#NAME]');
    t.match(text, 'https://HOST[:PORT]/PATH');
    t.match(text, 'NODE_EXTRA_CA_CERTS=ca.pem');
  }
});

t.test('resolve --nameserver tls://127.0.0.1:PORT#localhost, trusting the test CA', async (t) => {
  const dot = await dotServer(t);
  const entry = `tls://127.0.0.1:${dot.address.port}#localhost`;
  const run = await runBin(['resolve', 'www.example.test', '--json', '--nameserver', entry], { env: { NODE_EXTRA_CA_CERTS: CA_PATH } });
  t.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as ResolveReport;
  t.same(
    report.ipv4.addresses.map((a) => a.address),
    ['192.0.2.1', '192.0.2.2'],
  );
  t.same(
    report.ipv6.addresses.map((a) => a.address),
    ['2001:db8::1'],
  );
  t.same([report.ipv4.server, report.ipv6.server], [entry, entry]);
  t.equal(dot.connections, 1, 'AAAA and A on one connection');
});

t.test('resolve --nameserver https://127.0.0.1:PORT/dns-query', async (t) => {
  const doh = await dohServer(t);
  const run = await runBin(['resolve', 'www.example.test', '--nameserver', doh.url()], { env: { NODE_EXTRA_CA_CERTS: CA_PATH, NO_COLOR: '1' } });
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, `2 addresses in`);
  t.match(run.stdout, `from ${doh.url()}`);
  t.equal(doh.sessions, 1);
});

t.test('without the CA: ECERT on both families, exit 1, nothing asked in plaintext', async (t) => {
  const dot = await dotServer(t);
  const run = await runBin(['resolve', 'www.example.test', '--json', '--nameserver', dot.entry], { env: { NODE_EXTRA_CA_CERTS: undefined } });
  t.equal(run.code, 1);
  const report = JSON.parse(run.stdout) as ResolveReport;
  for (const family of [report.ipv4, report.ipv6]) {
    t.match(family.error, { code: 'ECERT', message: /certificate refused: .*UNABLE_TO_VERIFY_LEAF_SIGNATURE/ });
  }
  t.equal(dot.count(), 0);
});
