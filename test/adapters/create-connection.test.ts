import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import t, { type Test } from 'tap';
import type { Agent as UndiciAgent } from 'undici';
import { createConnection, type CreateConnectionOptions } from '../../lib/adapters/create-connection.js';
import { AllAttemptsFailedError, DnsError, InvalidArgumentError, TimeoutError } from '../../lib/errors.js';
import type { AttemptFactory } from '../../lib/racer/attempt.js';
import { listen, startBlackHole } from '../helpers/black-hole.js';
import { readJson } from '../helpers/http-servers.js';
import { closeServer } from '../helpers/race-loopback.js';
import { MemoryResolver } from '../helpers/race-resolver.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/tls/${name}`, import.meta.url));
const ca = fixture('ca.pem');
const credentials = { key: fixture('server-key.pem'), cert: fixture('server.pem') };
const resolver = new MemoryResolver({ 'v4.example.test': { A: { addresses: ['127.0.0.1'] } } });

// Compile-time: usable where Node and undici take a connection function.
const asRequestOption: http.ClientRequestArgs['createConnection'] = createConnection;
const asUndiciConnect: UndiciAgent.Options['connect'] = createConnection;
void [asRequestOption, asUndiciConnect];

interface Opened {
  err: Error | null;
  socket: net.Socket | null;
  returned: net.Socket;
}

/** Calls createConnection and checks the contract: returns the socket, calls back once with it (or the error), never synchronously. */
async function open(t: Test, options: CreateConnectionOptions): Promise<Opened> {
  const calls: Array<Omit<Opened, 'returned'>> = [];
  let returned = false;
  const result = createConnection(options, (err, socket) => {
    t.ok(returned, 'called back after createConnection returned');
    calls.push({ err, socket: socket as net.Socket | null });
  });
  returned = true;
  t.type(result, net.Socket, 'returns the socket at once');
  t.teardown(() => result.destroy());
  for (let i = 0; i < 400 && calls.length === 0; i++) await sleep(10);
  await sleep(30);
  t.equal(calls.length, 1, 'called back exactly once');
  const call = calls[0]!;
  if (call.err === null) t.equal(call.socket, result, 'the callback gets the returned socket');
  return { ...call, returned: result };
}

/** A TLS server on 127.0.0.1 that records each handshake's SNI name and ALPN protocol. */
async function tlsServer(t: Test, options: tls.TlsOptions = {}) {
  const held: net.Socket[] = [];
  const handshakes: Array<{ servername: string | false; alpn: string | false }> = [];
  const server = tls.createServer({ ...credentials, ...options }, (socket) => {
    handshakes.push({ servername: socket.servername ?? false, alpn: socket.alpnProtocol ?? false });
    held.push(socket);
  });
  server.on('tlsClientError', () => {});
  await listen(server, '127.0.0.1', 0);
  t.teardown(() => closeServer(server, held));
  return { port: (server.address() as net.AddressInfo).port, handshakes };
}

t.test('a plain connection to a name: the callback gets the connected socket', async (t) => {
  const server = await tlsServer(t); // TCP level is enough here
  const { err, socket } = await open(t, { hostname: 'v4.example.test', port: server.port, resolver, protocol: 'http:' });
  t.equal(err, null);
  t.notOk(socket instanceof tls.TLSSocket, 'no TLS for http:');
  t.equal(socket?.remoteAddress, '127.0.0.1');
  t.same((socket as { autoSelectFamilyAttemptedAddresses?: string[] }).autoSelectFamilyAttemptedAddresses, [`127.0.0.1:${server.port}`]);
});

t.test('no hostname or host: localhost, as http.request does', async (t) => {
  const server = await tlsServer(t);
  const local = new MemoryResolver({ localhost: { A: { addresses: ['127.0.0.1'] } } });
  const { socket } = await open(t, { port: server.port, resolver: local, family: 4 });
  t.equal(socket?.remoteAddress, '127.0.0.1');
  t.same(
    local.calls.map((c) => c.name),
    ['localhost'],
  );
});

const secureCases: Array<[string, Partial<CreateConnectionOptions>, boolean]> = [
  ["protocol 'https:'", { protocol: 'https:' }, true],
  ['an HTTPS agent as `agent`', { agent: https.globalAgent }, true],
  ['an HTTPS default agent (https.request without an agent)', { _defaultAgent: https.globalAgent }, true],
  ['`tls: true`', { tls: true }, true],
  ['TLS options in `tls`', { tls: { ca } }, true],
  ["`tls: false` beats protocol 'https:'", { protocol: 'https:', tls: false }, false],
  ["protocol 'http:' beats an HTTPS default agent", { protocol: 'http:', _defaultAgent: https.globalAgent }, false],
  ['an HTTP agent', { agent: http.globalAgent }, false],
  ['`agent: false` (a one-off agent) and an HTTPS default agent', { agent: false, _defaultAgent: https.globalAgent }, true],
  ['nothing said', {}, false],
];

