import { once } from 'node:events';
import type http from 'node:http';
import t, { type Test } from 'tap';
import WebSocket, { WebSocketServer } from 'ws';
import { HttpAgent, HttpsAgent } from '../../lib/adapters/agents.js';
import { createConnection } from '../../lib/adapters/create-connection.js';
import type { Resolver } from '../../lib/resolver.js';
import { ca, DUAL_NAME, MISSING_NAME, startDns, startWorld, type World, type WorldKind } from '../helpers/http-servers.js';
import { forbidSystemDns } from '../helpers/no-system-dns.js';

forbidSystemDns(t);

/** How a test wires ws to us. */
type Wiring = (resolver: Resolver, secure: boolean) => { options: WebSocket.ClientOptions; close(): void };

const wirings: Record<string, Wiring> = {
  // ws calls it as http.request's createConnection option and uses the socket it returns.
  'createConnection: (options) => createConnection({ ...options, resolver })': (resolver) => ({
    options: { createConnection: (options) => createConnection({ ...(options as object), resolver, ca }) },
    close: () => {},
  }),
  'agent: HttpAgent / HttpsAgent': (resolver, secure) => {
    const agent: http.Agent = secure ? new HttpsAgent({ resolver, ca }) : new HttpAgent({ resolver });
    return { options: { agent }, close: () => agent.destroy() };
  },
};

/** Each server of the world answers an upgrade with the client address it saw, then echoes. */
function upgrade(world: World): void {
  for (const served of [world.v4, world.v6]) {
    if (!served) continue;
    const wss = new WebSocketServer({ server: served.server });
    wss.on('connection', (ws, req) => {
      ws.send(String(req.socket.remoteAddress));
      ws.on('message', (data) => ws.send(data));
    });
  }
}

async function setup(t: Test, kind: WorldKind, secure: boolean, wiring: Wiring) {
  const { resolver } = await startDns(t);
  const world = await startWorld(t, kind, secure);
  upgrade(world);
  const wired = wiring(resolver, secure);
  t.teardown(() => wired.close());
  const open = (host = DUAL_NAME): WebSocket => {
    const ws = new WebSocket(world.url(host).replace(/^http/, 'ws'), wired.options);
    t.teardown(() => ws.terminate());
    return ws;
  };
  return { world, open };
}

const firstMessage = async (ws: WebSocket): Promise<string> => String(((await once(ws, 'message')) as [Buffer])[0]);

for (const [name, wiring] of Object.entries(wirings)) {
  for (const secure of [false, true]) {
    const scheme = secure ? 'wss' : 'ws';
    t.test(`R3/R12: ws ${name} ${scheme}: IPv6 black-holed, the socket opens over IPv4`, async (t) => {
      const { world, open } = await setup(t, 'black-hole', secure, wiring);
      const started = performance.now();
      const ws = open();
      t.equal(await firstMessage(ws), '127.0.0.1');
      t.ok(performance.now() - started >= 200, 'IPv6 was tried first and given its 250 ms');
      t.equal(world.connections(), 1);
    });

    t.test(`ws ${name} ${scheme}: both families healthy, over ::1; messages both ways on the one connection`, async (t) => {
      const { world, open } = await setup(t, 'healthy', secure, wiring);
      const ws = open();
      t.equal(await firstMessage(ws), '::1');
      for (let i = 0; i < 5; i++) {
        ws.send(`m${i}`);
        t.equal(await firstMessage(ws), `m${i}`);
      }
      ws.close();
      await once(ws, 'close');
      t.equal(world.connections(), 1);
      t.equal(world.v4.connections, 0);
    });

    t.test(`ws ${name} ${scheme}: an unknown name fails with ENOTFOUND`, async (t) => {
      const { world, open } = await setup(t, 'healthy', secure, wiring);
      const [err] = (await once(open(MISSING_NAME), 'error')) as [Error & { code?: string }];
      t.equal(err.code, 'ENOTFOUND');
      t.equal(world.connections(), 0);
    });
  }
}
