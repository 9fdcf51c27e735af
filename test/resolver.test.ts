import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { Resolver } from '../lib/resolver.js';
import { FakeDnsServer } from './helpers/fake-dns-server.js';
import { loadZone } from './helpers/fake-dns-zone.js';

const zones = [loadZone(new URL('../../fixtures/zones/example.test.json', import.meta.url))];

async function withServer(t: Test): Promise<FakeDnsServer> {
  const server = await FakeDnsServer.start({ zones });
  t.teardown(() => server.close());
  return server;
}

function resolverFor(t: Test, server: FakeDnsServer, options: ConstructorParameters<typeof Resolver>[0] = {}): Resolver {
  const resolver = new Resolver({ servers: [server.server], resolvConf: false, hosts: false, timeout: 2000, attempts: 1, ...options });
  t.teardown(() => resolver.close());
  return resolver;
}

t.test('IP literals are answered without DNS, in their own family only', async (t) => {
  const server = await withServer(t);
  const resolver = resolverFor(t, server);
  t.same(await resolver.resolve('192.0.2.9', 'A'), [{ address: '192.0.2.9', ttl: 0 }]);
  t.same((await resolver.query('[::1]', 'AAAA')).records, [{ address: '::1', ttl: 0 }]);
  t.equal((await resolver.query('::1', 'AAAA')).source, 'literal');
  await t.rejects(resolver.query('192.0.2.9', 'AAAA'), { code: 'ENODATA', hostname: '192.0.2.9' });
  t.equal(server.count(), 0);
  t.equal(resolver.stats().literalAnswers, 4);
});

t.test('localhost is loopback even without a hosts file (RFC 6761)', async (t) => {
  const server = await withServer(t);
  const resolver = resolverFor(t, server);
  t.same(await resolver.resolve('localhost', 'A'), [{ address: '127.0.0.1', ttl: 0 }]);
  t.same(await resolver.resolve('app.localhost', 'AAAA'), [{ address: '::1', ttl: 0 }]);
  t.equal(server.count(), 0);
});