for (const [name, extra, secure] of secureCases) {
  t.test(`TLS decision: ${name} -> ${secure ? 'TLS' : 'plain TCP'}`, async (t) => {
    const server = await tlsServer(t);
    const { err, socket } = await open(t, { host: 'v4.example.test', port: server.port, resolver, ca, ...extra });
    t.equal(err, null);
    t.equal(socket instanceof tls.TLSSocket, secure);
    if (secure) {
      t.equal((socket as tls.TLSSocket).authorized, true, 'handshake done and the certificate checked against the name');
      t.same(
        server.handshakes.map((h) => h.servername),
        ['v4.example.test'],
        'SNI is the host name',
      );
    }
  });
}

const sniCases: Array<[string, Partial<CreateConnectionOptions>, string | false]> = [
  ["`hostname` wins over undici's `host` (name:port)", { hostname: 'v4.example.test', host: 'v4.example.test:1' }, 'v4.example.test'],
  ['an explicit servername', { host: 'v4.example.test', servername: 'other.example.test' }, 'other.example.test'],
  ["servername '' sends none (http.Agent does this for IP hosts)", { host: '127.0.0.1', servername: '' }, false],
  ['an IP literal sends none (RFC 6066 §3)', { host: '127.0.0.1' }, false],
  ['servername null (undici without a host) is as if absent', { host: '127.0.0.1', servername: null }, false],
];

for (const [name, extra, sni] of sniCases) {
  t.test(`SNI: ${name}`, async (t) => {
    const server = await tlsServer(t);
    const { err, socket } = await open(t, { port: server.port, resolver, ca, protocol: 'https:', ...extra });
    t.equal(err, null);
    t.equal((socket as tls.TLSSocket).authorized, true);
    t.same(
      server.handshakes.map((h) => h.servername),
      [sni],
    );
  });
}

t.test('ALPN options are passed through to the handshake', async (t) => {
  const server = await tlsServer(t, { ALPNProtocols: ['h2', 'http/1.1'] });
  const { socket } = await open(t, { hostname: '127.0.0.1', port: server.port, ca, protocol: 'https:', ALPNProtocols: ['h2'] });
  t.equal((socket as tls.TLSSocket).alpnProtocol, 'h2');
  t.same(server.handshakes, [{ servername: false, alpn: 'h2' }]);
});

t.test('no port: the scheme default, 80 for http and 443 for https', async (t) => {
  for (const [protocol, port] of [
    ['http:', 80],
    ['https:', 443],
    [undefined, 80],
  ] as const) {
    for (const given of [undefined, null, '']) {
      const ports: number[] = [];
      const refuse: AttemptFactory<net.Socket> = (target) => {
        ports.push(target.port);
        throw Object.assign(new Error('refused by the test'), { code: 'ECONNREFUSED' });
      };
      const { err } = await open(t, { host: '127.0.0.1', port: given, protocol, connectAttempt: refuse });
      t.type(err, AllAttemptsFailedError);
      t.same(ports, [port], `${protocol} with port ${String(given)}`);
    }
  }
});

t.test('failures reach the callback, never a throw', async (t) => {
  const missing = await open(t, { hostname: 'missing.example.test', port: 80, resolver });
  t.type(missing.err, DnsError);
  t.match(missing.err, { code: 'ENOTFOUND', hostname: 'missing.example.test' });
  const badOption = await open(t, { host: '127.0.0.1', port: 80, connectionAttemptDelay: 1 });
  t.match(badOption.err, { code: 'ERR_HE_INVALID_ARGUMENT', option: 'connectionAttemptDelay' });
  const badFamily = await open(t, { host: 'v4.example.test', port: 80, family: 5, resolver });
  t.match(badFamily.err, { option: 'family' });
  const notAnObject = await open(t, null as unknown as CreateConnectionOptions);
  t.type(notAnObject.err, InvalidArgumentError);
  t.equal(notAnObject.socket, null);
  t.throws(() => createConnection({ host: '127.0.0.1', port: 80 }, 'not a function' as never), { option: 'callback' } as never);
});

t.test('`timeout` bounds the whole connect, then is the socket idle timeout (as net.connect)', async (t) => {
  const hole = await startBlackHole({ host: '127.0.0.1' });
  t.teardown(() => hole.close());
  const started = performance.now();
  const { err } = await open(t, { host: '127.0.0.1', port: hole.port, timeout: 300 });
  t.type(err, TimeoutError);
  t.ok(performance.now() - started >= 290, 'not before the timeout');
  const server = await tlsServer(t);
  const { socket } = await open(t, { host: '127.0.0.1', port: server.port, timeout: 4321 });
  t.equal(socket?.timeout, 4321);
  const untimed = await open(t, { host: '127.0.0.1', port: server.port });
  t.equal(untimed.socket?.timeout, undefined);
});

