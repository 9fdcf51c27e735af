/** The UDP and TCP round trips and the UDP socket pool, driven directly. */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import t from 'tap';
import { systemClock } from '../../lib/clock.js';
import { CancelScope } from '../../lib/dns/cancel.js';
import { buildQuery, makeQuestion } from '../../lib/dns/query.js';
import { lengthPrefixed, tcpExchange } from '../../lib/dns/tcp.js';
import type { TransportOptions } from '../../lib/dns/transport.js';
import { IDLE_MS, UdpPool, type UdpLease, type UdpWaiter } from '../../lib/dns/udp-pool.js';
import { acceptReply, udpExchange, udpTry } from '../../lib/dns/udp.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

const srv = await FakeDnsServer.start({ zones: fixtureZones() });
t.teardown(() => srv.close());

function options(scope = new CancelScope()): TransportOptions & { ignored: number; timeouts: number } {
  const o = {
    clock: systemClock,
    deadline: systemClock.now() + 2000,
    scope,
    ignored: 0,
    timeouts: 0,
    onIgnored: () => void o.ignored++,
    onTimeout: () => void o.timeouts++,
  };
  return o;
}

/** TCP after a truncated reply is the caller's business; these round trips never need it. */
const noTcp = (): never => {
  throw new Error('no truncated reply expected');
};

const question = makeQuestion('www.example.test', 'A');

t.test('a round trip already cancelled rejects at once and sends nothing', async (t) => {
  const scope = new CancelScope();
  const reason = new Error('gone');
  scope.cancel(reason);
  scope.cancel(new Error('later reasons are ignored'));
  t.equal(scope.reason, reason);
  srv.resetCounts();
  const pool = new UdpPool(16, () => {});
  await t.rejects(udpExchange(pool, srv.address, question, options(scope), noTcp), reason);
  await t.rejects(tcpExchange(srv.address, buildQuery(question), options(scope)), reason);
  t.equal(srv.count(), 0);
});

t.test('a cancel scope has one listener at a time: a second is a bug, not a silent leak', async (t) => {
  const scope = new CancelScope();
  const heard: string[] = [];
  const first = { cancelled: () => void heard.push('first') };
  const second = { cancelled: () => void heard.push('second') };
  scope.on(first);
  t.throws(() => scope.on(second), /already listening/);
  scope.off(second); // not the listener: nothing changes
  scope.off(first);
  scope.on(second);
  scope.cancel(new Error('stop'));
  t.same(heard, ['second']);
});

t.test('UDP: a reply is accepted, the socket closes when its last query ends', async (t) => {
  const pool = new UdpPool(16, () => {});
  const result = await udpExchange(pool, srv.address, question, options(), noTcp);
  t.equal(result.kind, 'reply');
});

t.test('a query on a socket already connected is sent at once; a silent one is cancelled', async (t) => {
  srv.setBehaviour('silent.example.test', 'A', { drop: 'all' });
  srv.setRecords('silent.example.test', 'A', ['192.0.2.5']);
  srv.resetCounts();
  const pool = new UdpPool(16, () => {});
  const scope = new CancelScope();
  const silent = udpExchange(pool, srv.address, makeQuestion('silent.example.test', 'A'), options(scope), noTcp);
  await new Promise((resolve) => setTimeout(resolve, 20)); // the socket is connected by now
  const answered = await udpExchange(pool, srv.address, question, options(), noTcp);
  t.equal(answered.kind, 'reply', 'second query shared the socket');
  t.equal(new Set(srv.queries().map((q) => q.port)).size, 1, 'one source port for both');
  scope.cancel(new Error('enough'));
  await t.rejects(silent, { message: 'enough' });
});

t.test('a socket that cannot connect fails its queries with its error at once, and closes', async (t) => {
  const before = await settledUdpSockets();
  // An IPv6 address on an IPv4 socket: connect() fails in the kernel call; nothing is sent.
  const pool = new UdpPool(16, () => {});
  const server = { address: '::1', port: srv.address.port, family: 4 as const };
  const o = options();
  const started = performance.now();
  const result = await udpExchange(pool, server, question, o, noTcp);
  t.match(result, { kind: 'failure', code: 'ECONNREFUSED', cause: { code: 'EINVAL', syscall: 'connect' } });
  t.ok(performance.now() - started < 1000, 'not a timeout');
  t.equal(o.timeouts, 0);
  t.equal(await settledUdpSockets(), before, 'the socket is closed');
});

t.test('a round trip whose scope cannot take its listener leaves no lease behind (no socket, no timer)', async (t) => {
  const clock = new ManualClock();
  const pool = new UdpPool(16, () => {}, clock);
  const scope = new CancelScope();
  scope.on({ cancelled: () => {} }); // a round trip already listening: on() throws for the next one
  const o = { ...options(scope), clock, deadline: 100 };
  await t.rejects(udpExchange(pool, srv.address, question, o, noTcp), { message: /already listening/ });
  t.same(clock.pending, [], 'no deadline timer armed for it');
  clock.advance(1000);
  t.equal(o.timeouts, 0, 'nothing times out later');
});