t.test('the hosts file answers before DNS; a name it knows for the other family only is ENODATA in a lookup of both', async (t) => {
  const server = await withServer(t);
  const dir = await mkdtemp(join(tmpdir(), 'he-hosts-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const hosts = join(dir, 'hosts');
  await writeFile(hosts, '192.0.2.50 www.example.test pinned\n');
  const resolver = resolverFor(t, server, { hosts });
  const answer = await resolver.query('WWW.example.test', 'A');
  t.same(answer.records, [{ address: '192.0.2.50', ttl: 0 }]);
  t.equal(answer.source, 'hosts');
  await t.rejects(resolver.query('pinned', 'AAAA', { both: true }), { code: 'ENODATA' });
  t.equal(server.count(), 0, 'no DNS query for names in the hosts file');
  t.same(await resolver.resolve('v4only.example.test', 'A'), [{ address: '192.0.2.4', ttl: 300 }], 'other names go to DNS');
  t.equal(resolver.stats().hostsAnswers, 2);
  // glibc's nss_files for AF_INET6 alone: no IPv6 line, the file does not know the name.
  t.same(await resolver.resolve('www.example.test', 'AAAA'), [{ address: '2001:db8::1', ttl: 600 }], 'AAAA alone: DNS is asked');
  t.equal(server.count('www.example.test', 'AAAA'), 1);
});

t.test('DNS answers are cached: a second query sends nothing', async (t) => {
  const server = await withServer(t);
  const resolver = resolverFor(t, server);
  const first = await resolver.query('www.example.test', 'AAAA');
  t.same(first.records, [{ address: '2001:db8::1', ttl: 600 }]);
  t.equal(first.server, server.server);
  const second = await resolver.query('www.example.test', 'AAAA');
  t.equal(second.source, 'cache');
  t.same(
    second.records.map((r) => r.address),
    ['2001:db8::1'],
  );
  t.equal(server.count('www.example.test', 'AAAA'), 1);
  const stats = resolver.stats();
  t.equal(stats.hits, 1);
  t.equal(stats.misses, 1);
  t.equal(stats.queriesSent, 1);
});

t.test('cache: false asks upstream every time', async (t) => {
  const server = await withServer(t);
  const resolver = resolverFor(t, server, { cache: false });
  await resolver.query('www.example.test', 'A');
  await resolver.query('www.example.test', 'A');
  t.equal(server.count('www.example.test', 'A'), 2);
  t.equal(resolver.stats().hits, 0);
});

t.test('10,000 concurrent lookups of one cold name: one AAAA and one A upstream', async (t) => {
  const server = await withServer(t);
  const resolver = resolverFor(t, server);
  const lookups = Array.from({ length: 10_000 }, (_, i) => resolver.query('www.example.test', i % 2 ? 'A' : 'AAAA'));
  const answers = await Promise.all(lookups);
  t.equal(answers.length, 10_000);
  t.ok(answers.every((a) => a.records.length > 0));
  t.equal(server.count('www.example.test', 'AAAA'), 1);
  t.equal(server.count('www.example.test', 'A'), 1);
  t.equal(resolver.stats().coalesced, 9_998);
});

t.test('a repeated NXDOMAIN within its negative TTL sends nothing', async (t) => {
  const server = await withServer(t);
  const resolver = resolverFor(t, server);
  for (let i = 0; i < 3; i++) {
    await t.rejects(resolver.query('missing.example.test', 'A'), { code: 'ENOTFOUND', hostname: 'missing.example.test' });
  }
  t.equal(server.count('missing.example.test', 'A'), 1);
  t.equal(resolver.stats().negativeHits, 2);
});

t.test('search domains from options expand short names', async (t) => {
  const server = await withServer(t);
  const resolver = resolverFor(t, server, { search: ['example.test'], ndots: 1 });
  const answer = await resolver.query('www', 'A');
  t.equal(answer.name, 'www.example.test');
  t.same(
    answer.records.map((r) => r.address),
    ['192.0.2.1', '192.0.2.2'],
  );
});

t.test('resolv.conf supplies servers and options when none are given', async (t) => {
  const server = await withServer(t);
  const dir = await mkdtemp(join(tmpdir(), 'he-resolv-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const conf = join(dir, 'resolv.conf');
  // resolv.conf cannot carry a port: point the fake server's port through `servers`,
  // and take the search list from the file.
  await writeFile(conf, 'nameserver 127.0.0.1\nsearch example.test\noptions timeout:1 attempts:1\n');
  const resolver = new Resolver({ resolvConf: conf, hosts: false, servers: [server.server] });
  t.teardown(() => resolver.close());
  t.equal((await resolver.query('v4only', 'A')).name, 'v4only.example.test');
});

t.test('with the upstream silenced, a stale entry keeps answering at cache speed (RFC 8767)', async (t) => {
  const server = await withServer(t);
  server.setRecords('short.example.test', 'A', ['192.0.2.99'], 1);
  const resolver = resolverFor(t, server, { cache: { staleWhileRevalidate: 30 } });
  t.equal((await resolver.query('short.example.test', 'A')).source, 'dns');
  server.setBehaviour('short.example.test', 'A', { drop: 'all' });
  await new Promise((resolve) => setTimeout(resolve, 1100));
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    const answer = await resolver.query('short.example.test', 'A');
    const ms = performance.now() - started;
    t.equal(answer.source, 'stale');
    t.same(
      answer.records.map((r) => r.address),
      ['192.0.2.99'],
    );
    t.ok(ms < 50, `stale answer ${i} in ${ms.toFixed(2)} ms, not waiting on the silent server`);
  }
  t.equal(resolver.stats().refreshes, 1, 'one background refresh, not one per lookup');
});

t.test('invalid names are EBADNAME; bad options name the option', async (t) => {
  const server = await withServer(t);
  const resolver = resolverFor(t, server);
  await t.rejects(resolver.query('bad name.test', 'A'), { code: 'EBADNAME' });
  await t.rejects(resolver.query(`${'a'.repeat(64)}.test`, 'A'), { code: 'EBADNAME' });
  await t.rejects(resolver.query('www.example.test', 'MX' as 'A'), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'type' });
  t.throws(() => new Resolver({ servers: [] }), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'servers' });
  t.throws(() => new Resolver({ servers: ['not-an-ip'] }), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'servers[0]' });
  t.throws(() => new Resolver({ nameservers: ['127.0.0.1'] } as never), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'options.nameservers' });
  t.throws(() => new Resolver(null as never), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'options' });
  t.throws(() => new Resolver({ cache: { maxEntries: -1 } }), { code: 'ERR_HE_INVALID_ARGUMENT' });
});

t.test('every option is checked in the constructor, not at the first query', async (t) => {
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ cache: 'yes' }, 'cache'],
    [{ cache: null }, 'cache'],
    [{ timeout: 0 }, 'timeout'],
    [{ timeout: 2 ** 31 }, 'timeout'],
    [{ attempts: 11 }, 'attempts'],
    [{ rotate: 'yes' }, 'rotate'],
    [{ search: 'example.test' }, 'search'],
    [{ ndots: 16 }, 'ndots'],
    [{ dns0x20: 1 }, 'dns0x20'],
    [{ clock: {} }, 'clock'],
    [{ cache: false, clock: { now: () => 0 } }, 'clock'],
    [{ resolvConf: 5 }, 'resolvConf'],
    [{ hosts: '' }, 'hosts'],
  ];
  for (const [options, option] of bad) {
    t.throws(() => new Resolver({ servers: ['127.0.0.1'], ...options }), { code: 'ERR_HE_INVALID_ARGUMENT', option }, JSON.stringify(options));
  }
});

