/**
 * Local HTTP(S) servers for the interop tests, in two worlds, and a fake DNS that names
 * them. Each server answers every request with the remote address it saw, and counts
 * TCP connections, so tests can assert which family carried a request and how many
 * connections an agent opened.
 *
 *   black-hole: [::1]:P drops SYNs (black-hole helper), 127.0.0.1:P serves
 *   healthy:    [::1]:P (ipv6Only) serves, 127.0.0.1:P serves
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { Test } from 'tap';
import { Resolver } from '../../lib/resolver.js';
import { blackHoleBesideServer, listen } from './black-hole.js';
import { FakeDnsServer } from './fake-dns-server.js';
import { loadZone } from './fake-dns-zone.js';
import { dualListen } from './race-loopback.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url));
export const ca = fixture('tls/ca.pem');
const credentials = { key: fixture('tls/server-key.pem'), cert: fixture('tls/server.pem') };

/** Has AAAA ::1 and A 127.0.0.1 on the fake DNS server. */
export const DUAL_NAME = 'dual.example.test';
/** NXDOMAIN on the fake DNS server. */
export const MISSING_NAME = 'missing.example.test';

export type WorldKind = 'black-hole' | 'healthy';

/** What one listening server saw. */
interface Served {
  server: http.Server;
  /** TCP connections accepted. */
  connections: number;
  /** The server's side of each TCP connection. */
  sockets: net.Socket[];
  /** `socket.remoteAddress` of each request, in order. */
  remoteAddresses: string[];
}

export interface World {
  kind: WorldKind;
  secure: boolean;
  port: number;
  v4: Served;
  /** Undefined in the black-hole world: nothing there ever accepts. */
  v6: Served | undefined;
  url(host?: string, path?: string): string;
  /** TCP connections accepted by both servers. */
  connections(): number;
}

/** What the servers answer: the remote address they saw. */
export interface Seen {
  remoteAddress: string;
}

function serve(secure: boolean): Served {
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const remoteAddress = String(req.socket.remoteAddress);
    served.remoteAddresses.push(remoteAddress);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ remoteAddress } satisfies Seen));
  };
  const server = secure ? https.createServer(credentials, handler) : http.createServer(handler);
  const served: Served = { server, connections: 0, sockets: [], remoteAddresses: [] };
  server.on('connection', (socket: net.Socket) => {
    served.connections++;
    served.sockets.push(socket);
  });
  return served;
}

async function stop(served: Served): Promise<void> {
  served.server.closeAllConnections();
  await new Promise<void>((resolve) => served.server.close(() => resolve()));
}

/** Starts a world; its servers (and black hole) close when `t` ends. */
export async function startWorld(t: Test, kind: WorldKind, secure: boolean): Promise<World> {
  const v4 = serve(secure);
  let v6: Served | undefined;
  let port: number;
  if (kind === 'black-hole') {
    const pair = await blackHoleBesideServer((p) => listen(v4.server, '127.0.0.1', p));
    port = pair.port;
    t.teardown(() => Promise.all([stop(v4), pair.hole.close()]));
  } else {
    const six = serve(secure);
    const servers: Record<4 | 6, Served> = { 4: v4, 6: six };
    const pair = await dualListen((family) => servers[family].server as net.Server);
    port = pair.port;
    v6 = six;
    t.teardown(() => Promise.all([stop(v4), stop(six)]));
  }
  const scheme = secure ? 'https' : 'http';
  return {
    kind,
    secure,
    port,
    v4,
    v6,
    url: (host = DUAL_NAME, path = '/') => `${scheme}://${host}:${port}${path}`,
    connections: () => v4.connections + (v6?.connections ?? 0),
  };
}

/** The fake DNS server with DUAL_NAME, and a Resolver that asks only it; both closed when `t` ends. */
export async function startDns(t: Test): Promise<{ dns: FakeDnsServer; resolver: Resolver }> {
  const zone = loadZone(new URL('../../../fixtures/zones/example.test.json', import.meta.url));
  const dns = await FakeDnsServer.start({ zones: [zone] });
  dns.setRecords(DUAL_NAME, 'AAAA', ['::1']);
  dns.setRecords(DUAL_NAME, 'A', ['127.0.0.1']);
  const resolver = new Resolver({ servers: [dns.server], resolvConf: false, hosts: false });
  t.teardown(async () => {
    resolver.close();
    await dns.close();
  });
  return { dns, resolver };
}

