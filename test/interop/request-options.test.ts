/**
 * The exact option objects Node's ClientRequest hands an agent's createConnection, as
 * each real client builds its requests, captured by an agent that records them (and
 * connects to the server itself), then replayed into createConnection and our agents.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import axios from 'axios';
import got from 'got';
import needle from 'needle';
import fetch from 'node-fetch';
import superagent from 'superagent';
import t from 'tap';
import WebSocket from 'ws';
import { HttpAgent, HttpsAgent } from '../../lib/adapters/agents.js';
import { createConnection, type CreateConnectionOptions } from '../../lib/adapters/create-connection.js';
import { ca, DUAL_NAME, startDns, startWorld, type World } from '../helpers/http-servers.js';
import { forbidSystemDns } from '../helpers/no-system-dns.js';

forbidSystemDns(t);

type Captured = Record<string, unknown>;

/** Records what ClientRequest gives it and connects to the world's IPv4 server itself (no DNS). */
function capturingAgent(secure: boolean, captured: Captured[]): http.Agent {
  const record = (options: object): Captured => {
    const copy = Object.assign(Object.create(null) as Captured, options);
    captured.push(copy);
    return copy;
  };
  // The agent options ours would be built with, less `resolver`: Node merges them into each request's.
  if (secure) {
    return new (class extends https.Agent {
      override createConnection(options: https.RequestOptions) {
        const o = record(options);
        return tls.connect({ host: '127.0.0.1', port: Number(o.port), ca, servername: DUAL_NAME });
      }
    })({ keepAlive: true, ca });
  }
  return new (class extends http.Agent {
    override createConnection(options: http.ClientRequestArgs) {
      return net.connect({ host: '127.0.0.1', port: Number(record(options).port) });
    }
  })({ keepAlive: true });
}

/** One GET by each client, through `agent`; errors (ws gets no upgrade) do not matter here. */
const clients: Record<string, (url: string, agent: http.Agent) => Promise<unknown>> = {
  'node:http': (url, agent) =>
    new Promise((resolve, reject) =>
      (url.startsWith('https:') ? https : http).get(url, { agent: agent as https.Agent }, (res) => res.resume().on('end', resolve)).on('error', reject),
    ),
  needle: (url, agent) => needle('get', url, null, { agent }),
  superagent: (url, agent) => superagent.get(url).agent(agent).then(),
  'node-fetch': (url, agent) => fetch(url, { agent }).then((res) => res.text()),
  axios: (url, agent) => axios.get(url, { httpAgent: agent, httpsAgent: agent, proxy: false }),
  got: (url, agent) => got(url, { agent: { http: agent, https: agent as https.Agent }, retry: { limit: 0 } }).text(),
  ws: (url, agent) =>
    new Promise((resolve) => {
      const ws = new WebSocket(url.replace(/^http/, 'ws'), { agent });
      ws.on('error', resolve).on('unexpected-response', (req) => (req.destroy(), resolve(undefined)));
    }),
};

/** An HTTP/1.1 GET over a connected socket; the server's answer names the remote address it saw. */
async function getOver(socket: net.Socket): Promise<string> {
  socket.end(`GET / HTTP/1.1\r\nHost: ${DUAL_NAME}\r\nConnection: close\r\n\r\n`);
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  return /"remoteAddress":"([^"]+)"/.exec(text)?.[1] ?? text;
}

function opened(open: (cb: (err: Error | null, socket: unknown) => void) => unknown): Promise<net.Socket> {
  return new Promise((resolve, reject) => open((err, socket) => (err ? reject(err) : resolve(socket as net.Socket))));
}

for (const secure of [false, true]) {
  const scheme = secure ? 'https' : 'http';
  t.test(
    `the option objects ClientRequest builds for each client (${scheme}) are accepted by createConnection and ${secure ? 'HttpsAgent' : 'HttpAgent'}`,
    async (t) => {
      const { resolver } = await startDns(t);
      const world: World = await startWorld(t, 'healthy', secure);
      const seen: Record<string, Captured[]> = {};
      for (const [name, get] of Object.entries(clients)) {
        const captured: Captured[] = [];
        const agent = capturingAgent(secure, captured);
        await get(world.url(DUAL_NAME, '/capture'), agent).catch(() => {});
        agent.destroy();
        t.equal(captured.length, 1, `${name}: one connection asked for`);
        seen[name] = captured;
      }
      t.same(seen.needle?.[0]?.signal, null, 'needle: ClientRequest hands the agent signal: null');
      const ours = secure ? new HttpsAgent({ keepAlive: true, ca, resolver }) : new HttpAgent({ keepAlive: true, resolver });
      t.teardown(() => ours.destroy());
      for (const [name, [options]] of Object.entries(seen)) {
        // Node merges the agent's own options (here `resolver`) into the request's.
        const replay = Object.assign(Object.create(null) as Captured, options, { resolver }) as CreateConnectionOptions;
        const direct = await opened((cb) => createConnection(replay, cb));
        t.equal(await getOver(direct), '::1', `${name}: createConnection connected and the request went over ::1`);
        t.equal(direct instanceof tls.TLSSocket, secure, `${name}: TLS as the request asked`);
        const pooled = await opened((cb) => ours.createConnection(replay as never, cb));
        t.equal(await getOver(pooled), '::1', `${name}: ${ours.constructor.name}.createConnection too`);
      }
    },
  );
}
