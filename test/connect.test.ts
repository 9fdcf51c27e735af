import net from 'node:net';
import t from 'tap';
import { CancelError } from 'p-cancelable';
import { connect, type RaceEvent } from '../lib/connect.js';
import { AbortError, AllAttemptsFailedError, DnsError, TimeoutError } from '../lib/errors.js';
import { blackHoleBesideServer, listen, startBlackHole } from './helpers/black-hole.js';
import { simpleOrder } from './helpers/race-fakes.js';
import { backToBaseline, closedPort, closeServer, dualListen, settledResources } from './helpers/race-loopback.js';
import { MemoryResolver } from './helpers/race-resolver.js';

const never = { query: () => Promise.reject(new Error('IP literals must not be resolved')) };
const startOf = (events: RaceEvent[], address: string) => events.find((e) => e.type === 'attempt:start' && e.address === address);

t.test('the black hole drops SYNs: a connect to it neither succeeds nor fails', async (t) => {
  const hole = await startBlackHole(); // [::1] by default
  t.teardown(() => hole.close());
  const socket = net.connect({ host: '::1', port: hole.port, family: 6 });
  let outcome = 'pending';
  socket.on('connect', () => (outcome = 'connected'));
  socket.on('error', (e) => (outcome = String(e)));
  await new Promise((r) => setTimeout(r, 300));
  t.equal(outcome, 'pending');
  socket.destroy();
});

t.test('IP literals connect directly, without DNS; the socket lists the attempt as Node does', async (t) => {
  const held: net.Socket[] = [];
  const { v6, v4, port } = await dualListen(() => net.createServer((s) => held.push(s)));
  t.teardown(() => Promise.all([closeServer(v6, held), closeServer(v4)]));
  for (const [host, address] of [
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['[::1]', '::1'],
  ] as const) {
    const socket = await connect({ host, port: String(port), resolver: never });
    t.equal(socket.remoteAddress, address, host);
    t.same(socket.autoSelectFamilyAttemptedAddresses, [`${address}:${port}`]);
    socket.destroy();
  }
});

t.test('R3: both families healthy: IPv6 wins at once', async (t) => {
  const held: net.Socket[] = [];
  const { v6, v4, port } = await dualListen(() => net.createServer((s) => held.push(s)));
  t.teardown(() => Promise.all([closeServer(v6, held), closeServer(v4)]));
  const resolver = new MemoryResolver({ 'dual.test': { AAAA: { addresses: ['::1'] }, A: { addresses: ['127.0.0.1'] } } });
  const events: RaceEvent[] = [];
  const socket = await connect({ host: 'dual.test', port, resolver, order: simpleOrder, onEvent: (e) => events.push(e) });
  t.equal(socket.remoteAddress, '::1');
  t.same(socket.autoSelectFamilyAttemptedAddresses, [`::1:${port}`]);
  t.same(events.filter((e) => e.type === 'attempt:start').length, 1);
  socket.destroy();
  // The production order (RFC 6724 sort + interleave) is used when none is given.
  const again = await connect({ host: 'dual.test', port, resolver });
  t.ok(['::1', '127.0.0.1'].includes(again.remoteAddress ?? ''));
  again.destroy();
});

t.test('R11/R12/R15: IPv6 black hole beside healthy IPv4: IPv4 one delay later, the IPv6 attempt destroyed', async (t) => {
  const held: net.Socket[] = [];
  const { hole, server, port } = await blackHoleBesideServer((p) =>
    listen(
      net.createServer((s) => held.push(s)),
      '127.0.0.1',
      p,
    ),
  );
  t.teardown(async () => {
    await closeServer(server, held);
    await hole.close();
  });
  const resolver = new MemoryResolver({ 'dual.test': { AAAA: { addresses: ['::1'] }, A: { addresses: ['127.0.0.1'] } } });
  const events: RaceEvent[] = [];
  const baseline = await settledResources();
  const socket = await connect({ host: 'dual.test', port, resolver, order: simpleOrder, connectionAttemptDelay: 250, onEvent: (e) => events.push(e) });
  t.equal(socket.remoteAddress, '127.0.0.1');
  t.same(socket.autoSelectFamilyAttemptedAddresses, [`::1:${port}`, `127.0.0.1:${port}`]);
  const v6Start = startOf(events, '::1')?.ms ?? NaN;
  const v4Start = startOf(events, '127.0.0.1')?.ms ?? NaN;
  t.ok(v4Start - v6Start >= 248, `IPv4 started ${v4Start - v6Start} ms after IPv6 (delay 250)`);
  t.ok(v4Start - v6Start < 1500, 'and not much later');
  t.match(
    events.filter((e) => e.type === 'attempt:abandoned'),
    [{ address: '::1', reason: 'lost' }],
  );
  socket.destroy();
  await backToBaseline(t, baseline, 'after the win and close');
});