t.test('an aborted signal rejects at once; close() ends queries and leaves nothing behind', async (t) => {
  const server = await withServer(t);
  const baseline = process.getActiveResourcesInfo().length;
  const resolver = resolverFor(t, server, { timeout: 5000 });
  await t.rejects(resolver.query('www.example.test', 'A', { signal: AbortSignal.abort() }), { name: 'AbortError' });
  server.setBehaviour('slow.example.test', 'A', { drop: 'all' });
  const pending = resolver.query('slow.example.test', 'A');
  await new Promise((resolve) => setTimeout(resolve, 20));
  resolver.close();
  await t.rejects(pending, { code: 'ECANCELLED' });
  await t.rejects(resolver.query('www.example.test', 'A'), { code: 'ECANCELLED' });
  await new Promise((resolve) => setImmediate(resolve));
  t.ok(process.getActiveResourcesInfo().length <= baseline, 'no socket or timer left');
});

t.test('resolver.lookup is bound and follows the dns.lookup contract', async (t) => {
  const server = await withServer(t);
  const { lookup } = resolverFor(t, server);
  const all = await new Promise<Array<{ address: string; family: number }>>((resolve, reject) =>
    lookup('www.example.test', { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );
  t.same(new Set(all.map((a) => a.address)), new Set(['2001:db8::1', '192.0.2.1', '192.0.2.2']));
  const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('missing.example.test', (e) => resolve(e)));
  t.equal(err?.code, 'ENOTFOUND');
  t.equal(err?.syscall, 'getaddrinfo');
});

t.test('getDefaultResolver gives one shared resolver, made lazily (nothing is read or sent here)', async (t) => {
  const { getDefaultResolver } = await import('../lib/resolver.js');
  const a = getDefaultResolver();
  t.type(a, Resolver);
  t.equal(getDefaultResolver(), a);
  t.equal(a.stats().queriesSent, 0);
});

t.test('close() while the configuration loads still releases everything', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'he-resolv-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const conf = join(dir, 'resolv.conf');
  await writeFile(conf, '# no nameserver lines: glibc falls back to 127.0.0.1\n');
  const hosts = join(dir, 'hosts');
  await writeFile(hosts, '192.0.2.60 pinned.test\n');
  const resolver = new Resolver({ resolvConf: conf, hosts });
  const pending = resolver.query('pinned.test', 'A');
  resolver.close();
  await t.rejects(pending, { code: 'ECANCELLED' }, 'a query waiting on the configuration ends with the resolver');
  await t.rejects(resolver.query('pinned.test', 'A'), { code: 'ECANCELLED' });
});

