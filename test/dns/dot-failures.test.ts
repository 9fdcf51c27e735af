/**
 * DoT failures: a server that breaks the framing, answers malformed, closes mid-query,
 * shows a certificate we refuse, cannot be reached or never finishes the handshake.
 * Each is a typed error naming the server; nothing ever goes out in plaintext.
 */
import net from 'node:net';
import dnsPacket from 'dns-packet';
import t from 'tap';
import { DnsError } from '../../lib/errors.js';
import { forge, type Forgery } from '../../scripts/harness/dns-forgery.js';
import { startBlackHole } from '../helpers/black-hole.js';
import { closedPort } from '../helpers/closed-port.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { SELF_SIGNED, clientFor, dotServer, eventually } from '../helpers/encrypted.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

const forged =
  (kind: Forgery) =>
  (query: Buffer): Buffer =>
    forge(kind, dnsPacket.decode(query));
const tls = (host: string, port: number, name?: string): string => `tls://${host.includes(':') ? `[${host}]` : host}:${port}${name ? `#${name}` : ''}`;

// Frames nobody asked for: over TLS only the server can have sent them, so it is broken.
const violations: Array<{ what: string; kind: Forgery; cause: RegExp }> = [
  { what: 'random bytes', kind: 'garbage', cause: /sent (a|an) .*; connection closed/ },
  { what: 'a frame shorter than a DNS header', kind: 'short', cause: /-byte frame that is no DNS answer/ },
  { what: 'our ID with QR clear', kind: 'no-qr', cause: /no DNS answer/ },
  { what: 'an ID never asked', kind: 'wrong-id', cause: /never asked/ },
  { what: 'our ID, another question', kind: 'wrong-name', cause: /to another question/ },
  { what: 'our ID, two questions', kind: 'two-questions', cause: /to another question/ },
];

for (const v of violations) {
  t.test(`${v.what}: the connection is closed, its queries fail over (EBADRESP), the next try reconnects`, async (t) => {
    const dot = await dotServer(t);
    dot.setBehaviour('www.example.test', 'A', { forge: [forged(v.kind)], times: 1 });
    const once = clientFor(t, [dot.entry]);
    const err = (await once.query('www.example.test', 'A').catch((e: unknown) => e)) as DnsError;
    t.match(err, { code: 'EBADRESP', server: dot.entry });
    t.match((err.cause as Error).message, v.cause);
    t.ok(await eventually(() => dot.openConnections === 0), 'closed');
    dot.setBehaviour('www.example.test', 'A', { forge: [forged(v.kind)], times: 1 });
    const twice = clientFor(t, [dot.entry], { attempts: 2 });
    t.equal((await twice.query('www.example.test', 'A')).records.length, 2, 'the second attempt, on a new connection');
    t.equal(dot.connections, 3);
  });
}

t.test('a broken frame on one server: the query is answered by the next one', async (t) => {
  const [bad, good] = [await dotServer(t), await dotServer(t)];
  bad.setBehaviour('*', '*', { forge: [forged('garbage')] });
  const client = clientFor(t, [bad.entry, good.entry]);
  const answer = await client.query('www.example.test', 'A');
  t.equal(answer.server, good.entry);
});

// Our ID and question, but no usable answer: the framing is intact, so only this try fails.
const unusable: Array<{ what: string; frame: (query: Buffer) => Buffer }> = [
  { what: 'lying counts', frame: forged('lying-counts') },
  { what: 'cut short', frame: forged('cut') },
  { what: 'a compression loop', frame: forged('compression-loop') },
  {
    what: 'TC set',
    frame: (query) => {
      const reply = Buffer.from(query);
      reply[2] = 0x82 | (query[2]! & 0x01); // QR, TC, RD echoed
      return reply;
    },
  },
];

for (const u of unusable) {
  t.test(`an answer ${u.what}: EBADRESP for that try, the connection stays`, async (t) => {
    const dot = await dotServer(t);
    dot.setBehaviour('www.example.test', 'A', { forge: [u.frame], drop: 'all', times: 1 });
    const client = clientFor(t, [dot.entry]);
    await t.rejects(client.query('www.example.test', 'A'), { code: 'EBADRESP', server: dot.entry });
    t.equal((await client.query('www.example.test', 'A')).records.length, 2);
    t.equal(dot.connections, 1);
  });
}