t.test('R4/R5: AAAA 3 s late, A at once: IPv4 after the Resolution Delay, not after AAAA', async (t) => {
  const held: net.Socket[] = [];
  const server = await listen(
    net.createServer((s) => held.push(s)),
    '127.0.0.1',
    0,
  );
  const { port } = server.address() as net.AddressInfo;
  t.teardown(() => closeServer(server, held));
  const resolver = new MemoryResolver({ 'slow6.test': { AAAA: { addresses: ['::1'], delay: 3000 }, A: { addresses: ['127.0.0.1'] } } });
  const events: RaceEvent[] = [];
  const baseline = await settledResources();
  const started = performance.now();
  const socket = await connect({ host: 'slow6.test', port, resolver, onEvent: (e) => events.push(e) });
  const took = performance.now() - started;
  t.equal(socket.remoteAddress, '127.0.0.1');
  t.ok((startOf(events, '127.0.0.1')?.ms ?? 0) >= 49, 'waited the Resolution Delay');
  t.ok(took < 2000, `connected in ${Math.round(took)} ms`);
  // A won race hands its socket over first and releases the queries still out on the next turn.
  t.same(
    resolver.calls.map((c) => [c.type, c.outcome]),
    [
      ['AAAA', 'pending'],
      ['A', 'answered'],
    ],
    'the caller has the socket before the AAAA wait is released',
  );
  await new Promise((resolve) => setImmediate(resolve));
  t.same(
    resolver.calls.map((c) => [c.type, c.outcome]),
    [
      ['AAAA', 'aborted'],
      ['A', 'answered'],
    ],
    'R16: the AAAA wait is released',
  );
  socket.destroy();
  await backToBaseline(t, baseline, 'after the win');
});

t.test('R17: every address refused: one attempt right after the other, then AllAttemptsFailedError', async (t) => {
  const port = await closedPort();
  const resolver = new MemoryResolver({ 'down.test': { AAAA: { addresses: ['::1'] }, A: { addresses: ['127.0.0.1', '127.0.0.2'] } } });
  const events: RaceEvent[] = [];
  const err = await connect({ host: 'down.test', port, resolver, order: simpleOrder, onEvent: (e) => events.push(e) }).catch((e: unknown) => e);
  t.type(err, AllAttemptsFailedError);
  t.match(err, { code: 'ERR_HE_ALL_ATTEMPTS_FAILED', hostname: 'down.test', port });
  t.match((err as AllAttemptsFailedError).errors, [
    { address: '::1', family: 6, port, code: 'ECONNREFUSED', phase: 'tcp' },
    { address: '127.0.0.1', family: 4, code: 'ECONNREFUSED' },
    { address: '127.0.0.2', family: 4, code: 'ECONNREFUSED' },
  ]);
  const failures = events.filter((e) => e.type === 'attempt:failure');
  const startsAfterFirst = events.filter((e) => e.type === 'attempt:start').slice(1);
  startsAfterFirst.forEach((s, i) => t.ok(s.ms - (failures[i]?.ms ?? -Infinity) < 5, `attempt ${i + 2} started at the failure before it`));
});

t.test('no address at all: the DNS error, with Node codes', async (t) => {
  const resolver = new MemoryResolver({});
  const err = await connect({ host: 'nowhere.test', port: 80, resolver }).catch((e: unknown) => e);
  t.type(err, DnsError);
  t.match(err, { code: 'ENOTFOUND', hostname: 'nowhere.test' });
});

t.test('family and localAddress pick one family, ask only for it and bind', async (t) => {
  const seen: string[] = [];
  const { v6, v4, port } = await dualListen(() =>
    net.createServer((s) => {
      seen.push(s.remoteAddress ?? '');
      s.destroy();
    }),
  );
  t.teardown(() => Promise.all([closeServer(v6), closeServer(v4)]));
  const zone = { 'dual.test': { AAAA: { addresses: ['::1'] }, A: { addresses: ['127.0.0.1'] } } };
  const r4 = new MemoryResolver(zone);
  const s4 = await connect({ host: 'dual.test', port, resolver: r4, family: 4 });
  t.equal(s4.remoteAddress, '127.0.0.1');
  t.same(
    r4.calls.map((c) => c.type),
    ['A'],
  );
  s4.destroy();
  const rl = new MemoryResolver(zone);
  const sl = await connect({ host: 'dual.test', port, resolver: rl, localAddress: '127.0.0.2' });
  t.equal(sl.localAddress, '127.0.0.2');
  t.same(
    rl.calls.map((c) => c.type),
    ['A'],
  );
  sl.destroy();
  const s6 = await connect({ host: 'dual.test', port, resolver: new MemoryResolver(zone), family: 6 });
  t.equal(s6.remoteAddress, '::1');
  s6.destroy();
});