/** UDP sockets of this process once closing ones are gone (a handle goes a loop turn after close()). */
async function settledUdpSockets(): Promise<number> {
  const count = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'UDPWrap').length;
  let last = count();
  for (let i = 0; i < 40; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const now = count();
    if (now === last) return now;
    last = now;
  }
  return last;
}

t.test('acceptReply: only from the server address and port (whatever the kernel would let through)', async (t) => {
  const sent = buildQuery(question, 0x7777);
  const reply = Buffer.from(sent.packet);
  reply[2]! |= 0x80;
  const server = { address: 'fe80::1%eth0', port: 53, family: 6 as const };
  const from = (address: string, port: number) => ({ address, port, family: 'IPv6' as const, size: reply.length });
  t.equal(acceptReply(reply, from('fe80::1%2', 53), server, sent)?.kind, 'reply', 'zone id by number or name');
  t.equal(acceptReply(reply, from('fe80::1', 53), server, sent)?.kind, 'reply');
  t.equal(acceptReply(reply, from('fe80::2', 53), server, sent), undefined, 'other address');
  t.equal(acceptReply(reply, from('fe80::1', 54), server, sent), undefined, 'other port');
  // An IPv4-mapped server is kept in canonical form (::ffff:7f00:35); the kernel reports dotted.
  const mapped = { address: '::ffff:7f00:35', port: 53, family: 6 as const };
  t.equal(acceptReply(reply, from('::ffff:127.0.0.53', 53), mapped, sent)?.kind, 'reply', 'IPv4-mapped, dotted form');
  t.equal(acceptReply(reply, from('::ffff:127.0.0.54', 53), mapped, sent), undefined, 'another mapped address');
  const v4 = { address: '127.0.0.53', port: 53, family: 4 as const };
  t.equal(acceptReply(reply, { ...from('127.0.0.54', 53), family: 'IPv4' }, v4, sent), undefined, 'another IPv4 address');
});

t.test('the pool never gives two waiting queries on one socket the same ID', async (t) => {
  const draws = [5, 5, 5, 9, 5, 11];
  const pool = new UdpPool(
    16,
    () => {},
    systemClock,
    () => draws.shift()!,
  );
  const waiter = { deadline: Number.POSITIVE_INFINITY, onMessage: () => {}, onError: () => {}, onTimeout: () => {} };
  const a = pool.lease(srv.address, waiter);
  const b = pool.lease(srv.address, waiter);
  t.same([a.id, b.id], [5, 9]);
  a.release();
  const c = pool.lease(srv.address, waiter);
  t.equal(c.id, 5, 'a released ID may be used again');
  b.release();
  c.release();
});

t.test('a socket keeps one timer, moved to the earliest deadline; each query times out at its own', async (t) => {
  const clock = new ManualClock();
  const pool = new UdpPool(16, () => {}, clock);
  const timedOut: string[] = [];
  const leases = new Map<string, UdpLease>();
  const waiter = (name: string, deadline: number): UdpWaiter => ({
    deadline,
    onMessage: () => {},
    onError: () => {},
    onTimeout: () => {
      timedOut.push(name);
      leases.get(name)!.release();
    },
  });
  leases.set('late', pool.lease(srv.address, waiter('late', 5000)));
  t.same(clock.pending, [5000]);
  leases.set('early', pool.lease(srv.address, waiter('early', 2000)));
  t.same(clock.pending, [2000], 'moved to the earlier deadline');
  clock.advance(1999);
  t.same(timedOut, []);
  clock.advance(1);
  t.same(timedOut, ['early']);
  t.same(clock.pending, [3000], 'then on to the next');
  clock.advance(3000);
  t.same(timedOut, ['early', 'late']);
  t.same(clock.pending, [IDLE_MS], 'deadline timer gone; the idle socket waits to close');
  clock.advance(IDLE_MS);
  t.same(clock.pending, [], 'closed after its idle time, timer and all');
});

t.test('a socket whose bind fails inside connect() (EMFILE, EAFNOSUPPORT) fails its query at once, and the next query gets a new socket', async (t) => {
  // Node emits bind errors synchronously inside connect() when the lookup answers at once:
  // stand in for a full descriptor table with exactly that, once.
  const realConnect = dgram.Socket.prototype.connect;
  const emfile = Object.assign(new Error('bind EMFILE'), { code: 'EMFILE', syscall: 'bind' });
  t.teardown(() => void (dgram.Socket.prototype.connect = realConnect));
  dgram.Socket.prototype.connect = function (this: dgram.Socket) {
    dgram.Socket.prototype.connect = realConnect;
    this.emit('error', emfile);
  } as typeof realConnect;
  const pool = new UdpPool(16, () => {});
  const o = options();
  const started = performance.now();
  const failed = await udpExchange(pool, srv.address, question, o, noTcp);
  t.match(failed, { kind: 'failure', code: 'ECONNREFUSED', cause: { code: 'EMFILE' } });
  t.ok(performance.now() - started < 1000, 'not a timeout');
  t.equal(o.timeouts, 0);
  const answered = await udpExchange(pool, srv.address, question, options(), noTcp);
  t.equal(answered.kind, 'reply', 'the failed socket is not reused');
  pool.close();
});