t.test('the server closes mid-query: ECONNRESET, and the next attempt reconnects', async (t) => {
  const dot = await dotServer(t);
  dot.setBehaviour('www.example.test', 'A', { tcp: 'close', times: 1 });
  const once = clientFor(t, [dot.entry]);
  await t.rejects(once.query('www.example.test', 'A'), { code: 'ECONNRESET', server: dot.entry });
  dot.setBehaviour('www.example.test', 'A', { tcp: 'close', times: 1 });
  const twice = clientFor(t, [dot.entry], { attempts: 2 });
  t.equal((await twice.query('www.example.test', 'A')).records.length, 2);
  t.equal(dot.connections, 3);
  t.match(twice.stats(), { dotConnections: 2, dotQueries: 2 });
});

t.test('certificate failures: ECERT naming the server and the reason; no query is sent', async (t) => {
  const good = await dotServer(t);
  const selfSigned = await dotServer(t, { credentials: SELF_SIGNED });
  const cases: Array<{ what: string; entry: string; ca: boolean; cause: string }> = [
    { what: 'the CA is not trusted (no ca)', entry: good.entry, ca: false, cause: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    { what: 'the name does not match', entry: tls('127.0.0.1', good.address.port, 'other.invalid'), ca: true, cause: 'ERR_TLS_CERT_ALTNAME_INVALID' },
    { what: 'a self-signed certificate', entry: selfSigned.entry, ca: true, cause: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
  ];
  for (const c of cases) {
    const client = clientFor(t, [c.entry], c.ca ? {} : { tls: {} });
    const err = (await client.query('www.example.test', 'A').catch((e: unknown) => e)) as DnsError;
    t.type(err, DnsError, c.what);
    t.match(err, { code: 'ECERT', server: c.entry, hostname: 'www.example.test', cause: { code: c.cause } }, c.what);
    t.match(
      err.message,
      new RegExp(`ECERT A www\\.example\\.test \\(server ${c.entry.replace(/[.[\]]/g, '\\$&')}\\): certificate refused: .+ \\(${c.cause}\\)`),
    );
    t.match(client.stats(), { certificateFailures: 1, dotConnections: 0 });
  }
  t.equal(good.count() + selfSigned.count(), 0, 'no query reached either server');
  t.ok(await eventually(() => good.handshakeFailures + selfSigned.handshakeFailures === 3), 'three handshakes failed');
  const named = clientFor(t, [tls('127.0.0.1', good.address.port, 'dns.he.test')]);
  t.equal((await named.query('www.example.test', 'A')).records.length, 2, 'the right name (SNI and check) passes');
});

t.test('a refused certificate decides the error over other servers failures', async (t) => {
  const selfSigned = await dotServer(t, { credentials: SELF_SIGNED });
  const closed = await closedPort();
  const client = clientFor(t, [`${closed.address}:${closed.port}`, selfSigned.entry, `${closed.address}:${closed.port}`]);
  await t.rejects(client.query('www.example.test', 'A'), { code: 'ECERT', server: selfSigned.entry });
});

t.test('never plaintext: a DoT entry pointing at a plain DNS server sends it no query', async (t) => {
  const plain = await FakeDnsServer.start({ zones: fixtureZones() });
  t.teardown(() => plain.close());
  const client = clientFor(t, [tls('127.0.0.1', plain.address.port)], { timeout: 500, attempts: 2 });
  const err = (await client.query('www.example.test', 'A').catch((e: unknown) => e)) as DnsError;
  t.match(err, { code: 'ETIMEOUT', server: tls('127.0.0.1', plain.address.port) }, 'the plain server never completes a TLS handshake');
  t.equal(plain.count(), 0, 'neither over TCP nor over UDP');
});

t.test('connect failures back off: fail fast, then one connect after the delay, the delay doubling', async (t) => {
  let connects = 0;
  const slam = net.createServer((socket) => {
    connects++;
    socket.destroy(); // accepts, then hangs up during the handshake
  });
  await new Promise<void>((resolve) => slam.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => slam.close(() => resolve())));
  const entry = tls('127.0.0.1', (slam.address() as net.AddressInfo).port);
  // The clock drives the backoff: no sleeping, no race with a busy machine.
  const clock = new ManualClock();
  const client = clientFor(t, [entry], { clock, encrypted: { reconnectDelay: 200, maxReconnectDelay: 400 } });
  const ask = async (): Promise<DnsError> => (await client.query('www.example.test', 'A').catch((e: unknown) => e)) as DnsError;
  const first = await ask();
  t.match(first, { code: 'ECONNREFUSED', server: entry });
  t.equal(connects, 1);
  const second = await ask();
  t.equal(second.cause, first.cause, 'failed at once, with the failure that started the backoff');
  clock.advance(199);
  await ask();
  t.equal(connects, 1, 'no connect before the delay');
  clock.advance(1);
  t.match(await ask(), { code: 'ECONNREFUSED' });
  t.equal(connects, 2, 'one connect after the delay');
  clock.advance(399);
  await ask();
  t.equal(connects, 2, 'the delay doubled (400 ms)');
  clock.advance(1);
  await ask();
  t.equal(connects, 3);
  clock.advance(400);
  await ask();
  t.equal(connects, 4, 'capped at maxReconnectDelay');
  t.match(client.stats(), { dotQueries: 4, queriesSent: 7, dotConnections: 0, certificateFailures: 0 });
});

t.test('a closed port: ECONNREFUSED at once', async (t) => {
  const closed = await closedPort();
  const client = clientFor(t, [tls(closed.address, closed.port)]);
  const started = performance.now();
  await t.rejects(client.query('www.example.test', 'A'), { code: 'ECONNREFUSED', cause: { code: 'ECONNREFUSED' } });
  t.ok(performance.now() - started < 2000, 'not after the 3 s timeout');
});

t.test('a handshake that never completes: ETIMEOUT at the try deadline; the connect is given up and backs off', async (t) => {
  const hole = await startBlackHole({ host: '::1' });
  t.teardown(() => hole.close());
  const entry = tls('::1', hole.port);
  const clock = new ManualClock();
  const client = clientFor(t, [entry], { clock, timeout: 300 });
  const first = client.query('www.example.test', 'A');
  clock.advance(300);
  await t.rejects(first, { code: 'ETIMEOUT', server: entry, cause: undefined });
  await t.rejects(
    client.query('www.example.test', 'A'),
    { code: 'ETIMEOUT', cause: { message: /no TLS handshake/ } },
    'the next query fails at once while the server backs off',
  );
  t.same(clock.pending, [], 'no timer left behind');
});

t.test('a query cancelled while connecting gives the connect up without blaming the server', async (t) => {
  const hole = await startBlackHole({ host: '::1' });
  t.teardown(() => hole.close());
  const clock = new ManualClock();
  const client = clientFor(t, [tls('::1', hole.port)], { clock, timeout: 300 });
  const controller = new AbortController();
  const cancelled = client.query('www.example.test', 'A', { signal: controller.signal });
  controller.abort();
  await t.rejects(cancelled, { name: 'AbortError' });
  const next = client.query('www.example.test', 'A');
  clock.advance(300);
  await t.rejects(next, { code: 'ETIMEOUT', cause: undefined }, 'not blocked: it tried to connect and timed out on its own');
});

t.test('tries cancelled while waiting for a pipelining slot leave the queue, never written; the next one goes on', async (t) => {
  const dot = await dotServer(t);
  dot.setBehaviour('www.example.test', 'A', { drop: 'all' });
  const client = clientFor(t, [dot.entry], { timeout: 400, encrypted: { maxInFlight: 1 } });
  const inFlight = client.query('www.example.test', 'A');
  const controllers = [new AbortController(), new AbortController(), new AbortController()];
  const cancelled = controllers.map((c, i) => client.query(`w${i}.wild.example.test`, 'A', { signal: c.signal }).catch((e: unknown) => e));
  await eventually(() => dot.count() === 1);
  controllers[2]!.abort(); // the newest waiting one
  await new Promise((resolve) => setTimeout(resolve, 100));
  // Asked 100 ms after the first, so its deadline is later: it gets the slot when the first times out.
  const later = client.query('v4only.example.test', 'A');
  controllers[0]!.abort();
  controllers[1]!.abort(); // ahead of `later` in the queue: skipped
  for (const w of cancelled) t.match(await w, { name: 'AbortError' });
  await t.rejects(inFlight, { code: 'ETIMEOUT' });
  t.same((await later).records, [{ address: '192.0.2.4', ttl: 300 }]);
  t.same(
    dot.responder.seen.map((q) => q.name),
    ['www.example.test', 'v4only.example.test'],
    'the cancelled ones were never written',
  );
  t.equal(dot.connections, 1);
});

t.test('waiting tries, one cancelled, when the connect fails: the others get the failure', async (t) => {
  const selfSigned = await dotServer(t, { credentials: SELF_SIGNED });
  const client = clientFor(t, [selfSigned.entry]);
  const controller = new AbortController();
  const cancelled = client.query('www.example.test', 'A', { signal: controller.signal });
  const waiting = client.query('www.example.test', 'AAAA');
  controller.abort();
  await t.rejects(cancelled, { name: 'AbortError' });
  await t.rejects(waiting, { code: 'ECERT' });
  t.match(client.stats(), { dotQueries: 2, certificateFailures: 1 });
});
