/**
 * The Resolver follows the system as it changes (issue 13): resolv.conf and gai.conf are
 * checked at most once a second, on use. The clock is real time plus an offset, so a
 * test moves past the check interval without sleeping.
 */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { Clock } from '../lib/clock.js';
import { Resolver, resolverPolicy } from '../lib/resolver.js';
import { DEFAULT_POLICY_TABLE } from '../lib/address/policy-table.js';
import { FakeDnsServer } from './helpers/fake-dns-server.js';
import { loadZone } from './helpers/fake-dns-zone.js';

const zones = ['example.test', 'other.test'].map((name) => loadZone(new URL(`../../fixtures/zones/${name}.json`, import.meta.url)));

/** Real time plus `skip`: `skip(1000)` makes every configuration file due for a check. */
function offsetClock(): Clock & { skip(ms: number): void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    skip: (ms) => void (offset += ms),
  };
}

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'he-i13-follow-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const lookupAll = (resolver: Resolver, host: string): Promise<string[]> =>
  new Promise((resolve, reject) =>
    resolver.lookup(host, { all: true, order: 'verbatim' }, (err, addresses) => (err ? reject(err) : resolve(addresses.map((a) => a.address)))),
  );

t.test('a new search list is used by the next query; the cache is kept', async (t) => {
  const server = await FakeDnsServer.start({ zones });
  t.teardown(() => server.close());
  const dir = await tempDir(t);
  const conf = join(dir, 'resolv.conf');
  await writeFile(conf, 'search example.test\n');
  const clock = offsetClock();
  const resolver = new Resolver({ servers: [server.server], resolvConf: conf, gaiConf: false, hosts: false, clock, timeout: 2000, attempts: 1 });
  t.teardown(() => resolver.close());
  t.equal((await resolver.query('www', 'A')).name, 'www.example.test');

  await writeFile(conf, 'search other.test\n');
  t.equal((await resolver.query('www', 'A')).source, 'cache', 'within the second: not checked yet');
  clock.skip(1000);
  const cached = await resolver.query('www', 'A');
  t.equal(cached.source, 'cache', 'a change of search list alone flushes nothing');
  t.equal(cached.name, 'www.example.test');
  server.resetCounts();
  t.same(await resolver.resolve('www', 'AAAA'), [{ address: '2001:db8:5::1', ttl: 45 }], 'www.other.test');
  t.same(
    server.queries().map((q) => q.name),
    ['www.other.test'],
    'a query not cached uses the new search list',
  );
});

t.test('a file replaced by rename is seen too, and options change with it', async (t) => {
  const server = await FakeDnsServer.start({ zones });
  t.teardown(() => server.close());
  const dir = await tempDir(t);
  const conf = join(dir, 'resolv.conf');
  await writeFile(conf, 'search example.test\n');
  const clock = offsetClock();
  const resolver = new Resolver({ servers: [server.server], resolvConf: conf, gaiConf: false, hosts: false, clock, cache: false, timeout: 2000, attempts: 1 });
  t.teardown(() => resolver.close());
  await resolver.query('www', 'A');
  t.equal(server.count('www.example.test', 'A', 'udp'), 1);
  await writeFile(join(dir, 'next'), 'search example.test\noptions use-vc\n');
  await rename(join(dir, 'next'), conf);
  clock.skip(1000);
  await resolver.query('www', 'A');
  t.equal(server.count('www.example.test', 'A', 'tcp'), 1, 'use-vc: over TCP now');
  t.equal(resolver.stats().queriesSent, 2, 'counters of the replaced client are kept');
});

t.test('new servers flush the cache; options no-reload stops following', async (t) => {
  const dir = await tempDir(t);
  const conf = join(dir, 'resolv.conf');
  // Loopback addresses nobody listens on: every query fails at once (ECONNREFUSED), and
  // the failure is remembered for a second (errorTtl).
  await writeFile(conf, 'nameserver 127.253.13.1\noptions attempts:1\n');
  const clock = offsetClock();
  const resolver = new Resolver({ resolvConf: conf, gaiConf: false, hosts: false, clock, cache: { errorTtl: 60 } });
  t.teardown(() => resolver.close());
  await t.rejects(resolver.query('a.test', 'A'), { code: 'ECONNREFUSED', server: '127.253.13.1:53' });
  t.match(resolver.stats(), { entries: 1, upstreamQueries: 1 });

  await writeFile(conf, 'nameserver 127.253.13.1\noptions attempts:1 rotate\n');
  clock.skip(1000);
  await t.rejects(resolver.query('a.test', 'A'), { code: 'ECONNREFUSED' });
  t.match(resolver.stats(), { upstreamQueries: 1, errorHits: 1 }, 'same servers: the remembered failure still answers');

  await writeFile(conf, 'nameserver 127.253.13.2\noptions attempts:1 no-reload\n');
  clock.skip(1000);
  await t.rejects(resolver.query('a.test', 'A'), { code: 'ECONNREFUSED', server: '127.253.13.2:53' }, 'asked of the new server');
  t.match(resolver.stats(), { upstreamQueries: 2 }, 'the cache was flushed');

  await writeFile(conf, 'nameserver 127.253.13.3\n');
  clock.skip(5000);
  await t.rejects(resolver.query('b.test', 'A'), { server: '127.253.13.2:53' } as never, 'no-reload: the file is never read again');
});

