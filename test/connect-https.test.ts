/**
 * HTTPS records steering real connections on loopback (Happy Eyeballs v3), through the
 * real Resolver and a DNS server on the wire: hints and the record's port before slow
 * AAAA/A; undici over HTTP/2 where the record says h2; h3-only records ignored; defaults.
 */
import https from 'node:https';
import http2 from 'node:http2';
import type net from 'node:net';
import tls from 'node:tls';
import t, { type Test } from 'tap';
import { Agent, fetch } from 'undici';
import { HttpsAgent } from '../lib/adapters/agents.js';
import { connector } from '../lib/adapters/connector.js';
import { connect, type RaceEvent } from '../lib/connect.js';
import { normalizeConnectOptions } from '../lib/connect-options.js';
import { Resolver } from '../lib/resolver.js';
import { FakeDnsServer } from './helpers/fake-dns-server.js';
import type { Zone } from './helpers/fake-dns-zone.js';
import { CA as ca, CREDENTIALS as credentials } from './helpers/encrypted.js';
import { closedPort } from './helpers/race-loopback.js';

function zone(records: Zone['records']): Zone {
  return { origin: 'he.test', ttl: 60, soa: { mname: 'ns.he.test', rname: 'h.he.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 60 }, records };
}

async function dnsFor(t: Test, records: Zone['records']): Promise<{ dns: FakeDnsServer; resolver: Resolver }> {
  const dns = await FakeDnsServer.start({ zones: [zone(records)] });
  const resolver = new Resolver({ servers: [dns.server], resolvConf: false, hosts: false, timeout: 3000, attempts: 1 });
  t.teardown(async () => {
    resolver.close();
    await dns.close();
  });
  return { dns, resolver };
}

async function listen(t: Test, server: net.Server, host: string): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

t.test(
  'AAAA and A 1 s late, HTTPS with hints at once: connected within the Resolution Delay of the HTTPS answer, to the hint at the record’s port',
  async (t) => {
    const server = tls.createServer(credentials, () => {});
    const port = await listen(t, server, '127.0.0.2');
    // The origin's port is 443 (so the QNAME is the host, RFC 9460 §9.1); nothing is tried there.
    const origin = 443;
    const { dns, resolver } = await dnsFor(t, [
      { name: 'slow.he.test', type: 'A', data: '127.0.0.3' },
      { name: 'slow.he.test', type: 'AAAA', data: '::1' },
      { name: 'slow.he.test', type: 'HTTPS', data: `1 . port=${port} ipv4hint=127.0.0.2` },
    ]);
    dns.setBehaviour('slow.he.test', 'A', { delay: 1000 });
    dns.setBehaviour('slow.he.test', 'AAAA', { delay: 1000 });
    const events: RaceEvent[] = [];
    const started = performance.now();
    const socket = await connect({ host: 'slow.he.test', port: origin, tls: { ca }, resolver, resolutionDelay: 50, onEvent: (e) => events.push(e) });
    const ms = performance.now() - started;
    const remote = [socket.remoteAddress, socket.remotePort];
    socket.destroy();
    t.same(remote, ['127.0.0.2', port]);
    const https = events.find((e) => e.type === 'dns:https')!;
    const start = events.find((e) => e.type === 'attempt:start')!;
    t.ok(
      start.ms - https.ms >= 45 && start.ms - https.ms <= 50 + 100,
      `the attempt began ${Math.round(start.ms - https.ms)} ms after the HTTPS answer (Resolution Delay 50: AAAA, the preferred family, was waited for)`,
    );
    t.ok(ms < 800, `connected after ${Math.round(ms)} ms, long before AAAA and A (1000 ms)`);
    t.match(start, { address: '127.0.0.2', port, endpoint: { priority: 1, target: 'slow.he.test', hint: true } });
    t.same((socket as unknown as { autoSelectFamilyAttemptedAddresses: string[] }).autoSelectFamilyAttemptedAddresses, [`127.0.0.2:${port}`]);
  },
);

t.test('an IPv6 hint answers the preferred family: no wait at all', async (t) => {
  const server = tls.createServer(credentials, (socket) => socket.end());
  const port = await listen(t, server, '::1');
  const { dns, resolver } = await dnsFor(t, [
    { name: 'v6.he.test', type: 'AAAA', data: '::1' },
    { name: 'v6.he.test', type: 'HTTPS', data: `1 . ipv6hint=::1 port=${port}` },
  ]);
  dns.setBehaviour('v6.he.test', 'AAAA', { delay: 1000 });
  dns.setBehaviour('v6.he.test', 'A', { delay: 1000 });
  const events: RaceEvent[] = [];
  const socket = await connect({ host: 'v6.he.test', port: 443, tls: { ca }, resolver, resolutionDelay: 200, onEvent: (e) => events.push(e) });
  socket.destroy();
  const https = events.find((e) => e.type === 'dns:https')!;
  const start = events.find((e) => e.type === 'attempt:start')!;
  t.ok(start.ms - https.ms < 100, `began ${Math.round(start.ms - https.ms)} ms after the HTTPS answer, not the 200 ms Resolution Delay`);
});

t.test('connector({ allowH2: true }) and a record with alpn=h2: undici fetches over HTTP/2, at the record’s port', async (t) => {
  const server = http2.createSecureServer({ ...credentials }, (req, res) => res.end(`${req.httpVersion} ${req.headers[':authority']}`));
  const port = await listen(t, server, '127.0.0.4');
  const { resolver } = await dnsFor(t, [
    { name: 'h2.he.test', type: 'A', data: '127.0.0.4' },
    { name: 'h2.he.test', type: 'HTTPS', data: `1 . alpn=h2 port=${port}` },
  ]);
  const events: RaceEvent[] = [];
  const agent = new Agent({ allowH2: true, connect: connector({ resolver, ca, allowH2: true, onEvent: (e) => events.push(e) }) });
  t.teardown(() => agent.close());
  const res = await fetch('https://h2.he.test/', { dispatcher: agent });
  t.equal(await res.text(), '2.0 h2.he.test', 'HTTP/2, to the origin’s authority (port 443 in the URL)');
  t.match(
    events.find((e) => e.type === 'attempt:success'),
    { address: '127.0.0.4', port, endpoint: { alpn: ['h2', 'http/1.1'] } },
  );
});

t.test('HttpsAgent: HTTPS records on by default, the record’s port reached from an https: URL without one', async (t) => {
  const server = https.createServer(credentials, (_req, res) => res.end('via the record'));
  const port = await listen(t, server, '127.0.0.6');
  const { resolver } = await dnsFor(t, [
    { name: 'agent.he.test', type: 'A', data: '127.0.0.6' },
    { name: 'agent.he.test', type: 'HTTPS', data: `1 . port=${port}` },
  ]);
  const agent = new HttpsAgent({ resolver, ca, keepAlive: false });
  t.teardown(() => agent.destroy());
  const body = await new Promise<string>((resolve, reject) => {
    https
      .get('https://agent.he.test/', { agent }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      })
      .on('error', reject);
  });
  t.equal(body, 'via the record');
});

t.test('a record whose endpoints speak only h3: the origin’s own addresses and port', async (t) => {
  const server = http2.createSecureServer({ ...credentials, allowHTTP1: true }, (req, res) => res.end(req.httpVersion));
  const port = await listen(t, server, '127.0.0.4');
  const quic = await closedPort();
  const { resolver, dns } = await dnsFor(t, [
    { name: 'h3.he.test', type: 'A', data: '127.0.0.4' },
    { name: `_${port}._https.h3.he.test`, type: 'HTTPS', data: `1 . alpn=h3 no-default-alpn port=${quic} ipv4hint=127.0.0.5` },
  ]);
  const events: RaceEvent[] = [];
  const agent = new Agent({ allowH2: true, connect: connector({ resolver, ca, allowH2: true, onEvent: (e) => events.push(e) }) });
  t.teardown(() => agent.close());
  const res = await fetch(`https://h3.he.test:${port}/`, { dispatcher: agent });
  t.equal(await res.text(), '2.0');
  t.equal(dns.count(`_${port}._https.h3.he.test`, 'HTTPS'), 1, 'the HTTPS record was asked');
  t.same(
    events.filter((e) => e.type === 'attempt:start').map((e) => `${(e as { address: string }).address}:${(e as { port: number }).port}`),
    [`127.0.0.4:${port}`],
    'the h3 endpoint and its hint were never tried',
  );
});

t.test('httpsRecords: on with TLS, off without, for names only; a bad value is refused', async (t) => {
  t.equal(normalizeConnectOptions({ host: 'a.test', port: 1 }).httpsRecords, false);
  t.equal(normalizeConnectOptions({ host: 'a.test', port: 1, tls: true }).httpsRecords, true);
  t.equal(normalizeConnectOptions({ host: 'a.test', port: 1, tls: true, httpsRecords: false }).httpsRecords, false);
  t.equal(normalizeConnectOptions({ host: 'a.test', port: 1, httpsRecords: true }).httpsRecords, false, 'ignored without TLS');
  t.equal(normalizeConnectOptions({ host: '127.0.0.1', port: 1, tls: true }).httpsRecords, false, 'an IP literal has no HTTPS record');
  t.throws(() => normalizeConnectOptions({ host: 'a.test', port: 1, httpsRecords: 'yes' as unknown as boolean }), {
    name: 'InvalidArgumentError',
    option: 'httpsRecords',
  });
  t.throws(
    () => connector({ httpsRecords: 1 as unknown as boolean }),
    { name: 'InvalidArgumentError', option: 'httpsRecords' },
    'the adapters check it up front',
  );
  const { dns, resolver } = await dnsFor(t, [{ name: 'plain.he.test', type: 'A', data: '127.0.0.1' }]);
  const port = await closedPort();
  await connect({ host: 'plain.he.test', port, resolver, family: 4 }).catch(() => {});
  t.equal(dns.count('plain.he.test', 'HTTPS'), 0, 'plain TCP: no HTTPS question');
  await connect({ host: 'plain.he.test', port, resolver, family: 4, tls: { ca }, httpsRecords: false }).catch(() => {});
  t.equal(dns.count(undefined, 'HTTPS'), 0, 'switched off');
  await connect({ host: 'plain.he.test', port, resolver, family: 4, tls: { ca } }).catch(() => {});
  t.equal(dns.count(`_${port}._https.plain.he.test`, 'HTTPS'), 1, 'TLS: asked by default');
});
