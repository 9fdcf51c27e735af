/** The loopback lab: its zone, and each path state doing what it says on both families. */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import t from 'tap';
import { labZone, startLab } from '../../lib/lab/lab.js';
import { listenPair, startListener, type StartListener } from '../../lib/lab/listeners.js';
import { Resolver } from '../../lib/resolver.js';
import { backToBaseline, settledResources } from '../helpers/race-loopback.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/tls/${name}`, import.meta.url));

type Outcome = { connected: true; address: string } | { connected: false; code: string };

/** One TCP connect to ip:port, bounded by `ms`: connected, refused, or 'HANG'. */
function dial(host: string, port: number, ms = 600): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => (socket.destroy(), resolve({ connected: false, code: 'HANG' })), ms);
    socket.once('connect', () => (clearTimeout(timer), socket.destroy(), resolve({ connected: true, address: host })));
    socket.once('error', (err: NodeJS.ErrnoException) => (clearTimeout(timer), resolve({ connected: false, code: err.code ?? '?' })));
  });
}

t.test('each path state on each family: accept connects, black-hole hangs, closed refuses', async (t) => {
  const lab = await startLab({
    hosts: [
      { name: 'a.he.test', ipv6: 'accept', ipv4: 'black-hole' },
      { name: 'b.he.test', ipv6: 'black-hole', ipv4: 'accept' },
      { name: 'c.he.test', ipv6: 'closed', ipv4: 'closed' },
      { name: 'd.he.test', ipv6: 'closed', ipv4: 'accept' },
    ],
  });
  t.teardown(() => lab.close());
  const a = lab.host('a.he.test');
  const b = lab.host('b.he.test');
  t.same(await dial('::1', a.port), { connected: true, address: '::1' });
  t.same(await dial('127.0.0.1', a.port), { connected: false, code: 'HANG' });
  t.same(await dial('::1', b.port), { connected: false, code: 'HANG' });
  t.same(await dial('127.0.0.1', b.port), { connected: true, address: '127.0.0.1' });
  t.same(await dial('::1', lab.host('c.he.test').port), { connected: false, code: 'ECONNREFUSED' });
  t.same(await dial('127.0.0.1', lab.host('c.he.test').port), { connected: false, code: 'ECONNREFUSED' });
  t.same(await dial('::1', lab.host('d.he.test').port), { connected: false, code: 'ECONNREFUSED' });
  t.same(await dial('127.0.0.1', lab.host('d.he.test').port), { connected: true, address: '127.0.0.1' });
  t.same(a.accepted, { ipv6: 1, ipv4: 0 });
  t.same(b.accepted, { ipv6: 0, ipv4: 1 });
  t.throws(() => lab.host('nope.he.test'), { message: 'the lab has no host nope.he.test' });
});

t.test('the zone: ::1 and 127.0.0.1 per family a host has, answer delays per type', async (t) => {
  const lab = await startLab({
    ttl: 42,
    hosts: [
      { name: 'both.he.test', ipv6: 'accept', ipv4: 'accept', aaaaDelay: 300 },
      { name: 'v4.he.test', ipv4: 'closed', aDelay: 150 },
    ],
  });
  t.teardown(() => lab.close());
  const resolver = new Resolver({ servers: [lab.nameserver], resolvConf: false, hosts: false, cache: false });
  t.teardown(() => resolver.close());
  const timed = async (name: string, type: 'A' | 'AAAA') => {
    const start = performance.now();
    const records = await resolver.resolve(name, type).catch((err: NodeJS.ErrnoException) => err.code);
    return { records, ms: performance.now() - start };
  };
  const [aaaa, a, v4, v4aaaa] = await Promise.all([
    timed('both.he.test', 'AAAA'),
    timed('both.he.test', 'A'),
    timed('v4.he.test', 'A'),
    timed('v4.he.test', 'AAAA'),
  ]);
  t.same(aaaa.records, [{ address: '::1', ttl: 42 }]);
  t.same(a.records, [{ address: '127.0.0.1', ttl: 42 }]);
  t.same(v4.records, [{ address: '127.0.0.1', ttl: 42 }]);
  t.equal(v4aaaa.records, 'ENODATA', 'no AAAA record for a host without ipv6');
  t.ok(aaaa.ms >= 290, `AAAA delayed (${aaaa.ms} ms)`);
  t.ok(a.ms < 250, `A not delayed (${a.ms} ms)`);
  t.ok(v4.ms >= 140, `A delayed (${v4.ms} ms)`);
  t.equal(await resolver.resolve('gone.he.test', 'A').catch((err: NodeJS.ErrnoException) => err.code), 'ENOTFOUND');
  t.match(lab.nameserver, /^127\.0\.0\.1:\d+$/);
});

