import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import t from 'tap';
import { HttpAgent, HttpsAgent } from '../../lib/adapters/agents.js';
import { checkRaceOptions } from '../../lib/adapters/race-options.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { listen } from '../helpers/black-hole.js';
import { ca, DUAL_NAME, readJson, type Seen, startDns, startWorld } from '../helpers/http-servers.js';
import { closeServer } from '../helpers/race-loopback.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/tls/${name}`, import.meta.url));
const credentials = { key: fixture('server-key.pem'), cert: fixture('server.pem') };

interface Response {
  seen: Seen;
  socket: net.Socket;
}

/** One GET through `agent`; gives the answer and the socket that carried it. */
function get(url: string, agent: http.Agent): Promise<Response> {
  return new Promise((resolve, reject) => {
    const module = url.startsWith('https:') ? https : http;
    const req = module.get(url, { agent }, (res) => {
      const socket = res.socket; // a keep-alive agent takes it back once the body is read
      readJson(res).then((seen) => resolve({ seen, socket }), reject);
    });
    req.on('error', reject);
  });
}

const badOptions: Array<[string, Record<string, unknown>]> = [
  ['connectionAttemptDelay', { connectionAttemptDelay: 5 }],
  ['resolutionDelay', { resolutionDelay: -1 }],
  ['firstAddressFamilyCount', { firstAddressFamilyCount: 0 }],
  ['family', { family: 5 }],
  ['resolver', { resolver: {} }],
  ['timeout', { timeout: -1 }],
];

for (const [option, options] of badOptions) {
  t.test(`a bad ${option} throws when the agent is built, not on its first request`, async (t) => {
    for (const Agent of [HttpAgent, HttpsAgent]) {
      t.throws(() => new Agent(options), { name: 'InvalidArgumentError', option } as never, Agent.name);
    }
  });
}

t.test('race options are checked only when given; non-objects are refused', async (t) => {
  t.doesNotThrow(() => checkRaceOptions(undefined));
  t.doesNotThrow(() => new HttpAgent());
  t.doesNotThrow(() => new HttpsAgent({ keepAlive: true, maxSockets: 2 }));
  t.throws(() => checkRaceOptions(null), InvalidArgumentError);
  t.throws(() => checkRaceOptions('fast'), { option: 'options' } as never);
});

t.test("the agent's options reach every connection: family: 4 goes over IPv4 though IPv6 works", async (t) => {
  const { resolver } = await startDns(t);
  for (const secure of [false, true]) {
    const world = await startWorld(t, 'healthy', secure);
    const agent = secure ? new HttpsAgent({ resolver, ca, family: 4 }) : new HttpAgent({ resolver, family: 4 });
    t.teardown(() => agent.destroy());
    const { seen } = await get(world.url(), agent);
    t.equal(seen.remoteAddress, '127.0.0.1');
    t.equal(world.v6?.connections, 0);
  }
});

t.test("timeout: the connect deadline, then the socket idle timeout, as with Node's agent", async (t) => {
  const { resolver } = await startDns(t);
  for (const secure of [false, true]) {
    const world = await startWorld(t, 'healthy', secure);
    const agent = secure ? new HttpsAgent({ resolver, ca, timeout: 4000, keepAlive: true }) : new HttpAgent({ resolver, timeout: 4000, keepAlive: true });
    t.teardown(() => agent.destroy());
    const { socket } = await get(world.url(), agent);
    t.equal(socket.timeout, 4000, secure ? 'https' : 'http');
  }
});

t.test('HTTPS: a second connection resumes the TLS session the first one got', async (t) => {
  const { resolver } = await startDns(t);
  const world = await startWorld(t, 'healthy', true);
  // No keep-alive: every request opens a new connection.
  const agent = new HttpsAgent({ resolver, ca, keepAlive: false });
  t.teardown(() => agent.destroy());
  const first = await get(world.url(), agent);
  t.equal((first.socket as tls.TLSSocket).isSessionReused(), false, 'the first handshake is a full one');
  if (!first.socket.destroyed) await once(first.socket, 'close');
  const second = await get(world.url(), agent);
  t.equal(world.connections(), 2, 'two connections');
  t.equal((second.socket as tls.TLSSocket).isSessionReused(), true, 'the second resumed the session');
});

t.test('HTTPS: maxCachedSessions: 0 keeps no session, so nothing resumes', async (t) => {
  const { resolver } = await startDns(t);
  const world = await startWorld(t, 'healthy', true);
  const agent = new HttpsAgent({ resolver, ca, keepAlive: false, maxCachedSessions: 0 });
  t.teardown(() => agent.destroy());
  const first = await get(world.url(), agent);
  if (!first.socket.destroyed) await once(first.socket, 'close');
  const second = await get(world.url(), agent);
  t.equal((second.socket as tls.TLSSocket).isSessionReused(), false);
});