t.test('a try cancelled in the tick its socket failed has one outcome: the cancel, not the failure after it', async (t) => {
  const realConnect = dgram.Socket.prototype.connect;
  const unsupported = Object.assign(new Error('bind EAFNOSUPPORT'), { code: 'EAFNOSUPPORT', syscall: 'bind' });
  t.teardown(() => void (dgram.Socket.prototype.connect = realConnect));
  dgram.Socket.prototype.connect = function (this: dgram.Socket) {
    dgram.Socket.prototype.connect = realConnect;
    this.emit('error', unsupported);
  } as typeof realConnect;
  const pool = new UdpPool(16, () => {});
  const scope = new CancelScope();
  const outcomes: string[] = [];
  udpTry(pool, srv.address, question, options(scope), noTcp, {
    onReply: (r) => void outcomes.push(r.kind),
    onCancel: (err) => void outcomes.push(`cancel ${(err as Error).message}`),
  });
  scope.cancel(new Error('aborted'));
  await new Promise((resolve) => setImmediate(resolve)); // the pool's queued failure has run
  t.same(outcomes, ['cancel aborted']);
  pool.close();
});

t.test('a socket reporting two errors (a send callback and the receive side, say) fails its queries once and retries on a new socket', async (t) => {
  const realConnect = dgram.Socket.prototype.connect;
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  t.teardown(() => void (dgram.Socket.prototype.connect = realConnect));
  dgram.Socket.prototype.connect = function (this: dgram.Socket) {
    dgram.Socket.prototype.connect = realConnect;
    this.emit('error', refused);
    this.emit('error', refused);
  } as typeof realConnect;
  const pool = new UdpPool(16, () => {});
  const outcomes: string[] = [];
  const first = udpExchange(pool, srv.address, question, options(), noTcp).then((r) => void outcomes.push(r.kind));
  await first;
  t.same(outcomes, ['failure'], 'one outcome for the query, not two');
  t.equal((await udpExchange(pool, srv.address, question, options(), noTcp)).kind, 'reply', 'the failed socket is not reused');
  pool.close();
});

t.test('an idle socket is reused by the next query, closes after IDLE_MS, and never holds the process open', async (t) => {
  srv.resetCounts();
  const clock = new ManualClock();
  const pool = new UdpPool(16, () => {}, clock);
  const udpActive = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'UDPWrap').length;
  const before = udpActive();
  t.equal((await udpExchange(pool, srv.address, question, options(), noTcp)).kind, 'reply');
  t.equal((await udpExchange(pool, srv.address, question, options(), noTcp)).kind, 'reply');
  t.equal(new Set(srv.queries().map((q) => q.port)).size, 1, 'the second query, made after the first ended, used the same port');
  t.equal(udpActive(), before, "the idle socket is unref'd");
  t.same(clock.pending, [IDLE_MS]);
  clock.advance(IDLE_MS);
  t.same(clock.pending, []);
  t.equal((await udpExchange(pool, srv.address, question, options(), noTcp)).kind, 'reply');
  t.equal(new Set(srv.queries().map((q) => q.port)).size, 2, 'after its idle time a new socket (a new port)');
  pool.close();
  t.same(clock.pending, [], 'close() closes idle sockets with their timers');
});

t.test('a socket that has carried maxQueries closes when its last query ends; close() leaves busy sockets alone', async (t) => {
  srv.resetCounts();
  const clock = new ManualClock();
  const pool = new UdpPool(2, () => {}, clock);
  for (let i = 0; i < 2; i++) t.equal((await udpExchange(pool, srv.address, question, options(), noTcp)).kind, 'reply');
  t.same(clock.pending, [], 'retired: closed at once, no idle timer');
  const waiter: UdpWaiter = { deadline: 1000, onMessage: () => {}, onError: () => {}, onTimeout: () => {} };
  const lease = pool.lease(srv.address, waiter);
  pool.close();
  t.same(clock.pending, [1000], 'a socket with a query waiting is not closed by close()');
  lease.release();
  t.same(clock.pending, [IDLE_MS]);
  pool.close();
  t.same(clock.pending, []);
});

t.test('TCP: frames after the accepted reply in the same chunk are not looked at', async (t) => {
  const sent = buildQuery(question, 0x4242);
  const real = dnsPacket.encode({
    type: 'response',
    id: 0x4242,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name: 'www.example.test', type: 'A' }],
    answers: [{ name: 'www.example.test', type: 'A', class: 'IN', ttl: 9, data: '192.0.2.99' }],
  });
  const server = net.createServer((socket) => {
    socket.once('data', () => socket.end(Buffer.concat([lengthPrefixed(real), lengthPrefixed(Buffer.from('trailing junk'))])));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const o = options();
  const result = await tcpExchange({ address: '127.0.0.1', port, family: 4 }, sent, o);
  t.equal(result.kind, 'reply');
  t.equal(o.ignored, 0, 'the trailing frame was not even counted');
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
