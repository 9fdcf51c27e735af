/**
 * pg's `stream` factory giving it a HappyEyeballsSocket (pg calls connect(port, host) on
 * it), against a real PostgreSQL (Debian) started by the tests on loopback in both
 * worlds; with `ssl`, pg runs TLS over our socket itself (tls.connect({ socket })).
 */
import pg from 'pg';
import t, { type Test } from 'tap';
import { HappyEyeballsSocket } from '../../lib/adapters/happy-eyeballs-socket.js';
import type { Resolver } from '../../lib/resolver.js';
import { ca, DUAL_NAME, MISSING_NAME, startDns, type WorldKind } from '../helpers/http-servers.js';
import { forbidSystemDns } from '../helpers/no-system-dns.js';
import { postgresCluster } from '../helpers/postgres-server.js';
import { backToBaseline, settledResources } from '../helpers/race-loopback.js';
import { unmet } from '../helpers/requirements.js';
import { type Serve, startTcpWorld } from '../helpers/tcp-world.js';

const skip = unmet(['postgres']);
if (skip) t.plan(0, skip);
forbidSystemDns(t);
const cluster: Serve | undefined = skip ? undefined : postgresCluster(t);

/** The recipe: every connection pg opens is a HappyEyeballsSocket. */
const config = (resolver: Resolver, host: string, port: number, ssl: boolean): pg.ClientConfig => ({
  host,
  port,
  user: 'postgres',
  database: 'postgres',
  ssl: ssl ? { ca } : false,
  stream: () => new HappyEyeballsSocket({ resolver }),
});

async function setup(t: Test, kind: WorldKind) {
  const { resolver } = await startDns(t);
  const world = await startTcpWorld(t, kind, cluster!);
  return { resolver, port: world.port, baseline: await settledResources() };
}

const who = async (client: pg.Client | pg.Pool) =>
  (
    await client.query<{ addr: string; pid: number; ssl: boolean }>(
      'SELECT host(inet_client_addr()) AS addr, pg_backend_pid() AS pid, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    )
  ).rows[0]!;

for (const ssl of skip ? [] : [false, true]) {
  const tls = ssl ? ' over TLS' : '';
  t.test(`R3/R12: pg stream factory${tls}: IPv6 black-holed, connected over IPv4`, async (t) => {
    const { resolver, port } = await setup(t, 'black-hole');
    const client = new pg.Client(config(resolver, DUAL_NAME, port, ssl));
    const started = performance.now();
    await client.connect();
    t.ok(performance.now() - started >= 200, 'IPv6 was tried first and given its 250 ms');
    t.match(await who(client), { addr: '127.0.0.1', ssl });
    await client.end();
  });

  t.test(`pg stream factory${tls}: healthy, over ::1; a pool of one runs 10 queries on one connection; nothing left after end()`, async (t) => {
    const { resolver, port, baseline } = await setup(t, 'healthy');
    const pool = new pg.Pool({ ...config(resolver, DUAL_NAME, port, ssl), max: 1 });
    const seen = [];
    for (let i = 0; i < 10; i++) seen.push(await who(pool));
    t.same(new Set(seen.map((s) => s.addr)), new Set(['::1']));
    t.equal(new Set(seen.map((s) => s.pid)).size, 1, 'one server backend: one connection');
    t.ok(
      seen.every((s) => s.ssl === ssl),
      ssl ? 'TLS verified against the test CA' : 'no TLS',
    );
    await pool.end();
    await backToBaseline(t, baseline, 'after pool.end()');
  });

  t.test(`pg stream factory${tls}: an unknown name fails with ENOTFOUND`, async (t) => {
    const { resolver, port } = await setup(t, 'healthy');
    const client = new pg.Client(config(resolver, MISSING_NAME, port, ssl));
    const err = (await client.connect().catch((e: unknown) => e)) as { code?: string };
    t.equal(err.code, 'ENOTFOUND');
  });
}