t.test('an injected clock drives the cache: TTLs count down without sleeping', async (t) => {
  const { FakeClock } = await import('./helpers/fake-clock.js');
  const server = await withServer(t);
  const clock = new FakeClock();
  const dir = await mkdtemp(join(tmpdir(), 'he-hosts-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'hosts'), '');
  const resolver = resolverFor(t, server, { clock, hosts: join(dir, 'hosts') });
  t.equal((await resolver.query('www.example.test', 'A')).ttl, 300);
  clock.advance(100_000);
  const later = await resolver.query('www.example.test', 'A');
  t.equal(later.source, 'cache');
  t.equal(later.ttl, 200);
  t.equal(server.count('www.example.test', 'A'), 1);
  await t.rejects(resolver.query(42 as never, 'A'), { code: 'EBADNAME' });
});

t.test('every query is published on happy-eyeballs:dns:query when someone listens', async (t) => {
  const diagnostics = await import('node:diagnostics_channel');
  const server = await withServer(t);
  const resolver = resolverFor(t, server);
  const seen: Array<Record<string, unknown>> = [];
  const listener = (message: unknown) => seen.push(message as Record<string, unknown>);
  diagnostics.subscribe('happy-eyeballs:dns:query', listener);
  t.teardown(() => diagnostics.unsubscribe('happy-eyeballs:dns:query', listener));
  await resolver.query('www.example.test', 'AAAA');
  await resolver.query('missing.example.test', 'A').catch(() => {});
  t.equal(seen.length, 2);
  t.match(seen[0], { name: 'www.example.test', type: 'AAAA', source: 'dns', addresses: ['2001:db8::1'], server: server.server });
  t.ok(typeof seen[0]!.ms === 'number' && (seen[0]!.ms as number) >= 0);
  t.match(seen[1], { name: 'missing.example.test', type: 'A', error: { code: 'ENOTFOUND' } });
});

t.test('a warm lookup() answers from fresh entries at once, still asynchronously; an expired one still refreshes (RFC 8767)', async (t) => {
  const { FakeClock } = await import('./helpers/fake-clock.js');
  const server = await withServer(t);
  server.setRecords('warm.example.test', 'A', ['192.0.2.70'], 60);
  server.setRecords('warm.example.test', 'AAAA', ['2001:db8::70'], 60);
  const clock = new FakeClock();
  const resolver = resolverFor(t, server, { clock, cache: { staleWhileRevalidate: 30 } });
  const all = (name: string) =>
    new Promise<string[] | NodeJS.ErrnoException>((resolve) => {
      let sync = true;
      resolver.lookup(name, { all: true }, (err, addresses) => {
        t.notOk(sync, `callback for ${name} not called synchronously`);
        resolve(err ?? addresses.map((a) => a.address).sort()); // the order depends on this host's routes (RFC 6724)
      });
      sync = false;
    });
  t.same(await all('warm.example.test'), ['192.0.2.70', '2001:db8::70']);
  const before = resolver.stats();
  t.same(await all('WARM.example.test.'), ['192.0.2.70', '2001:db8::70']);
  t.same([resolver.stats().hits - before.hits, resolver.stats().queriesSent - before.queriesSent], [2, 0], 'two hits, nothing sent');

  await all('missing.example.test');
  t.match(await all('missing.example.test'), { code: 'ENOTFOUND', syscall: 'getaddrinfo' }, 'a remembered NXDOMAIN, from peek');
  t.match(await all('bad name.test'), { code: 'EBADNAME' }, 'bad names still go the query way');
  t.same(await all('localhost'), ['127.0.0.1', '::1']);

  clock.advance(60_000);
  t.same(await all('warm.example.test'), ['192.0.2.70', '2001:db8::70'], 'served stale');
  t.equal(resolver.stats().staleServed, 2);
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal(resolver.stats().refreshes, 2, 'each expired entry refreshed in the background');
  t.equal(server.count('warm.example.test', 'A'), 2);
});

t.test('lookup() with the hosts file: its names, and any name once a check is due, go the query way', async (t) => {
  const { FakeClock } = await import('./helpers/fake-clock.js');
  const server = await withServer(t);
  const clock = new FakeClock();
  const dir = await mkdtemp(join(tmpdir(), 'he-hosts-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const hosts = join(dir, 'hosts');
  await writeFile(hosts, '192.0.2.50 pinned.example.test\n');
  const resolver = resolverFor(t, server, { clock, hosts });
  const first = (name: string) => new Promise<string>((resolve, reject) => resolver.lookup(name, 4, (err, address) => (err ? reject(err) : resolve(address))));
  t.equal(await first('www.example.test'), '192.0.2.1');
  t.equal(await first('pinned.example.test'), '192.0.2.50');
  t.equal(await first('www.example.test'), '192.0.2.1');
  t.equal(resolver.stats().hits, 1);
  await writeFile(hosts, '192.0.2.51 www.example.test\n');
  clock.advance(1000);
  t.equal(await first('www.example.test'), '192.0.2.51', 'the due check sees the new file, the cache does not hide it');
  t.equal(resolver.stats().hostsAnswers, 2);
});

t.test('lookup() with no cache, a diagnostics listener, or a closed resolver never takes the shortcut', async (t) => {
  const diagnostics = await import('node:diagnostics_channel');
  const server = await withServer(t);
  const one = (r: Resolver, name: string) =>
    new Promise<string | NodeJS.ErrnoException>((resolve) => r.lookup(name, 4, (err, address) => resolve(err ?? address)));
  const uncached = resolverFor(t, server, { cache: false });
  await one(uncached, 'www.example.test');
  t.equal(await one(uncached, 'www.example.test'), '192.0.2.1');
  t.equal(server.count('www.example.test', 'A'), 2);

  const resolver = resolverFor(t, server);
  await one(resolver, 'www.example.test');
  const seen: unknown[] = [];
  const listener = (message: unknown) => seen.push(message);
  diagnostics.subscribe('happy-eyeballs:dns:query', listener);
  t.teardown(() => diagnostics.unsubscribe('happy-eyeballs:dns:query', listener));
  t.equal(await one(resolver, 'www.example.test'), '192.0.2.1');
  t.match(seen, [{ name: 'www.example.test', type: 'A', source: 'cache' }], 'the cached answer is published');
  diagnostics.unsubscribe('happy-eyeballs:dns:query', listener);
  resolver.close();
  t.match(await one(resolver, 'www.example.test'), { code: 'ECANCELLED' });
});