t.test('HTTPS: a connection that ends in an error evicts its session (as https.Agent)', async (t) => {
  const { resolver } = await startDns(t);
  const world = await startWorld(t, 'healthy', true);
  const agent = new HttpsAgent({ resolver, ca, keepAlive: true });
  t.teardown(() => agent.destroy());
  const first = await get(world.url(), agent);
  // Once the socket is idle in the pool, the server resets it: it closes with an error.
  for (let i = 0; i < 200 && !Object.values(agent.freeSockets).flat().includes(first.socket); i++) await sleep(5);
  const closed = new Promise<boolean>((resolve) => first.socket.once('close', resolve)); // events.once would reject on 'error'
  world.v6!.sockets[0]!.resetAndDestroy();
  t.equal(await closed, true, 'closed by an error');
  const second = await get(world.url(), agent);
  t.equal(world.connections(), 2);
  t.equal((second.socket as tls.TLSSocket).isSessionReused(), false, 'the session was forgotten');
});

t.test("HTTPS: a request's own session is offered instead of the cached one", async (t) => {
  const { resolver } = await startDns(t);
  const world = await startWorld(t, 'healthy', true);
  const agent = new HttpsAgent({ resolver, ca, keepAlive: false });
  t.teardown(() => agent.destroy());
  const first = await get(world.url(), agent);
  if (!first.socket.destroyed) await once(first.socket, 'close');
  // A session from another server (other ticket keys): offering it cannot resume here.
  const other = tls.createServer(credentials, (s) => s.end('bye')); // the ticket goes out before the data
  await listen(other, '127.0.0.1', 0);
  t.teardown(() => closeServer(other));
  const probe = tls.connect({ host: '127.0.0.1', port: (other.address() as net.AddressInfo).port, ca, servername: DUAL_NAME });
  const [foreign] = (await once(probe, 'session')) as [Buffer];
  probe.destroy();
  const own = await new Promise<tls.TLSSocket>((resolve, reject) => {
    const options = { agent, session: foreign } as https.RequestOptions;
    https.get(world.url(), options, (res) => readJson(res).then(() => resolve(res.socket as tls.TLSSocket), reject)).on('error', reject);
  });
  t.equal(own.isSessionReused(), false, "the request's session was offered, not the cached one");
  const cached = await get(world.url(), agent);
  t.equal((cached.socket as tls.TLSSocket).isSessionReused(), true, 'without one, the cached session resumes');
});

t.test('createConnection called directly: needs a callback; without an agent key it still connects', async (t) => {
  const { resolver } = await startDns(t);
  const world = await startWorld(t, 'healthy', true);
  const agent = new HttpsAgent({ resolver, ca });
  t.teardown(() => agent.destroy());
  t.throws(() => agent.createConnection({ host: DUAL_NAME, port: world.port }), { option: 'callback' } as never);
  t.throws(() => new HttpAgent().createConnection({ host: DUAL_NAME, port: world.port }), { option: 'callback' } as never);
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const returned = agent.createConnection({ host: DUAL_NAME, port: world.port, ca, resolver } as https.RequestOptions, (err, s) =>
      err ? reject(err) : resolve(s as net.Socket),
    );
    t.equal(returned, undefined);
  });
  t.equal((socket as tls.TLSSocket).authorized, true);
  t.equal(socket.remoteAddress, '::1');
  socket.destroy();
});

t.test("socketPath: the agents connect a Unix socket as Node's do (no DNS, no race); failures reach the callback", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'he-i16-agent-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const socketPath = join(dir, 'http.sock');
  const server = http.createServer((req, res) => res.end(JSON.stringify({ remoteAddress: String(req.socket.remoteAddress) })));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return closeServer(server);
  });
  const agent = new HttpAgent({ resolver: { query: () => Promise.reject(new Error('no DNS for a socket path')) } });
  t.teardown(() => agent.destroy());
  const seen = await new Promise<Seen>((resolve, reject) => {
    http.get({ socketPath, path: '/', agent }, (res) => readJson(res).then(resolve, reject)).on('error', reject);
  });
  t.same(seen, { remoteAddress: 'undefined' }, 'served over the Unix socket');
  const call = (options: unknown) => new Promise<Error | null>((resolve) => agent.createConnection(options as never, (err) => resolve(err)));
  t.match(await call({ socketPath: join(dir, 'nothing.sock') }), { code: 'ENOENT' });
  t.match(await call({ socketPath: 5 }), { code: 'ERR_INVALID_ARG_TYPE' }, 'a throw becomes the callback error');
  t.type(await call(null), InvalidArgumentError, 'options that are not an object');
});
