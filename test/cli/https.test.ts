/**
 * The CLI and HTTPS records (RFC 9460): `resolve` prints them in presentation format;
 * `probe --tls` shows the service endpoints, the ALPN negotiated and the winning
 * endpoint; `--json` carries them.
 */
import http2 from 'node:http2';
import type net from 'node:net';
import t, { type Test } from 'tap';
import { runProbe } from '../../lib/cli/probe.js';
import type { ProbeReport, ResolveReport } from '../../lib/cli/probe-report.js';
import { raceReport } from '../../lib/cli/race-report.js';
import { renderProbe, renderResolve } from '../../lib/cli/render.js';
import { runResolve } from '../../lib/cli/resolve.js';
import { makeStyle } from '../../lib/cli/style.js';
import { systemClock } from '../../lib/clock.js';
import { Resolver } from '../../lib/resolver.js';
import { runBin, ROOT } from '../helpers/cli-bin.js';
import { CA, CREDENTIALS } from '../helpers/encrypted.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { fixtureZone } from '../../scripts/harness/zones.js';

const plain = makeStyle({ isTTY: false, env: { COLUMNS: '120' } });
const heZone = {
  origin: 'he.test',
  ttl: 60,
  soa: { mname: 'ns.he.test', rname: 'h.he.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 60 },
  records: [],
};

async function dns(t: Test): Promise<{ srv: FakeDnsServer; resolver: Resolver }> {
  const srv = await FakeDnsServer.start({ zones: [fixtureZone('svc.test'), heZone] });
  const resolver = new Resolver({ servers: [srv.server], resolvConf: false, hosts: false, timeout: 2000, attempts: 1 });
  t.teardown(async () => {
    resolver.close();
    await srv.close();
  });
  return { srv, resolver };
}

/** An HTTP/2-capable TLS server on 127.0.0.2, for the endpoint a record names. */
async function h2Server(t: Test): Promise<number> {
  const server = http2.createSecureServer({ ...CREDENTIALS, allowHTTP1: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

t.test('resolve: HTTPS records beside AAAA and A, in presentation format; aliases shown; not asked for IP literals', async (t) => {
  const { resolver } = await dns(t);
  const report = await runResolve('alias.svc.test', resolver, systemClock);
  t.match(report.https, {
    name: 'alias.svc.test',
    aliases: ['svc.test'],
    error: null,
    records: [{ text: '1 . alpn=h2,h3 ipv4hint=192.0.2.10 ipv6hint=2001:db8::10', ttl: 300 }],
  });
  const text = renderResolve(report, plain);
  t.match(text, /HTTPS 1 record in [\d.]+ ms\n {2}via AliasMode svc.test\n {2}1 \. alpn=h2,h3 ipv4hint=192\.0\.2\.10 ipv6hint=2001:db8::10 {2}ttl 300/);
  const none = await runResolve('nodata.svc.test', resolver, systemClock);
  t.match(renderResolve(none, plain), /HTTPS ENODATA in [\d.]+ ms/);
  const literal = await runResolve('192.0.2.1', resolver, systemClock);
  t.equal(literal.https, undefined);
  t.notMatch(renderResolve(literal, plain), /HTTPS/);
});

t.test('probe --tls: the HTTPS record, the endpoint each attempt came from, the winner’s endpoint and ALPN', async (t) => {
  const { srv, resolver } = await dns(t);
  const port = await h2Server(t);
  srv.setRecords('web.he.test', 'A', ['127.0.0.2']);
  srv.setRecords('web.he.test', 'HTTPS', [`1 . alpn=h2 port=${port} ech=AAr+DQAGaGV0ZXN0`]);
  const report = await runProbe({
    host: 'web.he.test',
    port: 443,
    tls: true,
    tlsOptions: { ca: CA },
    resolver,
    attemptDelay: 250,
    resolutionDelay: 50,
    timeout: 5000,
  });
  t.match(report.https, { name: 'web.he.test', records: [{ text: `1 . alpn=h2 port=${port} ech=AAr+DQAGaGV0ZXN0`, ttl: 60 }], error: null });
  const endpoint = { priority: 1, target: 'web.he.test', alpn: ['h2', 'http/1.1'], hint: false, ech: 'AAr+DQAGaGV0ZXN0' };
  t.match(report.attempts[0], { address: '127.0.0.2', port, outcome: 'won', endpoint });
  t.match(report.winner, { address: '127.0.0.2', port, alpn: 'h2', endpoint });
  const text = renderProbe(report, plain);
  t.match(text, new RegExp(`winner {2}127\\.0\\.0\\.2:${port} \\(IPv4, HTTPS 1 web\\.he\\.test, port ${port}, ALPN h2\\)`));
  t.match(text, /HTTPS 1 record in/);
  t.match(text, /\n {2}HTTPS +░+ +[\d.]+ ms\n/, 'a DNS row for HTTPS in the race');
  t.match(text, new RegExp(`won \\(HTTPS 1 web\\.he\\.test, port ${port}\\)`));
});

t.test('probe --tls of a name without HTTPS records: the error is shown, nothing else changes', async (t) => {
  const { resolver } = await dns(t);
  const report = await runProbe({ host: 'nodata.svc.test', port: 443, tls: true, resolver, attemptDelay: 250, resolutionDelay: 50, timeout: 3000 });
  t.match(report.https, { records: [], error: { code: 'ENODATA' } });
  t.match(renderProbe(report, plain), /HTTPS ENODATA in/);
  t.match(renderProbe(report, plain), /HTTPS +░+✗ +[\d.]+ ms ENODATA/);
});

t.test('the race report: hints and AliasMode endpoints, ports other than the probe’s', async (t) => {
  const events = [
    { type: 'dns:https', ms: 1, records: [], aliases: ['x.test'] },
    {
      type: 'attempt:start',
      ms: 2,
      attempt: 1,
      address: '::1',
      family: 6,
      port: 443,
      endpoint: { priority: 0, target: 'x.test', alpn: ['http/1.1'], hint: true },
    },
    { type: 'attempt:start', ms: 2, attempt: 2, address: '::2', family: 6, port: 8443, endpoint: { priority: 2, target: 'y.test', alpn: ['h2'], hint: false } },
    { type: 'attempt:success', ms: 3, attempt: 1, address: '::1', family: 6, port: 443 },
  ] as const;
  const race = raceReport(events as never, 10, '_8443._https.h.test');
  t.match(race.https, { name: '_8443._https.h.test', aliases: ['x.test'], ms: 11 });
  t.match(race.winner, { port: 443, endpoint: { priority: 0, target: 'x.test', hint: true } });
  const report = {
    host: 'h.test',
    port: 8443,
    tls: true,
    dns: { ipv6: { addresses: [{ address: '::1', ttl: 1 }], ms: 1, error: null }, ipv4: { addresses: [], ms: 1, error: null } },
    attempts: race.attempts,
    families: { ipv6: { reachable: true, ms: 1, error: null }, ipv4: { reachable: false, ms: null, error: null } },
    winner: race.winner,
    verdict: 'ipv6-only',
    https: race.https,
  } as ProbeReport;
  const text = renderProbe(report, plain);
  t.match(text, /HTTPS 0 records in 11 ms for _8443\._https\.h\.test\n {2}via AliasMode x\.test/);
  t.match(text, /alias x\.test, port 443, hint/);
  t.match(text, /\(HTTPS 2 y\.test\)/, 'the probe’s own port is not repeated');
});

t.test('--json carries the HTTPS record, endpoints and the negotiated ALPN (the built CLI)', async (t) => {
  const { srv } = await dns(t);
  const port = await h2Server(t);
  srv.setRecords('json.he.test', 'A', ['127.0.0.2']);
  srv.setRecords('json.he.test', 'HTTPS', [`1 . alpn=h2 port=${port}`]);
  const run = await runBin(['probe', 'json.he.test', '--tls', '--json', '--nameserver', srv.server], {
    env: { NODE_EXTRA_CA_CERTS: `${ROOT}fixtures/tls/ca.pem` },
  });
  t.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as ProbeReport;
  t.match(report.https, { name: 'json.he.test', records: [{ text: `1 . alpn=h2 port=${port}` }] });
  t.match(report.winner, { address: '127.0.0.2', port, alpn: 'h2', endpoint: { priority: 1, target: 'json.he.test' } });
  const resolved = await runBin(['resolve', 'svc.test', '--json', '--nameserver', srv.server]);
  t.match((JSON.parse(resolved.stdout) as ResolveReport).https, {
    name: 'svc.test',
    records: [{ text: '1 . alpn=h2,h3 ipv4hint=192.0.2.10 ipv6hint=2001:db8::10', ttl: 300 }],
  });
});