t.test('gai.conf rewritten: lookup() orders with the new table', async (t) => {
  const server = await FakeDnsServer.start({ zones });
  t.teardown(() => server.close());
  server.setRecords('loop.example.test', 'A', ['127.0.0.1']);
  server.setRecords('loop.example.test', 'AAAA', ['::1']);
  const dir = await tempDir(t);
  const gai = join(dir, 'gai.conf');
  await writeFile(gai, '# nothing yet\n');
  const clock = offsetClock();
  const resolver = new Resolver({ servers: [server.server], resolvConf: false, hosts: false, gaiConf: gai, clock, timeout: 2000, attempts: 1 });
  t.teardown(() => resolver.close());
  t.same(await lookupAll(resolver, 'loop.example.test'), ['::1', '127.0.0.1'], 'RFC 6724 default: ::1 (50) before IPv4 (35)');
  t.equal(resolverPolicy(resolver)!(), DEFAULT_POLICY_TABLE);

  await writeFile(gai, 'precedence ::ffff:0:0/96 100\n');
  clock.skip(1000);
  t.same(await lookupAll(resolver, 'loop.example.test'), ['127.0.0.1', '::1'], 'IPv4 first now');
  t.not(resolverPolicy(resolver)!(), DEFAULT_POLICY_TABLE);
  t.equal(resolverPolicy({}), undefined, 'no policy for other resolvers');
  t.equal(resolverPolicy(null), undefined);
});

t.test('special-use names never reach DNS; the hosts file may still answer them', async (t) => {
  const server = await FakeDnsServer.start({ zones });
  t.teardown(() => server.close());
  const dir = await tempDir(t);
  const hosts = join(dir, 'hosts');
  await writeFile(hosts, '192.0.2.77 listed.invalid\n');
  const resolver = new Resolver({ servers: [server.server], resolvConf: false, gaiConf: false, hosts, search: ['example.test'] });
  t.teardown(() => resolver.close());
  for (const name of ['x.invalid', 'invalid', 'X.ONION.', 'onion']) {
    await t.rejects(resolver.query(name, 'A'), { code: 'ENOTFOUND' }, name);
  }
  t.same(await resolver.resolve('listed.invalid', 'A'), [{ address: '192.0.2.77', ttl: 0 }]);
  t.equal(server.count(), 0, 'nothing sent, not even with the search list');
});

t.test('bad configuration paths are refused at construction, naming the option', async (t) => {
  for (const option of ['resolvConf', 'hosts', 'gaiConf']) {
    t.throws(() => new Resolver({ [option]: '' }), { code: 'ERR_HE_INVALID_ARGUMENT', option });
    t.throws(() => new Resolver({ [option]: 42 } as never), { option } as never);
  }
});

t.test('close() while the configuration loads: the clients built are closed at once', async (t) => {
  const dir = await tempDir(t);
  const conf = join(dir, 'resolv.conf');
  await writeFile(conf, 'nameserver 127.253.13.4\n');
  const resolver = new Resolver({ resolvConf: conf, gaiConf: false, hosts: false });
  const pending = resolver.query('a.test', 'A');
  resolver.close();
  await t.rejects(pending, { code: 'ECANCELLED' });
  // With a DoH server named by host: its bootstrap client is closed too.
  const withDoh = new Resolver({ servers: ['127.253.13.5', 'https://doh.example.test/dns-query'], resolvConf: conf, gaiConf: false, hosts: false });
  const doh = withDoh.query('a.test', 'A');
  withDoh.close();
  await t.rejects(doh, { code: 'ECANCELLED' });
});

t.test('a configuration change retires the DoH bootstrap client with the main one', async (t) => {
  const server = await FakeDnsServer.start({ zones });
  t.teardown(() => server.close());
  const dir = await tempDir(t);
  const conf = join(dir, 'resolv.conf');
  await writeFile(conf, 'search example.test\n');
  const clock = offsetClock();
  const resolver = new Resolver({
    servers: [server.server, 'https://doh.example.test/dns-query'],
    resolvConf: conf,
    gaiConf: false,
    hosts: false,
    clock,
    cache: false,
  });
  t.teardown(() => resolver.close());
  t.equal((await resolver.query('www', 'A')).name, 'www.example.test');
  await writeFile(conf, 'search other.test\n');
  clock.skip(1000);
  t.equal((await resolver.query('www', 'A')).name, 'www.other.test');
});

t.test('the hosts file defaults to /etc/hosts', async (t) => {
  const resolver = new Resolver({ servers: ['127.253.13.6'], resolvConf: false, gaiConf: false });
  t.teardown(() => resolver.close());
  t.equal((await resolver.query('localhost', 'A')).source, 'hosts');
});
