/**
 * Real redis-server (Debian), started by the tests on loopback in both worlds. ioredis
 * through its `Connector` class returning our socket (plain and TLS); node-redis, which
 * has no socket factory, through `lookup` (Node's autoSelectFamily then connects).
 */
import { Redis, AbstractConnector } from 'ioredis';
import { createClient } from 'redis';
import t, { type Test } from 'tap';
import { createConnection } from '../../lib/adapters/create-connection.js';
import type { Resolver } from '../../lib/resolver.js';
import { ca, DUAL_NAME, MISSING_NAME, startDns, type WorldKind } from '../helpers/http-servers.js';
import { backToBaseline, settledResources } from '../helpers/race-loopback.js';
import { redisServer } from '../helpers/redis-server.js';
import { forbidSystemDns } from '../helpers/no-system-dns.js';
import { unmet } from '../helpers/requirements.js';
import { startTcpWorld } from '../helpers/tcp-world.js';

/** The ioredis recipe: a Connector whose stream is our socket, with the resolver in scope. */
function happyConnector(resolver: Resolver) {
  return class HappyEyeballsConnector extends AbstractConnector {
    readonly options: { host: string; port: number; tls?: object; disconnectTimeout: number };

    constructor(options: unknown) {
      const o = options as HappyEyeballsConnector['options'];
      super(o.disconnectTimeout);
      this.options = o;
    }

    override async connect() {
      return (this.stream = createConnection({ host: this.options.host, port: this.options.port, tls: this.options.tls, resolver }));
    }
  };
}

/** One Redis client, however it is wired; `who()` is the client address the server sees. */
interface Client {
  who(): Promise<string>;
  close(): Promise<unknown>;
}

type Wiring = (resolver: Resolver, host: string, port: number, secure: boolean) => Promise<Client>;

const wirings: Record<string, { secure: boolean; wire: Wiring }> = {
  'ioredis with Connector (our createConnection)': {
    secure: false,
    wire: async (resolver, host, port) => ioredis(new Redis({ host, port, Connector: happyConnector(resolver), lazyConnect: true, retryStrategy: () => null })),
  },
  'ioredis with Connector, TLS': {
    secure: true,
    wire: async (resolver, host, port) =>
      ioredis(new Redis({ host, port, tls: { ca }, Connector: happyConnector(resolver), lazyConnect: true, retryStrategy: () => null })),
  },
  'node-redis with socket.lookup': {
    secure: false,
    wire: async (resolver, host, port) => {
      // node-redis resolves the host once more itself (system resolver) for its maintenance notifications, unless they are off.
      const client = createClient({ socket: { host, port, lookup: resolver.lookup, reconnectStrategy: false }, maintNotifications: 'disabled' });
      client.on('error', () => {});
      await client.connect();
      return {
        who: async () => addressOf(String(await client.sendCommand(['CLIENT', 'INFO']))),
        close: () => client.close(),
      };
    },
  },
};

/** ioredis reports a failed connect on its 'error' event (connect() itself rejects with "Connection is closed."). */
async function ioredis(redis: Redis): Promise<Client> {
  const errors: Error[] = [];
  redis.on('error', (err: Error) => errors.push(err));
  await redis.connect().catch((err: unknown) => {
    throw errors[0] ?? err;
  });
  return { who: async () => addressOf(String(await redis.client('INFO'))), close: () => redis.quit() };
}

/** `addr=[::1]:5432` or `addr=127.0.0.1:5432` in CLIENT INFO: the address part. */
function addressOf(info: string): string {
  const addr = /addr=(\S+):\d+ /.exec(info)?.[1] ?? info;
  return addr.replace(/^\[(.*)\]$/, '$1');
}

async function setup(t: Test, kind: WorldKind, secure: boolean) {
  const { resolver } = await startDns(t);
  const world = await startTcpWorld(t, kind, redisServer({ tls: secure }));
  return { resolver, port: world.port, baseline: await settledResources() };
}

const skip = unmet(['redis']);
if (skip) t.plan(0, skip);
forbidSystemDns(t);

for (const [name, { secure, wire }] of Object.entries(skip ? {} : wirings)) {
  t.test(`${name}: IPv6 black-holed, connected over IPv4`, async (t) => {
    const { resolver, port } = await setup(t, 'black-hole', secure);
    const started = performance.now();
    const client = await wire(resolver, DUAL_NAME, port, secure);
    t.ok(performance.now() - started >= 200, 'IPv6 was tried first and given its 250 ms');
    t.equal(await client.who(), '127.0.0.1');
    await client.close();
  });

  t.test(`${name}: healthy, over ::1; 10 commands on one connection; nothing left after quit`, async (t) => {
    const { resolver, port, baseline } = await setup(t, 'healthy', secure);
    const client = await wire(resolver, DUAL_NAME, port, secure);
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) seen.add(await client.who());
    t.same([...seen], ['::1'], 'every command over ::1');
    await client.close();
    await backToBaseline(t, baseline, 'after quit');
  });

  t.test(`${name}: an unknown name fails with ENOTFOUND`, async (t) => {
    const { resolver, port } = await setup(t, 'healthy', secure);
    const err = (await wire(resolver, MISSING_NAME, port, secure).catch((e: unknown) => e)) as { code?: string };
    t.equal(err.code, 'ENOTFOUND');
  });
}