t.test('ordinary socket options reach the socket', async (t) => {
  const held: net.Socket[] = [];
  const server = await listen(
    net.createServer((s) => held.push(s)),
    '127.0.0.1',
    0,
  );
  const { port } = server.address() as net.AddressInfo;
  t.teardown(() => closeServer(server, held));
  const half = await connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  t.equal(half.allowHalfOpen, true);
  half.destroy();
  const plain = await connect({ host: '127.0.0.1', port });
  t.equal(plain.allowHalfOpen, false);
  plain.destroy();
});

t.test('timeout: TimeoutError when only a black hole answers, nothing left behind', async (t) => {
  const hole = await startBlackHole({ host: '::1' });
  t.teardown(() => hole.close());
  const baseline = await settledResources();
  const started = performance.now();
  const err = await connect({ host: '::1', port: hole.port, timeout: 200 }).catch((e: unknown) => e);
  t.type(err, TimeoutError);
  t.match(err, { code: 'ERR_HE_TIMEOUT', timeout: 200 });
  t.ok(performance.now() - started >= 199);
  await backToBaseline(t, baseline, 'after the timeout');
});

for (const how of ['cancel', 'abort'] as const) {
  for (const phase of ['during DNS', 'mid-race'] as const) {
    t.test(`${how}() ${phase}: ${how === 'cancel' ? 'CancelError' : 'AbortError'}, nothing left behind`, async (t) => {
      const hole = await startBlackHole({ host: '::1' });
      t.teardown(() => hole.close());
      const aaaa = phase === 'during DNS' ? { addresses: ['::1'], delay: 5000 } : { addresses: ['::1'] };
      const a = phase === 'during DNS' ? { error: 'ENODATA' as const } : { addresses: ['127.0.0.1'], delay: 5000 };
      const resolver = new MemoryResolver({ 'hole.test': { AAAA: aaaa, A: a } });
      const controller = new AbortController();
      const baseline = await settledResources();
      let onStart: () => void = () => {};
      const started = new Promise<void>((resolve) => (onStart = resolve));
      const pending = connect({
        host: 'hole.test',
        port: hole.port,
        resolver,
        signal: controller.signal,
        onEvent: (e) => e.type === 'attempt:start' && onStart(),
      });
      if (phase === 'mid-race') await started;
      else await new Promise((r) => setTimeout(r, 20));
      if (how === 'cancel') pending.cancel();
      else controller.abort();
      const err = await pending.catch((e: unknown) => e);
      t.type(err, how === 'cancel' ? CancelError : AbortError);
      t.match(err, { code: how === 'cancel' ? 'ERR_HE_CANCELLED' : 'ABORT_ERR' }, 'a stable code');
      t.same(
        resolver.calls.map((c) => c.outcome),
        phase === 'during DNS' ? ['aborted', 'failed'] : ['answered', 'aborted'],
        'DNS waits released',
      );
      await backToBaseline(t, baseline, `after ${how}`);
    });
  }
}

t.test('an already aborted signal rejects at once, before any query', async (t) => {
  const resolver = new MemoryResolver({});
  const err = await connect({ host: 'x.test', port: 1, resolver, signal: AbortSignal.abort() }).catch((e: unknown) => e);
  t.type(err, AbortError);
  t.same(resolver.calls, []);
});

t.test('cancel() after the win leaves the socket open and usable', async (t) => {
  const held: net.Socket[] = [];
  const server = await listen(
    net.createServer((s) => held.push(s)),
    '127.0.0.1',
    0,
  );
  const { port } = server.address() as net.AddressInfo;
  t.teardown(() => closeServer(server, held));
  const pending = connect({ host: '127.0.0.1', port });
  const socket = await pending;
  pending.cancel();
  t.equal(socket.destroyed, false);
  t.equal(pending.isCanceled, false);
  socket.destroy();
});