t.test('labZone: origin records, SOA minimum = TTL, no record for a family left out', async (t) => {
  const zone = labZone('x.test', 30, [{ name: 'h.x.test', ipv6: 'closed' }]);
  t.equal(zone.origin, 'x.test');
  t.equal(zone.soa.minimum, 30);
  t.same(
    zone.records.filter((r) => r.name === 'h.x.test'),
    [{ name: 'h.x.test', type: 'AAAA', data: '::1' }],
  );
});

t.test('TLS credentials: accepting servers complete a handshake the test CA trusts', async (t) => {
  const lab = await startLab({
    hosts: [{ name: 'tls.he.test', ipv6: 'accept', ipv4: 'accept' }],
    tls: { key: fixture('server-key.pem'), cert: fixture('server.pem') },
  });
  t.teardown(() => lab.close());
  for (const host of ['::1', '127.0.0.1']) {
    const socket = tls.connect({ host, port: lab.host('tls.he.test').port, servername: 'tls.he.test', ca: fixture('ca.pem') });
    await once(socket, 'secureConnect');
    t.equal(socket.authorized, true, `${host}: handshake done, certificate trusted`);
    socket.destroy();
  }
  // A client that rejects the certificate hangs up mid-handshake: the server shrugs it off.
  const rejecting = tls.connect({ host: '127.0.0.1', port: lab.host('tls.he.test').port, servername: 'tls.he.test' });
  const [err] = (await once(rejecting, 'error')) as [NodeJS.ErrnoException];
  t.equal(err.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  t.same(await dial('127.0.0.1', lab.host('tls.he.test').port), { connected: true, address: '127.0.0.1' }, 'still serving');
});

t.test('listenPair: retries when the second family cannot take the port, then gives up', async (t) => {
  let v4Calls = 0;
  const flaky: StartListener = async (state, host, port, onAccept, credentials) => {
    if (host === '127.0.0.1' && ++v4Calls === 1) throw Object.assign(new Error('port taken'), { code: 'EADDRINUSE' });
    return startListener(state, host, port, onAccept, credentials);
  };
  const pair = await listenPair({ ipv6: 'accept', ipv4: 'accept' }, { start: flaky });
  t.equal(v4Calls, 2);
  t.same(await dial('127.0.0.1', pair.port), { connected: true, address: '127.0.0.1' });
  t.same(await dial('::1', pair.port), { connected: true, address: '::1' });
  await pair.close();
  t.same(await dial('::1', pair.port), { connected: false, code: 'ECONNREFUSED' }, 'the first try was closed too');
  const never: StartListener = async (state, host, port, onAccept) => {
    if (host === '127.0.0.1') throw new Error('never');
    return startListener(state, host, port, onAccept, undefined);
  };
  await t.rejects(listenPair({ ipv6: 'black-hole', ipv4: 'accept' }, { start: never }), { message: 'never' });
});

t.test('startLab: a DNS port that is taken fails the start, and what was started is closed', async (t) => {
  const taken = await startLab({ hosts: [] });
  t.teardown(() => taken.close());
  const baseline = await settledResources();
  const dnsPort = Number(taken.nameserver.split(':')[1]);
  await t.rejects(startLab({ dnsPort, hosts: [{ name: 'a.he.test', ipv6: 'accept', ipv4: 'accept' }] }), { code: 'EADDRINUSE' });
  await backToBaseline(t, baseline, 'failed start');
  const fixed = await startLab({ dnsPort: 0, hosts: [] });
  t.not(fixed.nameserver, taken.nameserver);
  await fixed.close();
});
