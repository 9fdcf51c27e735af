import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import t, { type Test } from 'tap';
import { connector, type Connector, type ConnectorOptions, type ConnectorRequest } from '../../lib/adapters/connector.js';
import { AbortError, AllAttemptsFailedError, TimeoutError } from '../../lib/errors.js';
import { type AttemptFactory, socketAttemptFactory } from '../../lib/racer/attempt.js';
import { listen } from '../helpers/black-hole.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { closeServer } from '../helpers/race-loopback.js';
import { MemoryResolver } from '../helpers/race-resolver.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/tls/${name}`, import.meta.url));
const ca = fixture('ca.pem');
const credentials = { key: fixture('server-key.pem'), cert: fixture('server.pem') };
const resolver = new MemoryResolver({
  'www.example.test': { AAAA: { addresses: ['::1'] }, A: { addresses: ['127.0.0.1'] } },
  'other.example.test': { A: { addresses: ['127.0.0.1'] } },
});

interface Connected {
  err: Error | null;
  socket: net.Socket | null;
}

/** Runs the connector once and checks it calls back exactly once. */
async function run(t: Test, connect: Connector, request: Partial<ConnectorRequest>): Promise<Connected> {
  const calls: Connected[] = [];
  connect({ hostname: 'www.example.test', protocol: 'http:', port: '', ...request }, (err, socket) => {
    calls.push({ err, socket });
    if (socket) t.teardown(() => socket.destroy());
  });
  for (let i = 0; i < 400 && calls.length === 0; i++) await sleep(10);
  await sleep(20);
  t.equal(calls.length, 1, 'called back exactly once');
  return calls[0]!;
}

/** A TLS server on 127.0.0.1 offering h2 and http/1.1, recording SNI and the protocol chosen. */
async function tlsServer(t: Test) {
  const held: net.Socket[] = [];
  const handshakes: Array<{ servername: string | false; alpn: string | false }> = [];
  const server = tls.createServer({ ...credentials, ALPNProtocols: ['h2', 'http/1.1'] }, (socket) => {
    handshakes.push({ servername: socket.servername ?? false, alpn: socket.alpnProtocol ?? false });
    held.push(socket);
    socket.write('hello'); // the TLS 1.3 session ticket goes out before it
  });
  server.on('tlsClientError', () => {});
  await listen(server, '127.0.0.1', 0);
  t.teardown(() => closeServer(server, held));
  return { port: String((server.address() as net.AddressInfo).port), handshakes };
}

/** Connects over TLS and waits for the session ticket, so the next connection can resume. */
async function tlsRun(t: Test, connect: Connector, request: Partial<ConnectorRequest>): Promise<tls.TLSSocket> {
  const { err, socket } = await run(t, connect, { protocol: 'https:', ...request });
  t.equal(err, null);
  const secure = socket as tls.TLSSocket;
  if (secure.getProtocol() === 'TLSv1.3') await once(secure, 'data');
  return secure;
}

const badOptions: Array<[string, ConnectorOptions]> = [
  ['allowH2', { allowH2: 'yes' as unknown as boolean }],
  ['maxCachedSessions', { maxCachedSessions: -1 }],
  ['maxCachedSessions', { maxCachedSessions: 1.5 }],
  ['keepAliveInitialDelay', { keepAliveInitialDelay: -5 }],
  ['timeout', { timeout: -1 }],
  ['timeout', { timeout: '10s' as unknown as number }],
  ['connectionAttemptDelay', { connectionAttemptDelay: 1 }],
  ['resolver', { resolver: 'dns' as never }],
  ['options', null as unknown as ConnectorOptions],
];

for (const [option, options] of badOptions) {
  t.test(`a bad ${option} throws when the connector is built`, async (t) => {
    t.throws(() => connector(options), { name: 'InvalidArgumentError', option } as never);
  });
}

t.test('default ports by protocol: 80 for http:, 443 for https:; a given port wins', async (t) => {
  for (const [protocol, port, expected] of [
    ['http:', '', 80],
    ['https:', '', 443],
    ['https:', '8443', 8443],
    ['http:', 8080, 8080],
  ] as const) {
    const ports: number[] = [];
    const refuse: AttemptFactory<net.Socket> = (target) => {
      ports.push(target.port);
      throw Object.assign(new Error('refused by the test'), { code: 'ECONNREFUSED' });
    };
    const { err } = await run(t, connector({ connectAttempt: refuse }), { hostname: '127.0.0.1', protocol, port });
    t.type(err, AllAttemptsFailedError);
    t.same(ports, [expected], `${protocol} '${port}'`);
  }
});

t.test("the connected socket gets TCP keep-alive and no-delay, as with undici's connector", async (t) => {
  const server = await tlsServer(t);
  const cases: Array<[ConnectorOptions, Array<[boolean, number]>]> = [
    [{}, [[true, 60000]]],
    [{ keepAliveInitialDelay: 1000 }, [[true, 1000]]],
    [{ keepAlive: null }, [[true, 60000]]],
    [{ keepAlive: false }, []],
  ];
  for (const [options, expected] of cases) {
    const keepAlive: Array<[boolean, number]> = [];
    const noDelay: boolean[] = [];
    const base = socketAttemptFactory({});
    const spy: AttemptFactory<net.Socket> = (target, callbacks) => {
      const attempt = base(target, callbacks);
      const socket = attempt.socket;
      const setKeepAlive = socket.setKeepAlive.bind(socket);
      const setNoDelay = socket.setNoDelay.bind(socket);
      socket.setKeepAlive = (enable?: boolean, delay?: number) => (keepAlive.push([enable!, delay!]), setKeepAlive(enable, delay));
      socket.setNoDelay = (value?: boolean) => (noDelay.push(value!), setNoDelay(value));
      return attempt;
    };
    const { socket } = await run(t, connector({ ...options, resolver, connectAttempt: spy }), { port: server.port, hostname: 'other.example.test' });
    t.equal(socket?.remoteAddress, '127.0.0.1');
    t.same(keepAlive, expected, JSON.stringify(options));
    t.same(noDelay, [true]);
  }
});

