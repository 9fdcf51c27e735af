/**
 * The Resolver over DoT and DoH: entries mixed with plain ones, the cache and coalescing
 * on top of any transport, the racer fed by an encrypted resolver, and the DoH host name
 * resolved only through the hosts file and the plain servers.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { connect } from '../lib/connect.js';
import { startLab } from '../lib/lab/lab.js';
import { FakeDotServer } from '../scripts/harness/dot-server.js';
import { Resolver, type ResolverOptions } from '../lib/resolver.js';
import { CA, CREDENTIALS, SELF_SIGNED, dohServer, dotServer, eventually } from './helpers/encrypted.js';
import { FakeDnsServer } from './helpers/fake-dns-server.js';
import type { Test } from 'tap';
import { fixtureZones } from '../scripts/harness/zones.js';

function resolverFor(t: Test, options: ResolverOptions): Resolver {
  const resolver = new Resolver({ resolvConf: false, hosts: false, timeout: 3000, attempts: 1, tls: { ca: CA }, ...options });
  t.teardown(() => resolver.close());
  return resolver;
}

async function plainServer(t: Test): Promise<FakeDnsServer> {
  const server = await FakeDnsServer.start({ zones: fixtureZones() });
  t.teardown(() => server.close());
  return server;
}

t.test('tls://, https:// and plain entries side by side (rotate): each answers, each counted', async (t) => {
  const [dot, doh, plain] = [await dotServer(t), await dohServer(t), await plainServer(t)];
  const resolver = resolverFor(t, { servers: [dot.entry, doh.url(), plain.server], rotate: true, cache: false });
  const servers = [];
  for (let i = 0; i < 3; i++) servers.push((await resolver.query('www.example.test', 'A')).server);
  t.same(servers, [dot.entry, doh.url(), plain.server]);
  t.match(resolver.stats(), { queriesSent: 3, dotQueries: 1, dohQueries: 1, udpQueries: 1, dotConnections: 1, dohSessions: 1 });
});

t.test('cache and coalescing work the same over DoT: 10 concurrent lookups, 1 query upstream', async (t) => {
  const dot = await dotServer(t);
  const resolver = resolverFor(t, { servers: [dot.entry] });
  const answers = await Promise.all(Array.from({ length: 10 }, () => resolver.query('www.example.test', 'A')));
  t.ok(answers.every((a) => a.records.length === 2));
  t.equal(dot.count('www.example.test', 'A'), 1, 'one query reached the DoT server');
  t.match(resolver.stats(), { coalesced: 9, upstreamQueries: 1, dotQueries: 1 });
  t.equal((await resolver.query('www.example.test', 'A')).source, 'cache');
  t.equal(dot.count(), 1, 'a cache hit sends nothing');
});

t.test("the same over DoH (GET, from the resolver's encrypted options)", async (t) => {
  const doh = await dohServer(t);
  const resolver = resolverFor(t, { servers: [doh.url()], encrypted: { dohMethod: 'GET' } });
  await Promise.all(Array.from({ length: 10 }, () => resolver.query('www.example.test', 'AAAA')));
  t.equal(doh.count(), 1);
  t.same(
    doh.requests.map((r) => r.method),
    ['GET'],
  );
  t.match(resolver.stats(), { coalesced: 9, dohQueries: 1 });
});

t.test('a DoT server whose certificate is refused: the next server answers, the failure is counted', async (t) => {
  const [bad, plain] = [await dotServer(t, { credentials: SELF_SIGNED }), await plainServer(t)];
  const resolver = resolverFor(t, { servers: [bad.entry, plain.server] });
  t.equal((await resolver.query('www.example.test', 'A')).server, plain.server);
  t.match(resolver.stats(), { certificateFailures: 1, udpQueries: 1 });
});

t.test('the DoH host name is resolved by the plain servers, never by the DoH server itself', async (t) => {
  const [doh, plain] = [await dohServer(t), await plainServer(t)];
  plain.setRecords('dns.example.test', 'A', ['127.0.0.1']);
  const url = doh.url('dns.example.test');
  const resolver = resolverFor(t, { servers: [url, plain.server] });
  const answer = await resolver.query('www.example.test', 'A');
  t.equal(answer.server, url, 'answered over DoH');
  t.same(
    plain
      .queries()
      .map((q) => `${q.name} ${q.type}`)
      .sort(),
    ['dns.example.test A', 'dns.example.test AAAA'],
    'the plain server was asked only for the DoH host',
  );
  t.equal(doh.count('dns.example.test'), 0, 'the DoH server was never asked for its own name');
  t.match(resolver.stats(), { dohQueries: 1, udpQueries: 0 }, "bootstrap queries are not the resolver's");
});

t.test('the DoH host name from the hosts file; not found there and no plain server: ECONNREFUSED naming why', async (t) => {
  const doh = await dohServer(t);
  const dir = await mkdtemp(join(tmpdir(), 'he-doh-hosts-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const hosts = join(dir, 'hosts');
  await writeFile(hosts, '127.0.0.1 dns.he.test\n');
  const resolver = resolverFor(t, { servers: [doh.url('dns.he.test')], hosts });
  t.equal((await resolver.query('www.example.test', 'A')).records.length, 2);
  const unknown = resolverFor(t, { servers: [doh.url('other.he.test')], hosts });
  const err = await unknown.query('www.example.test', 'A').catch((e: unknown) => e);
  t.match(err, { code: 'ECONNREFUSED', cause: { code: 'ENOTFOUND', message: /other\.he\.test is not in the hosts file, and no plain server/ } });
});

t.test('a DoH host name the plain servers do not know: that server fails (no session), the next answers', async (t) => {
  const [doh, plain] = [await dohServer(t), await plainServer(t)];
  const resolver = resolverFor(t, { servers: [doh.url('nope.example.test'), plain.server] });
  t.equal((await resolver.query('www.example.test', 'A')).server, plain.server);
  t.match(resolver.stats(), { dohQueries: 1, dohSessions: 0, udpQueries: 1 });
  t.equal(doh.sessions, 0);
});

t.test('lookup() (the dns.lookup contract) over DoT', async (t) => {
  const dot = await dotServer(t);
  const resolver = resolverFor(t, { servers: [dot.entry] });
  const all = await new Promise<Array<{ address: string }>>((resolve, reject) =>
    resolver.lookup('www.example.test', { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses as Array<{ address: string }>))),
  );
  // The order is the RFC 6724 sort for this machine's interfaces; the set is what matters here.
  t.same(
    [...all].sort((a, b) => a.address.localeCompare(b.address)),
    [
      { address: '192.0.2.1', family: 4 },
      { address: '192.0.2.2', family: 4 },
      { address: '2001:db8::1', family: 6 },
    ],
  );
});

t.test('the racer over an encrypted resolver: connect() to a lab host, DNS only over DoT', async (t) => {
  const lab = await startLab({ hosts: [{ name: 'dual.he.test', ipv6: 'accept', ipv4: 'accept' }] });
  t.teardown(() => lab.close());
  const dot = await FakeDotServer.start({ credentials: CREDENTIALS, store: lab.dns.store });
  t.teardown(() => dot.close());
  const resolver = resolverFor(t, { servers: [dot.entry] });
  const socket = await connect({ host: 'dual.he.test', port: lab.host('dual.he.test').port, resolver });
  t.teardown(() => socket.destroy());
  t.ok(['::1', '127.0.0.1'].includes(socket.remoteAddress!), `connected to ${socket.remoteAddress}`);
  t.same([dot.count('dual.he.test', 'AAAA'), dot.count('dual.he.test', 'A')], [1, 1], 'AAAA and A over DoT');
  t.equal(lab.dns.count(), 0, 'nothing over plain DNS');
});

t.test('close() closes DoT connections, DoH sessions and the bootstrap client', async (t) => {
  const [dot, doh, plain] = [await dotServer(t), await dohServer(t), await plainServer(t)];
  plain.setRecords('dns.example.test', 'A', ['127.0.0.1']);
  const resolver = new Resolver({
    servers: [dot.entry, doh.url('dns.example.test'), plain.server],
    resolvConf: false,
    hosts: false,
    tls: { ca: CA },
    rotate: true,
    cache: false,
  });
  await resolver.query('www.example.test', 'A');
  await resolver.query('www.example.test', 'A');
  t.same([dot.openConnections, doh.openSessions], [1, 1]);
  resolver.close();
  t.ok(await eventually(() => dot.openConnections === 0 && doh.openSessions === 0));
  await t.rejects(resolver.query('www.example.test', 'A'), { code: 'ECANCELLED' });
});