t.test('socketPath: a Unix socket, plain or TLS, without DNS or race', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'he-adapters-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const plainPath = join(dir, 'plain.sock');
  const tlsPath = join(dir, 'tls.sock');
  const held: net.Socket[] = [];
  const plain = net.createServer((s) => held.push(s));
  const secure = tls.createServer(credentials, (s) => held.push(s));
  await new Promise<void>((resolve) => plain.listen(plainPath, resolve));
  await new Promise<void>((resolve) => secure.listen(tlsPath, resolve));
  t.teardown(() => Promise.all([closeServer(plain, held), closeServer(secure)]));
  const never = { query: () => Promise.reject(new Error('no DNS for a socket path')) };
  const a = await open(t, { socketPath: plainPath, host: 'ignored.example.test', resolver: never, timeout: 5000, signal: new AbortController().signal });
  t.equal(a.err, null);
  t.equal(a.socket?.remoteAddress, undefined, 'a Unix socket has no IP address');
  t.equal(a.socket?.timeout, 5000, 'net.connect set the idle timeout');
  const b = await open(t, { socketPath: tlsPath, protocol: 'https:', servername: 'v4.example.test', ca, resolver: never });
  t.equal((b.socket as tls.TLSSocket).authorized, true);
  const c = await open(t, { socketPath: tlsPath, protocol: 'https:', host: 'wrong.invalid', ca });
  t.match(c.err, { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'no servername: the certificate is checked against the host');
  const d = await open(t, { socketPath: tlsPath, protocol: 'https:', ca });
  t.equal((d.socket as tls.TLSSocket).authorized, true, 'no host either: localhost, as http does');
  const gone = await open(t, { socketPath: join(dir, 'nothing.sock') });
  t.match(gone.err, { code: 'ENOENT' });
  const thrown = await open(t, { socketPath: 5 as unknown as string });
  t.match(thrown.err, { code: 'ERR_INVALID_ARG_TYPE' }, 'a synchronous throw becomes the callback error');
});

t.test('httpSocket: TLS over a socket the caller holds (a proxy tunnel), no race', async (t) => {
  const server = await tlsServer(t);
  const tunnel = net.connect({ host: '127.0.0.1', port: server.port });
  t.teardown(() => tunnel.destroy());
  await once(tunnel, 'connect');
  const never = { query: () => Promise.reject(new Error('no DNS for a tunnel')) };
  const { err, socket } = await open(t, { hostname: 'v4.example.test', port: 443, protocol: 'https:', ca, httpSocket: tunnel, resolver: never });
  t.equal(err, null);
  t.equal((socket as tls.TLSSocket).authorized, true);
  t.same(
    server.handshakes.map((h) => h.servername),
    ['v4.example.test'],
    'SNI from the host name',
  );
  // The tunnel's own host name is one the certificate does not cover (a proxy's); a stub lookup, no DNS.
  const tunnel2 = net.connect({ host: 'proxy.invalid', port: server.port, family: 4, lookup: (_h, _o, cb) => cb(null, '127.0.0.1', 4) });
  t.teardown(() => tunnel2.destroy());
  await once(tunnel2, 'connect');
  const literal = await open(t, { hostname: '127.0.0.1', port: 443, protocol: 'https:', ca, httpSocket: tunnel2 });
  t.equal((literal.socket as tls.TLSSocket).authorized, true, "an IP target: the certificate is checked against the IP, not the tunnel's host");
  t.same(
    server.handshakes.map((h) => h.servername),
    ['v4.example.test', false],
    'and no SNI',
  );
  const plain = await open(t, { hostname: 'v4.example.test', port: 80, protocol: 'http:', httpSocket: tunnel });
  t.match(plain.err, { option: 'httpSocket' });
});

t.test('as the createConnection option of http.request / https.request, without an agent', async (t) => {
  for (const secure of [false, true]) {
    const handler = (_req: http.IncomingMessage, res: http.ServerResponse) => res.end(JSON.stringify({ remoteAddress: _req.socket.remoteAddress }));
    const server = secure ? https.createServer(credentials, handler) : http.createServer(handler);
    await listen(server, '127.0.0.1', 0);
    t.teardown(() => {
      server.closeAllConnections();
      return closeServer(server);
    });
    const { port } = server.address() as net.AddressInfo;
    const module = secure ? https : http;
    const options = { host: 'v4.example.test', port, ca, resolver, createConnection } as https.RequestOptions;
    const seen = await new Promise((resolve, reject) => {
      module.get(options, (res) => readJson(res).then(resolve, reject)).on('error', reject);
    });
    t.same(seen, { remoteAddress: '127.0.0.1' }, secure ? 'https' : 'http');
  }
});