/** One real client, set up for one test: its agent/dispatcher and how it reports. */
export interface InteropClient {
  /** GET `url` and give back the server's answer. */
  get(url: string): Promise<Seen>;
  /** The `code` a user of this client checks on `err` (undici's fetch wraps it in `cause`). */
  codeOf(err: unknown): unknown;
  /** Destroys the client's agents or dispatcher. */
  close(): Promise<void> | void;
}

/** Builds a client that resolves through `resolver` and trusts the test CA. */
export type ClientFactory = (resolver: Resolver) => InteropClient;

/**
 * The same four checks for one client, over HTTP and HTTPS. `ids` names the RFC 8305
 * requirements the client's connection step meets (only ours race; lookup-only
 * clients use Node's autoSelectFamily).
 */
export function interopSuite(t: Test, name: string, make: ClientFactory, ids = ''): void {
  const prefix = ids ? `${ids}: ` : '';
  for (const secure of [false, true]) {
    const scheme = secure ? 'https' : 'http';
    const setup = async (t: Test, kind: WorldKind) => {
      const { dns, resolver } = await startDns(t);
      const world = await startWorld(t, kind, secure);
      const client = make(resolver);
      t.teardown(() => client.close());
      return { dns, world, client };
    };

    t.test(`${prefix}${name} ${scheme}: IPv6 black-holed, the request succeeds over IPv4`, async (t) => {
      const { dns, world, client } = await setup(t, 'black-hole');
      const started = performance.now();
      const seen = await client.get(world.url());
      t.equal(seen.remoteAddress, '127.0.0.1', 'the server saw an IPv4 client');
      t.same(world.v4.remoteAddresses, ['127.0.0.1']);
      t.equal(world.connections(), 1, 'one connection, to the IPv4 server');
      // Timers never fire early by more than ~1 ms: a lower bound is safe on a busy machine.
      t.ok(performance.now() - started >= 200, 'IPv6 was tried first and given its 250 ms');
      t.ok(dns.count(DUAL_NAME, 'AAAA') >= 1 && dns.count(DUAL_NAME, 'A') >= 1, 'the name was asked of the fake DNS server');
    });

    t.test(`${prefix}${name} ${scheme}: both families healthy, the request goes over ::1`, async (t) => {
      const { dns, world, client } = await setup(t, 'healthy');
      const seen = await client.get(world.url());
      t.ok(dns.count(DUAL_NAME, 'AAAA') >= 1, 'the name was asked of the fake DNS server');
      t.equal(seen.remoteAddress, '::1', 'the server saw an IPv6 client');
      t.same(world.v6?.remoteAddresses, ['::1']);
      t.equal(world.v4.connections, 0, 'nothing reached the IPv4 server');
    });

    t.test(`${name} ${scheme}: keep-alive, 10 sequential requests use one connection`, async (t) => {
      const { world, client } = await setup(t, 'healthy');
      for (let i = 0; i < 10; i++) t.equal((await client.get(world.url(DUAL_NAME, `/${i}`))).remoteAddress, '::1');
      t.equal(world.v6?.remoteAddresses.length, 10);
      t.equal(world.connections(), 1, 'one TCP connection for all ten');
    });

    t.test(`${name} ${scheme}: an unknown name fails with ENOTFOUND`, async (t) => {
      const { dns, world, client } = await setup(t, 'healthy');
      const err: unknown = await client.get(world.url(MISSING_NAME)).catch((e: unknown) => e);
      t.type(err, Error, 'the request failed');
      t.equal(client.codeOf(err), 'ENOTFOUND');
      t.equal(world.connections(), 0);
      t.ok(dns.count(MISSING_NAME) >= 1, 'the NXDOMAIN came from the fake DNS server');
    });
  }
}

/** Reads a whole response body as JSON. */
export async function readJson(res: NodeJS.ReadableStream): Promise<Seen> {
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return JSON.parse(text) as Seen;
}