t.test('https: SNI from the host name, ALPN http/1.1, or h2 first with allowH2', async (t) => {
  const server = await tlsServer(t);
  const plain = await tlsRun(t, connector({ resolver, ca, family: 4 }), { port: server.port });
  t.equal(plain.authorized, true);
  t.equal(plain.alpnProtocol, 'http/1.1');
  const h2 = await tlsRun(t, connector({ resolver, ca, family: 4, allowH2: true }), { port: server.port });
  t.equal(h2.alpnProtocol, 'h2');
  const named = await tlsRun(t, connector({ resolver, ca, family: 4, servername: 'other.example.test' }), { port: server.port });
  t.equal(named.authorized, true);
  const given = await tlsRun(t, connector({ resolver, ca, family: 4 }), { port: server.port, servername: 'x.example.test' });
  t.equal(given.authorized, true);
  const literal = await tlsRun(t, connector({ ca }), { port: server.port, hostname: '127.0.0.1' });
  t.equal(literal.authorized, true, 'an IP literal: no SNI, the certificate checked against the IP');
  t.same(
    server.handshakes.map((h) => h.servername),
    ['www.example.test', 'www.example.test', 'other.example.test', 'x.example.test', false],
  );
});

t.test('TLS sessions are cached by server name: a second connection resumes', async (t) => {
  const server = await tlsServer(t);
  const connect = connector({ resolver, ca, family: 4 });
  t.equal((await tlsRun(t, connect, { port: server.port })).isSessionReused(), false, 'first: full handshake');
  t.equal((await tlsRun(t, connect, { port: server.port })).isSessionReused(), true, 'same name: resumed');
  t.equal((await tlsRun(t, connect, { port: server.port, hostname: 'other.example.test' })).isSessionReused(), false, 'another name: its own session');
  t.equal((await tlsRun(t, connect, { port: server.port, hostname: '127.0.0.1' })).isSessionReused(), false, 'an IP: keyed by the IP');
  t.equal((await tlsRun(t, connect, { port: server.port, hostname: '127.0.0.1' })).isSessionReused(), true);
  const none = connector({ resolver, ca, family: 4, maxCachedSessions: 0 });
  await tlsRun(t, none, { port: server.port });
  t.equal((await tlsRun(t, none, { port: server.port })).isSessionReused(), false, 'maxCachedSessions: 0 keeps nothing');
  const session = (await tlsRun(t, none, { port: server.port })).getSession()!;
  const fixed = connector({ resolver, ca, family: 4, session });
  t.equal((await tlsRun(t, fixed, { port: server.port })).isSessionReused(), true, 'a `session` option is always offered');
});

t.test('a bad request reaches the callback as an InvalidArgumentError', async (t) => {
  for (const protocol of ['http:', 'https:']) {
    const { err, socket } = await run(t, connector({ resolver }), { protocol, port: 'eighty' });
    t.match(err, { name: 'InvalidArgumentError', option: 'port' }, protocol);
    t.equal(socket, null);
  }
});

t.test("the request's localAddress picks the family", async (t) => {
  const server = await tlsServer(t);
  const { socket } = await run(t, connector({ resolver }), { port: server.port, localAddress: '127.0.0.1' });
  t.same((socket as { autoSelectFamilyAttemptedAddresses?: string[] }).autoSelectFamilyAttemptedAddresses, [`127.0.0.1:${server.port}`], 'IPv6 never tried');
});

t.test("httpSocket: TLS over the caller's socket (a proxy tunnel), session cached too", async (t) => {
  const server = await tlsServer(t);
  const connect = connector({ ca });
  for (const reused of [false, true]) {
    const tunnel = net.connect({ host: '127.0.0.1', port: Number(server.port) });
    t.teardown(() => tunnel.destroy());
    await once(tunnel, 'connect');
    const secure = await tlsRun(t, connect, { hostname: 'www.example.test', port: server.port, httpSocket: tunnel });
    t.equal(secure.authorized, true);
    t.equal(secure.isSessionReused(), reused);
  }
  t.same(
    server.handshakes.map((h) => h.servername),
    ['www.example.test', 'www.example.test'],
  );
});

t.test('timeout: 10 s by default as undici, 0 for none, the whole connect otherwise', async (t) => {
  // An attempt that never connects, on a fake clock: only the timeout can end it.
  const hang: AttemptFactory<net.Socket> = () => ({ socket: new net.Socket(), destroy: () => {}, detach: () => {} });
  for (const [timeout, deadline] of [
    [undefined, 10000],
    [null, 10000],
    [300, 300],
  ] as const) {
    const clock = new FakeClock();
    const done = run(t, connector({ clock, connectAttempt: hang, timeout }), { hostname: '127.0.0.1' });
    await sleep(10);
    clock.advance(deadline - 1);
    await sleep(10);
    clock.advance(1);
    const { err } = await done;
    t.type(err, TimeoutError, `timeout ${String(timeout)}: ends after ${deadline} ms`);
  }
  const clock = new FakeClock();
  const controller = new AbortController();
  const done = run(t, connector({ clock, connectAttempt: hang, timeout: 0, signal: controller.signal }), { hostname: '127.0.0.1' });
  await sleep(10);
  clock.advance(3_600_000);
  t.equal(clock.pending(), 0, 'no timer left running: nothing would end it');
  controller.abort();
  t.type((await done).err, AbortError);
});
