import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import t, { type Test } from 'tap';
import { createConnection } from '../../lib/adapters/create-connection.js';
import { HappyEyeballsSocket } from '../../lib/adapters/happy-eyeballs-socket.js';
import { AbortError, DnsError, InvalidArgumentError, TimeoutError } from '../../lib/errors.js';
import { socketAttemptFactory, type AttemptFactory } from '../../lib/racer/attempt.js';
import type { RaceEvent } from '../../lib/racer/timeline.js';
import { blackHoleBesideServer, listen, startBlackHole } from '../helpers/black-hole.js';
import { ca } from '../helpers/http-servers.js';
import { backToBaseline, closeServer, settledResources } from '../helpers/race-loopback.js';
import { MemoryResolver } from '../helpers/race-resolver.js';

const resolver = new MemoryResolver({
  'v4.example.test': { A: { addresses: ['127.0.0.1'] } },
  'dual.example.test': { AAAA: { addresses: ['::1'] }, A: { addresses: ['127.0.0.1'] } },
});

/** A TCP server on 127.0.0.1 (or `host`) that runs `onSocket` for each connection; closed with `t`. */
async function server(t: Test, onSocket: (socket: net.Socket) => void, host = '127.0.0.1'): Promise<number> {
  const held: net.Socket[] = [];
  const srv = net.createServer((socket) => {
    held.push(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  await listen(srv, host, 0);
  t.teardown(() => closeServer(srv, held));
  return (srv.address() as net.AddressInfo).port;
}

const echo = (socket: net.Socket): void => void socket.pipe(socket);

/** Everything `socket` sends until it ends. */
async function readAll(socket: net.Socket): Promise<string> {
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  return text;
}

/** The names of `events` in the order `socket` emits them. */
function record(socket: net.Socket, events: string[]): string[] {
  const seen: string[] = [];
  for (const event of events) socket.on(event, () => seen.push(event));
  return seen;
}

t.test('createConnection returns a net.Socket at once; writes made before the win are sent; connect, then ready', async (t) => {
  const port = await server(t, echo);
  const socket = createConnection({ host: 'v4.example.test', port, resolver });
  t.teardown(() => socket.destroy());
  t.type(socket, net.Socket);
  t.notOk(socket instanceof tls.TLSSocket);
  t.equal(socket.connecting, true);
  t.equal(socket.pending, true);
  t.equal(socket.readyState, 'opening');
  t.equal(socket.remoteAddress, undefined, 'no address before the win');
  const seen = record(socket, ['connect', 'ready', 'error']);
  socket.write('early ');
  socket.write('writes');
  await once(socket, 'ready');
  t.same(seen, ['connect', 'ready']);
  t.equal(socket.connecting, false);
  t.equal(socket.remoteAddress, '127.0.0.1');
  t.equal(socket.remoteFamily, 'IPv4');
  t.equal(socket.remotePort, port);
  t.equal(socket.localAddress, '127.0.0.1');
  t.same((socket as { autoSelectFamilyAttemptedAddresses?: string[] }).autoSelectFamilyAttemptedAddresses, [`127.0.0.1:${port}`]);
  socket.end();
  t.equal(await readAll(socket), 'early writes', 'echoed in order');
});

t.test('R15: IPv6 black-holed, the returned socket carries the IPv4 winner; the attempts are listed', async (t) => {
  const { hole, server: srv, port } = await blackHoleBesideServer((p) => listen(net.createServer(echo), '127.0.0.1', p));
  t.teardown(async () => {
    await closeServer(srv);
    await hole.close();
  });
  const socket = createConnection({ host: 'dual.example.test', port, resolver });
  t.teardown(() => socket.destroy());
  await once(socket, 'connect');
  t.equal(socket.remoteAddress, '127.0.0.1');
  t.same((socket as { autoSelectFamilyAttemptedAddresses?: string[] }).autoSelectFamilyAttemptedAddresses, [`::1:${port}`, `127.0.0.1:${port}`]);
  socket.end('over IPv4');
  t.equal(await readAll(socket), 'over IPv4');
});

t.test("the race's error is the socket's 'error', then 'close'; the callback gets it", async (t) => {
  let called: Error | null | undefined;
  const socket = createConnection({ host: 'missing.example.test', port: 80, resolver }, (err) => (called = err));
  const seen = record(socket, ['connect', 'error', 'close']);
  const closed = new Promise((resolve) => socket.once('close', resolve));
  const [err] = (await once(socket, 'error')) as [Error];
  await closed;
  t.type(err, DnsError);
  t.match(err, { code: 'ENOTFOUND', hostname: 'missing.example.test' });
  t.equal(called, err, 'the callback got the same error');
  t.same(seen, ['error', 'close']);
});

t.test('destroy() before the win cancels the race: close, no error, nothing left behind', async (t) => {
  const hole = await startBlackHole({ host: '127.0.0.1' });
  t.teardown(() => hole.close());
  const baseline = await settledResources();
  const events: RaceEvent[] = [];
  let called: Error | null | undefined;
  const socket = createConnection({ host: '127.0.0.1', port: hole.port, timeout: 5000, onEvent: (e) => events.push(e) }, (err) => (called = err));
  const seen = record(socket, ['connect', 'error', 'close']);
  socket.write('never sent');
  await sleep(50);
  t.ok(
    events.some((e) => e.type === 'attempt:start'),
    'an attempt was running',
  );
  socket.destroy();
  await once(socket, 'close');
  await sleep(20);
  t.same(seen, ['close'], "'close' and no 'error'");
  t.type(called, AbortError, 'the callback hears the socket went before it connected');
  t.match(events.at(-1), { type: 'race:end', outcome: 'cancelled' });
  t.ok(
    events.some((e) => e.type === 'attempt:abandoned'),
    'the attempt was torn down',
  );
  await backToBaseline(t, baseline, 'after destroy()');
});

t.test('setTimeout() before the win counts from the call and stays on the winner', async (t) => {
  const hole = await startBlackHole({ host: '127.0.0.1' });
  t.teardown(() => hole.close());
  const stuck = createConnection({ host: '127.0.0.1', port: hole.port });
  t.teardown(() => stuck.destroy());
  const started = performance.now();
  stuck.setTimeout(150);
  await once(stuck, 'timeout');
  t.ok(performance.now() - started >= 145, "'timeout' after the time asked, while the race runs");
  t.equal(stuck.connecting, true);

  const port = await server(t, () => {});
  const idle = createConnection({ host: 'v4.example.test', port, resolver });
  t.teardown(() => idle.destroy());
  idle.setTimeout(200);
  await once(idle, 'connect');
  const connected = performance.now();
  await once(idle, 'timeout');
  t.equal(idle.timeout, 200);
  t.ok(performance.now() - connected >= 195, 'the connect counted as activity, then the idle time ran');
});

t.test("setNoDelay() and setKeepAlive() before the win reach the winner's handle; after it, as net.Socket", async (t) => {
  const port = await server(t, () => {});
  const probe = net.connect({ host: '127.0.0.1', port });
  await once(probe, 'connect');
  const tcp = Object.getPrototypeOf((probe as unknown as { _handle: object })._handle) as Record<string, (...a: unknown[]) => unknown>;
  probe.destroy();
  const calls: Array<[string, unknown, unknown[]]> = [];
  for (const name of ['setNoDelay', 'setKeepAlive']) {
    const original = tcp[name]!;
    tcp[name] = function spy(this: unknown, ...args: unknown[]) {
      calls.push([name, this, args]);
      return original.apply(this, args);
    };
    t.teardown(() => void (tcp[name] = original));
  }
  const socket = createConnection({ host: 'v4.example.test', port, resolver });
  t.teardown(() => socket.destroy());
  t.equal(socket.setNoDelay(true), socket, 'chainable');
  t.equal(socket.setKeepAlive(true, 5000), socket);
  t.same(calls, [], 'nothing to set yet');
  await once(socket, 'connect');
  const handle = (socket as unknown as { _handle: object })._handle;
  t.same(
    calls,
    [
      ['setNoDelay', handle, [true]],
      ['setKeepAlive', handle, [true, 5]],
    ],
    'set on the connection the socket carries',
  );
  socket.setNoDelay(false);
  t.same(calls.at(-1), ['setNoDelay', handle, [false]], 'and later calls go straight to it');
});

/** Active resources beyond `baseline` (a multiset difference). */
function beyond(baseline: string[]): string[] {
  const left = [...baseline];
  return process
    .getActiveResourcesInfo()
    .filter((r) => {
      const at = left.indexOf(r);
      if (at < 0) return true;
      left.splice(at, 1);
      return false;
    })
    .sort();
}

t.test(
  'unref() before the win: attempts and timers, also those started later, hold the process no more than a net.Socket does; ref() holds it again',
  async (t) => {
    const first = await startBlackHole({ host: '127.0.0.1' });
    t.teardown(() => first.close());
    const second = await startBlackHole({ host: '127.0.0.2', port: first.port });
    t.teardown(() => second.close());
    const holes = new MemoryResolver({ 'holes.example.test': { A: { addresses: ['127.0.0.1', '127.0.0.2'] } } });
    const baseline = await settledResources();
    // Node's own socket: unref() leaves the connect request, which libuv cannot unref.
    const theirs = net.connect({ host: '127.0.0.1', port: first.port }).on('error', () => {});
    t.teardown(() => theirs.destroy());
    theirs.unref();
    await sleep(20);
    t.same(beyond(baseline), ['ConnectWrap'], 'net.Socket: the connect request alone holds the process');
    theirs.destroy();
    await sleep(20);

    const events: RaceEvent[] = [];
    const socket = createConnection({
      host: 'holes.example.test',
      port: first.port,
      resolver: holes,
      timeout: 5000,
      connectionAttemptDelay: 1000,
      onEvent: (e) => events.push(e),
    });
    t.teardown(() => socket.destroy());
    await sleep(20);
    t.same(beyond(baseline), ['ConnectWrap', 'TCPSocketWrap', 'Timeout', 'Timeout'], 'racing: the attempt, its connect, the attempt timer and the deadline');
    t.equal(socket.unref(), socket, 'chainable');
    t.same(beyond(baseline), ['ConnectWrap'], 'unref(): as with net.Socket, only the connect request');
    while (events.filter((e) => e.type === 'attempt:start').length < 2) await sleep(20);
    await sleep(20);
    t.same(beyond(baseline), ['ConnectWrap', 'ConnectWrap'], 'a second attempt started after unref(): it and its timer hold nothing more');
    t.equal(socket.ref(), socket);
    t.same(beyond(baseline), ['ConnectWrap', 'ConnectWrap', 'TCPSocketWrap', 'TCPSocketWrap', 'Timeout', 'Timeout'], 'ref(): held again');
  },
);

t.test('unref() before the win applies to the winner: the process exits once connected; without it the connection holds it', async (t) => {
  const port = await server(t, () => {});
  const module = new URL('../../lib/adapters/create-connection.js', import.meta.url).href;
  const run = (unref: boolean) => {
    const script = `import { createConnection } from ${JSON.stringify(module)};
      const s = createConnection({ host: '127.0.0.1', port: ${port}, timeout: 4000 });
      s.on('connect', () => console.log('connected'));
      ${unref ? 's.unref();' : ''}`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += String(d)));
    const exited = once(child, 'exit').then(([code]) => code as number | null);
    return { child, exited, out: () => out };
  };
  const free = run(true);
  const held = run(false);
  t.teardown(() => held.child.kill());
  t.equal(await free.exited, 0, 'exited on its own');
  t.equal(free.out(), 'connected\n', 'after it connected');
  await sleep(1500);
  t.equal(held.child.exitCode, null, 'a ref()ed connection keeps its process');
  t.equal(held.out(), 'connected\n');
});

t.test('end() before the win: the data, then the end, reach the peer after the win', async (t) => {
  const received: Promise<string>[] = [];
  const port = await server(t, (s) => received.push(readAll(s).then((text) => (s.end(), text))));
  const socket = createConnection({ host: 'v4.example.test', port, resolver });
  socket.write('all of ');
  socket.end('it');
  t.equal(socket.writableEnded, true);
  await once(socket, 'connect');
  await once(socket, 'close');
  t.equal(await received[0], 'all of it');
});

t.test('data and the end the winner read before it was handed over are not lost', async (t) => {
  const port = await server(t, (s) => s.end('hello from the server'));
  const base = socketAttemptFactory({});
  // Success is reported only once the attempt's socket holds the whole reply and its end.
  const late: AttemptFactory<net.Socket> = (target, callbacks) => {
    const attempt = base(target, { ...callbacks, succeeded: () => whenEnded() });
    const held = attempt.socket as unknown as { readableLength: number; _readableState: { ended: boolean } };
    const whenEnded = (): void => {
      if (!held._readableState.ended) return void setTimeout(whenEnded, 5);
      t.ok(held.readableLength > 0, 'the reply waits in the winner');
      callbacks.succeeded();
    };
    return attempt;
  };
  const socket = createConnection({ host: '127.0.0.1', port, connectAttempt: late });
  t.teardown(() => socket.destroy());
  t.equal(await readAll(socket), 'hello from the server');
});

t.test('tls.connect({ socket }) over the returned socket, before and after it connects', async (t) => {
  const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/tls/${name}`, import.meta.url));
  const credentials = { key: fixture('server-key.pem'), cert: fixture('server.pem') };
  const held: net.Socket[] = [];
  const srv = tls.createServer(credentials, (s) => {
    held.push(s);
    s.pipe(s);
  });
  await listen(srv, '127.0.0.1', 0);
  t.teardown(() => closeServer(srv, held));
  const { port } = srv.address() as net.AddressInfo;
  for (const when of ['before', 'after']) {
    const plain = createConnection({ host: 'v4.example.test', port, resolver });
    t.teardown(() => plain.destroy());
    if (when === 'after') await once(plain, 'connect');
    const secure = tls.connect({ socket: plain, ca, servername: 'v4.example.test' });
    await once(secure, 'secureConnect');
    t.equal(secure.authorized, true, `${when} it connects`);
    secure.end(`TLS ${when}`);
    t.equal(await readAll(secure), `TLS ${when}`);
  }
});

t.test('signal: aborted before the win, the race ends with an AbortError; after it, the socket is destroyed', async (t) => {
  const hole = await startBlackHole({ host: '127.0.0.1' });
  t.teardown(() => hole.close());
  const early = new AbortController();
  const stuck = createConnection({ host: '127.0.0.1', port: hole.port, signal: early.signal });
  setTimeout(() => early.abort(), 30);
  const [before] = (await once(stuck, 'error')) as [Error];
  t.type(before, AbortError);

  const port = await server(t, () => {});
  const late = new AbortController();
  const socket = createConnection({ host: 'v4.example.test', port, resolver, signal: late.signal });
  await once(socket, 'connect');
  late.abort('enough');
  const [after] = (await once(socket, 'error')) as [Error];
  t.type(after, AbortError);
  t.equal(socket.destroyed, true);
  const quiet = createConnection({ host: 'v4.example.test', port, resolver, signal: new AbortController().signal });
  await once(quiet, 'connect');
  quiet.destroy();
  await once(quiet, 'close');
});

t.test('`timeout` bounds the race (TimeoutError), then is the idle timeout; 0 or null means none', async (t) => {
  const hole = await startBlackHole({ host: '127.0.0.1' });
  t.teardown(() => hole.close());
  const slow = createConnection({ host: '127.0.0.1', port: hole.port, timeout: 200 });
  const [err] = (await once(slow, 'error')) as [Error];
  t.type(err, TimeoutError);
  const port = await server(t, () => {});
  for (const [timeout, expected] of [
    [3000, 3000],
    [0, undefined],
    [null, undefined],
  ] as const) {
    const socket = createConnection({ host: 'v4.example.test', port, resolver, timeout });
    t.teardown(() => socket.destroy());
    await once(socket, 'connect');
    t.equal(socket.timeout, expected, `timeout ${timeout}`);
  }
});

t.test('bad options: thrown without a callback, given to the callback (and the socket) with one', async (t) => {
  t.throws(() => createConnection({ host: '127.0.0.1', port: 80, connectionAttemptDelay: 1 }), { option: 'connectionAttemptDelay' } as never);
  t.throws(() => createConnection(null as never), InvalidArgumentError);
  t.throws(() => createConnection({ host: '127.0.0.1', port: 80 }, 5 as never), { option: 'callback' } as never);
  const got = await new Promise<Error | null>((resolve) => createConnection({ host: '127.0.0.1', port: 'x' }, resolve));
  t.match(got, { option: 'port' });
});

t.test("HappyEyeballsSocket: an unconnected socket whose connect(port, host) races (pg's stream factory)", async (t) => {
  const port = await server(t, echo);
  const socket = new HappyEyeballsSocket({ resolver, connectionAttemptDelay: 100 });
  t.teardown(() => socket.destroy());
  t.equal(socket.connecting, false);
  socket.setNoDelay(true); // as pg does before connect()
  t.equal(socket.connect(port, 'v4.example.test'), socket);
  t.equal(socket.connecting, true);
  socket.write('pg');
  await once(socket, 'connect');
  socket.end();
  t.equal(await readAll(socket), 'pg');
  t.throws(() => socket.connect(port, 'v4.example.test'), { option: 'connect' } as never, 'one connect() per socket');
});

t.test("HappyEyeballsSocket: connect() takes net.Socket#connect's forms", async (t) => {
  const port = await server(t, (s) => s.end(String(s.remoteAddress)));
  const local = new MemoryResolver({ localhost: { A: { addresses: ['127.0.0.1'] } } });
  const forms: Array<[string, (s: HappyEyeballsSocket, listener: () => void) => unknown]> = [
    ['(options, listener)', (s, l) => s.connect({ host: 'v4.example.test', port, family: null, lookup: () => {}, hints: 0 } as never, l)],
    ['(port as a string, host, listener)', (s, l) => s.connect(String(port) as never, 'v4.example.test', l)],
    ['(port, listener): localhost', (s, l) => s.connect(port, l)],
    ['(options without host): localhost', (s, l) => (s.connect({ port }), s.once('connect', l))],
  ];
  for (const [name, call] of forms) {
    const socket = new HappyEyeballsSocket({ resolver: name.includes('localhost') ? local : resolver, family: 4 });
    t.teardown(() => socket.destroy());
    let listened = false;
    call(socket, () => (listened = true));
    t.equal(await readAll(socket), '127.0.0.1', name);
    t.ok(listened, `${name}: the listener ran on 'connect'`);
  }
  t.throws(() => new HappyEyeballsSocket({ connectionAttemptDelay: 1 }), { option: 'connectionAttemptDelay' } as never, 'options checked when built');
  t.throws(() => new HappyEyeballsSocket().connect({ host: 'v4.example.test', port: -1 }), { option: 'port' } as never);
});

t.test('HappyEyeballsSocket: connect(path) is a Unix socket, connected by Node; calls made before reach it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'he-i16-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 's.sock');
  const held: net.Socket[] = [];
  const srv = net.createServer((s) => (held.push(s), s.end('unix')));
  await new Promise<void>((resolve) => srv.listen(path, resolve));
  t.teardown(() => closeServer(srv, held));
  const socket = new HappyEyeballsSocket({ resolver });
  socket.setKeepAlive(true);
  socket.unref();
  socket.ref();
  socket.connect(path);
  t.equal(await readAll(socket), 'unix');
  const viaOptions = new HappyEyeballsSocket();
  viaOptions.connect({ path }, () => viaOptions.setNoDelay(true));
  t.equal(await readAll(viaOptions), 'unix');
});

t.test("after the win, ref/unref/setKeepAlive are net.Socket's own", async (t) => {
  const port = await server(t, (s) => s.end('done'));
  const socket = createConnection({ host: 'v4.example.test', port, resolver });
  await once(socket, 'connect');
  t.equal(socket.unref(), socket);
  t.equal(socket.ref(), socket);
  t.equal(socket.setKeepAlive(true, 1000), socket);
  t.equal(await readAll(socket), 'done');
});

t.test('a socket destroyed after the race was won but before the hand-over: the winner is closed, not adopted', async (t) => {
  const accepted: net.Socket[] = [];
  const port = await server(t, (s) => accepted.push(s));
  let socket!: net.Socket;
  // Race events come on a microtask: this one runs after the win and before the hand-over's tick.
  socket = createConnection({
    host: '127.0.0.1',
    port,
    onEvent: (e) => e.type === 'race:end' && socket.destroy(),
  });
  let connected = false;
  socket.on('connect', () => (connected = true));
  await once(socket, 'close');
  for (let i = 0; i < 100 && !accepted[0]?.destroyed; i++) await sleep(10);
  t.equal(connected, false);
  t.equal(accepted.length, 1, 'the attempt had connected');
  t.equal(accepted[0]!.destroyed, true, 'and was closed');
});
