import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import t, { type Test } from 'tap';
import { createConnection } from '../../lib/adapters/create-connection.js';
import { AllAttemptsFailedError } from '../../lib/errors.js';
import { socketAttemptFactory, type AttemptFactory } from '../../lib/racer/attempt.js';
import { blackHoleBesideServer, listen, startBlackHole } from '../helpers/black-hole.js';
import { backToBaseline, closeServer, settledResources } from '../helpers/race-loopback.js';
import { MemoryResolver } from '../helpers/race-resolver.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/tls/${name}`, import.meta.url));
const ca = fixture('ca.pem');
const credentials = { key: fixture('server-key.pem'), cert: fixture('server.pem') };
const resolver = new MemoryResolver({
  'v4.example.test': { A: { addresses: ['127.0.0.1'] } },
  'dual.example.test': { AAAA: { addresses: ['::1'] }, A: { addresses: ['127.0.0.1'] } },
});

/** A TLS server on 127.0.0.1 running `onSocket` per connection; closed with `t`. */
async function tlsServer(t: Test, onSocket: (socket: tls.TLSSocket) => void, options: tls.TlsOptions = {}): Promise<number> {
  const held: net.Socket[] = [];
  const server = tls.createServer({ ...credentials, ...options }, (socket) => {
    held.push(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  server.on('tlsClientError', () => {});
  await listen(server, '127.0.0.1', 0);
  t.teardown(() => closeServer(server, held));
  return (server.address() as net.AddressInfo).port;
}

async function readAll(socket: net.Socket): Promise<string> {
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  return text;
}

t.test('V5: with TLS, a tls.TLSSocket at once; connect then secureConnect after the handshake; TLS answers right', async (t) => {
  const port = await tlsServer(t, (s) => s.pipe(s), { ALPNProtocols: ['h2', 'http/1.1'] });
  let called: net.Socket | null = null;
  const socket = createConnection({ host: 'v4.example.test', port, resolver, tls: { ca, ALPNProtocols: ['h2'] } }, (_err, s) => (called = s as net.Socket));
  t.teardown(() => socket.destroy());
  t.type(socket, tls.TLSSocket);
  const secure = socket as tls.TLSSocket;
  t.equal(secure.encrypted, true);
  t.equal((secure as unknown as { secureConnecting: boolean }).secureConnecting, true);
  t.equal(secure.connecting, true);
  t.ok((secure as unknown as { _handle?: { isStreamBase?: boolean } })._handle?.isStreamBase, 'a native handle at once (http2 checks it)');
  t.equal(secure.authorized, false);
  const seen: string[] = [];
  for (const event of ['connect', 'secureConnect', 'error']) secure.on(event, () => seen.push(event));
  secure.write('before the handshake');
  await once(secure, 'secureConnect');
  t.same(seen, ['connect', 'secureConnect']);
  t.equal(called, socket, 'the callback got the socket at secureConnect');
  t.equal((secure as unknown as { secureConnecting: boolean }).secureConnecting, false);
  t.equal(secure.authorized, true);
  t.equal(secure.authorizationError, null);
  t.equal(secure.alpnProtocol, 'h2');
  t.equal(secure.servername, 'v4.example.test');
  t.equal(secure.getPeerCertificate().subject.CN, 'localhost');
  t.ok(secure.getPeerX509Certificate()?.checkHost('v4.example.test'));
  t.match(secure.getProtocol(), /^TLSv1\.[23]$/);
  t.equal(secure.remoteAddress, '127.0.0.1');
  t.same((secure as unknown as { autoSelectFamilyAttemptedAddresses: string[] }).autoSelectFamilyAttemptedAddresses, [`127.0.0.1:${port}`]);
  secure.end();
  t.equal(await readAll(secure), 'before the handshake');
});

t.test('V5/R15: IPv6 black-holed, the TLS socket carries the IPv4 handshake', async (t) => {
  const { hole, server, port } = await blackHoleBesideServer((p) =>
    listen(
      tls.createServer(credentials, (s) => s.end('v4')),
      '127.0.0.1',
      p,
    ),
  );
  t.teardown(async () => {
    await closeServer(server);
    await hole.close();
  });
  const socket = createConnection({ host: 'dual.example.test', port, resolver, tls: { ca } }) as tls.TLSSocket;
  t.teardown(() => socket.destroy());
  await once(socket, 'secureConnect');
  t.equal(socket.authorized, true);
  t.equal(socket.remoteAddress, '127.0.0.1');
  t.equal(await readAll(socket), 'v4');
});

t.test("a failed handshake on every address is the socket's error; rejectUnauthorized: false connects unauthorized", async (t) => {
  const port = await tlsServer(t, (s) => s.end('hi'));
  const socket = createConnection({ host: '127.0.0.1', port, tls: { ca, servername: 'wrong.invalid' } });
  const [err] = (await once(socket, 'error')) as [AllAttemptsFailedError];
  t.type(err, AllAttemptsFailedError);
  t.match(err.errors[0], { phase: 'tls', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  const lax = createConnection({ host: '127.0.0.1', port, tls: { servername: 'wrong.invalid', rejectUnauthorized: false } }) as tls.TLSSocket;
  await once(lax, 'secureConnect');
  t.equal(lax.authorized, false);
  t.equal(lax.authorizationError, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  t.equal(await readAll(lax), 'hi');
});

t.test('TLS sessions that came before the hand-over reach session listeners after secureConnect, and resume', async (t) => {
  const port = await tlsServer(t, (s) => s.end('hi'));
  const base = socketAttemptFactory({ tls: { ca, servername: 'v4.example.test' } });
  // Success is reported only once the attempt's socket has had a session ticket.
  const late: AttemptFactory<net.Socket> = (target, callbacks) => {
    let ticket = false;
    let done = false;
    const attempt = base(target, { ...callbacks, succeeded: () => (done = true) && ticket && callbacks.succeeded() });
    attempt.socket.once('session', () => (ticket = true) && done && callbacks.succeeded());
    return attempt;
  };
  const socket = createConnection({ host: 'v4.example.test', port, resolver, tls: { ca }, connectAttempt: late }) as tls.TLSSocket;
  const order: string[] = [];
  const sessions: Buffer[] = [];
  socket.on('secureConnect', () => order.push('secureConnect'));
  socket.on('session', (session: Buffer) => {
    order.push('session');
    sessions.push(session);
  });
  t.equal(await readAll(socket), 'hi');
  t.equal(order[0], 'secureConnect');
  t.ok(sessions.length >= 1, 'the session the winner got first');
  const resumed = createConnection({ host: 'v4.example.test', port, resolver, tls: { ca, session: sessions.at(-1) } }) as tls.TLSSocket;
  await once(resumed, 'secureConnect');
  t.equal(resumed.isSessionReused(), true, 'a session taken from the socket resumes');
  resumed.destroy();
});

t.test('a renegotiation after the hand-over (TLS 1.2) completes on the socket', async (t) => {
  let renegotiated: Promise<Error | null> | undefined;
  const port = await tlsServer(
    t,
    (s) => {
      renegotiated = new Promise((resolve) =>
        s.renegotiate({ rejectUnauthorized: false }, (err) => {
          resolve(err);
          s.end('after');
        }),
      );
    },
    { maxVersion: 'TLSv1.2' },
  );
  const socket = createConnection({ host: 'v4.example.test', port, resolver, tls: { ca } }) as tls.TLSSocket;
  let handshakes = 0;
  socket.on('secure', () => handshakes++);
  t.equal(await readAll(socket), 'after');
  t.equal(await renegotiated, null, 'the server saw the new handshake complete');
  t.equal(handshakes, 1, "the socket itself saw it ('secure')");
  t.equal(socket.getProtocol(), null, 'closed');
});

t.test("a socket destroyed in its 'connect' listener emits no secureConnect", async (t) => {
  const port = await tlsServer(t, () => {});
  const socket = createConnection({ host: 'v4.example.test', port, resolver, tls: { ca } });
  let secured = false;
  socket.on('secureConnect', () => (secured = true));
  socket.once('connect', () => socket.destroy());
  await once(socket, 'close');
  t.equal(secured, false);
});

t.test('TLS: destroy() before the win closes the placeholder; nothing left behind; ref/unref and socket options as with plain TCP', async (t) => {
  const hole = await startBlackHole({ host: '127.0.0.1' });
  t.teardown(() => hole.close());
  const baseline = await settledResources();
  const stuck = createConnection({ host: '127.0.0.1', port: hole.port, tls: { ca } });
  t.equal(stuck.unref(), stuck);
  t.equal(stuck.ref(), stuck);
  t.equal(stuck.setNoDelay(true), stuck);
  t.equal(stuck.setKeepAlive(true, 1000), stuck);
  await sleep(30);
  stuck.destroy();
  await once(stuck, 'close');
  await backToBaseline(t, baseline, 'a TLS socket destroyed before the win');

  const port = await tlsServer(t, (s) => s.end('x'));
  const socket = createConnection({ host: 'v4.example.test', port, resolver, tls: { ca } });
  t.teardown(() => socket.destroy());
  await once(socket, 'secureConnect');
  t.equal(socket.setNoDelay(true), socket, "after the win: net.Socket's own");
  t.equal(socket.setKeepAlive(true, 1000), socket);
  t.equal(socket.unref(), socket);
  t.equal(socket.ref(), socket);
  t.equal(await readAll(socket), 'x');
});
