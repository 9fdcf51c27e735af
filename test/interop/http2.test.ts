/**
 * node:http2 with `createConnection` returning our socket: TLS (h2 by ALPN), TLS that
 * the caller runs with `tls.connect({ socket })` over our plain socket, and cleartext
 * (h2c), in the IPv6 black-hole and the healthy world.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import type net from 'node:net';
import tls from 'node:tls';
import t, { type Test } from 'tap';
import { createConnection } from '../../lib/adapters/create-connection.js';
import type { Resolver } from '../../lib/resolver.js';
import { ca, DUAL_NAME, MISSING_NAME, startDns, type WorldKind } from '../helpers/http-servers.js';
import { backToBaseline, settledResources } from '../helpers/race-loopback.js';
import { nodeServers, startTcpWorld } from '../helpers/tcp-world.js';
import { forbidSystemDns } from '../helpers/no-system-dns.js';

forbidSystemDns(t);

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/tls/${name}`, import.meta.url));
const credentials = { key: fixture('server-key.pem'), cert: fixture('server.pem') };

type Variant = { scheme: 'https' | 'http'; connection: (resolver: Resolver, host: string, port: number) => net.Socket };

const variants: Record<string, Variant> = {
  "createConnection({ tls: { ALPNProtocols: ['h2'] } })": {
    scheme: 'https',
    connection: (resolver, host, port) => createConnection({ host, port, resolver, tls: { ca, ALPNProtocols: ['h2'] } }),
  },
  'tls.connect({ socket: createConnection(…) })': {
    scheme: 'https',
    connection: (resolver, host, port) => tls.connect({ socket: createConnection({ host, port, resolver }), ca, servername: host, ALPNProtocols: ['h2'] }),
  },
  'createConnection() for h2c': {
    scheme: 'http',
    connection: (resolver, host, port) => createConnection({ host, port, resolver }),
  },
};

/** Every server answers with the client address it saw; `connections` counts TCP connections. */
async function setup(t: Test, kind: WorldKind, variant: Variant) {
  const { resolver } = await startDns(t);
  const seen = { connections: 0, addresses: [] as string[] };
  const make = (): net.Server => {
    const server = variant.scheme === 'https' ? http2.createSecureServer(credentials) : http2.createServer();
    server.on('connection', () => seen.connections++);
    server.on('stream', (stream) => {
      const address = String(stream.session?.socket.remoteAddress);
      seen.addresses.push(address);
      stream.respond({ ':status': 200 });
      stream.end(address);
    });
    return server as unknown as net.Server;
  };
  const world = await startTcpWorld(t, kind, nodeServers(make));
  const baseline = await settledResources();
  const connect = (host = DUAL_NAME): http2.ClientHttp2Session => {
    const session = http2.connect(`${variant.scheme}://${host}:${world.port}`, { createConnection: () => variant.connection(resolver, host, world.port) });
    t.teardown(() => session.destroy());
    return session;
  };
  return { seen, connect, baseline };
}

async function get(session: http2.ClientHttp2Session, path = '/'): Promise<string> {
  const req = session.request({ ':path': path });
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

for (const [name, variant] of Object.entries(variants)) {
  t.test(`R3/R12: http2.connect with ${name}: IPv6 black-holed, requests go over IPv4`, async (t) => {
    const { seen, connect } = await setup(t, 'black-hole', variant);
    const started = performance.now();
    const session = connect();
    t.equal(await get(session), '127.0.0.1');
    t.ok(performance.now() - started >= 200, 'IPv6 was tried first and given its 250 ms');
    t.equal(seen.connections, 1);
    session.close();
  });

  t.test(`http2.connect with ${name}: healthy, over ::1; 10 requests on one connection; nothing left after close`, async (t) => {
    const { seen, connect, baseline } = await setup(t, 'healthy', variant);
    const session = connect();
    if (variant.scheme === 'https') {
      await once(session, 'connect');
      t.equal(session.alpnProtocol, 'h2');
      t.equal(session.encrypted, true);
    }
    for (let i = 0; i < 10; i++) t.equal(await get(session, `/${i}`), '::1');
    t.equal(seen.connections, 1, 'one TCP connection for all ten');
    session.close();
    await once(session, 'close');
    await backToBaseline(t, baseline, 'after session.close()');
  });

  t.test(`http2.connect with ${name}: an unknown name fails with ENOTFOUND`, async (t) => {
    const { seen, connect } = await setup(t, 'healthy', variant);
    const [err] = (await once(connect(MISSING_NAME), 'error')) as [Error & { code?: string }];
    t.equal(err.code, 'ENOTFOUND');
    t.equal(seen.connections, 0);
  });
}
