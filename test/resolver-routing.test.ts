/**
 * Where the Resolver sends a name (README "Where names are resolved"), with an injected
 * system lookup standing in for getaddrinfo (the real one, with real NSS modules, runs
 * in a private namespace: test/system/nss-modules.test.ts) and a loopback DNS server.
 */
import diagnostics from 'node:diagnostics_channel';
import nodeDns from 'node:dns';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { channelNames, type DnsQueryMessage } from '../lib/diagnostics.js';
import { Resolver, type ResolverOptions } from '../lib/resolver.js';
import type { SystemAddress, SystemLookup } from '../lib/system/system-backend.js';
import { FakeDnsServer } from './helpers/fake-dns-server.js';
import { loadZone } from './helpers/fake-dns-zone.js';
import { ManualClock } from './helpers/manual-clock.js';
import { unmet } from './helpers/requirements.js';

const zones = [loadZone(new URL('../../fixtures/zones/example.test.json', import.meta.url))];
const SYSTEM_V4: SystemAddress = { address: '198.51.100.7', family: 4 };
const SYSTEM_V6: SystemAddress = { address: '2001:db8:5::7', family: 6 };

interface Harness {
  server: FakeDnsServer;
  dir: string;
  calls: Array<{ name: string; family: number }>;
  systemLookup: SystemLookup;
  resolver(options: ResolverOptions): Resolver;
  file(name: string, text: string): Promise<string>;
}

async function harness(t: Test, answer: (name: string) => SystemAddress[] | string = () => [SYSTEM_V6, SYSTEM_V4]): Promise<Harness> {
  const server = await FakeDnsServer.start({ zones });
  const dir = await mkdtemp(join(tmpdir(), 'he-i14-route-'));
  t.teardown(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  const calls: Harness['calls'] = [];
  const systemLookup: SystemLookup = (name, options, callback) => {
    calls.push({ name, family: options.family });
    const result = answer(name);
    setImmediate(() => {
      if (typeof result === 'string') callback(Object.assign(new Error(result), { code: result }), []);
      else callback(null, options.family === 0 ? result : result.filter((a) => a.family === options.family));
    });
  };
  return {
    server,
    dir,
    calls,
    systemLookup,
    resolver: (options) => {
      const resolver = new Resolver({ resolvConf: false, hosts: false, timeout: 2000, attempts: 1, systemLookup, ...options });
      t.teardown(() => resolver.close());
      return resolver;
    },
    file: async (name, text) => {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    },
  };
}

t.test('bad routing options are InvalidArgumentErrors naming the option', async (t) => {
  const cases: Array<[ResolverOptions, string]> = [
    [{ backend: 'getaddrinfo' as never }, 'backend'],
    [{ backend: null as never }, 'backend'],
    [{ platform: 'freebsd' as never }, 'platform'],
    [{ nsswitch: '' }, 'nsswitch'],
    [{ nsswitch: true as never }, 'nsswitch'],
    [{ resolverDir: 0 as never }, 'resolverDir'],
    [{ systemTtl: -1 }, 'systemTtl'],
    [{ systemTtl: Infinity }, 'systemTtl'],
    [{ systemTtl: '5' as never }, 'systemTtl'],
    [{ systemLookup: 'dns.lookup' as never }, 'systemLookup'],
  ];
  for (const [options, option] of cases) {
    t.throws(() => new Resolver(options), { name: 'InvalidArgumentError', code: 'ERR_HE_INVALID_ARGUMENT', option }, JSON.stringify(options));
  }
  for (const backend of ['auto', 'dns', 'system'] as const) new Resolver({ backend, nsswitch: false, resolverDir: false, systemTtl: 0 }).close();
});

t.test('auto with nss-mdns and nss-myhostname: .local, the host name and _gateway to the system, nothing of them to DNS', async (t) => {
  const h = await harness(t);
  const nsswitch = await h.file('nsswitch.conf', 'hosts: files myhostname mdns4_minimal [NOTFOUND=return] dns\n');
  const resolver = h.resolver({ servers: [h.server.server], nsswitch });
  const messages: DnsQueryMessage[] = [];
  const listen = (m: unknown): void => void messages.push(m as DnsQueryMessage);
  diagnostics.subscribe(channelNames.dnsQuery, listen);
  t.teardown(() => diagnostics.unsubscribe(channelNames.dnsQuery, listen));

  const [v6, v4] = await Promise.all([resolver.query('Printer.local', 'AAAA'), resolver.query('printer.local.', 'A')]);
  t.same(v6.records, [{ address: SYSTEM_V6.address, ttl: 0 }]);
  t.equal(v4.source, 'system');
  t.same(h.calls, [{ name: 'Printer.local', family: 0 }], 'one family-0 lookup for both types');
  t.same(await resolver.resolve(hostname(), 'A'), [{ address: SYSTEM_V4.address, ttl: 0 }]);
  t.same(await resolver.resolve('_gateway', 'AAAA'), [{ address: SYSTEM_V6.address, ttl: 0 }]);
  t.same(
    h.calls.slice(1),
    [
      { name: hostname(), family: 4 },
      { name: '_gateway', family: 6 },
    ],
    'per family: the race acts on each',
  );
  t.equal(h.server.count(), 0, 'the DNS server saw none of them');

  t.equal((await resolver.query('www.example.test', 'A')).source, 'dns');
  t.same(await resolver.resolve('localhost', 'A'), [{ address: '127.0.0.1', ttl: 0 }], 'localhost never routed (RFC 6761)');
  t.same(await resolver.resolve('192.0.2.1', 'A'), [{ address: '192.0.2.1', ttl: 0 }]);
  t.equal(h.server.count('www.example.test'), 1);
  t.equal(h.calls.length, 3);
  t.equal(resolver.stats().systemQueries, 4);
  t.same(
    messages.map((m) => `${m.name} ${m.type} ${m.backend} ${m.source}`),
    [
      'Printer.local AAAA system system',
      'printer.local. A system system',
      `${hostname()} A system system`,
      '_gateway AAAA system system',
      'www.example.test A dns dns',
      'localhost A dns hosts',
      '192.0.2.1 A dns literal',
    ],
  );
});

t.test('system errors reach the caller with the backend named', async (t) => {
  const h = await harness(t, () => 'ENOTFOUND');
  const nsswitch = await h.file('nsswitch.conf', 'hosts: files mdns4_minimal [NOTFOUND=return] dns\n');
  const resolver = h.resolver({ servers: [h.server.server], nsswitch });
  const messages: DnsQueryMessage[] = [];
  const listen = (m: unknown): void => void messages.push(m as DnsQueryMessage);
  diagnostics.subscribe(channelNames.dnsQuery, listen);
  t.teardown(() => diagnostics.unsubscribe(channelNames.dnsQuery, listen));
  await t.rejects(resolver.query('nothere.local', 'A'), { code: 'ENOTFOUND', hostname: 'nothere.local', syscall: 'getaddrinfo' });
  t.match(messages, [{ name: 'nothere.local', backend: 'system', error: { code: 'ENOTFOUND' } }]);
  const lookup = await new Promise<NodeJS.ErrnoException | null>((resolve) => resolver.lookup('nothere.local', (err) => resolve(err)));
  t.match(lookup, { code: 'ENOTFOUND', hostname: 'nothere.local', syscall: 'getaddrinfo' }, 'lookup() speaks Node');
  t.equal(h.server.count(), 0);
});

t.test("backend 'system': every name to getaddrinfo, servers unused; 'dns': none", async (t) => {
  const h = await harness(t);
  const nsswitch = await h.file('nsswitch.conf', 'hosts: files mdns4_minimal [NOTFOUND=return] dns\n');
  const system = h.resolver({ servers: [h.server.server], nsswitch, backend: 'system' });
  t.equal((await system.query('www.example.test', 'AAAA')).source, 'system');
  t.equal((await system.query('app.localhost', 'A')).source, 'hosts', 'localhost names stay local');
  const local = await new Promise<string | undefined>((resolve) => system.lookup('app.localhost', 6, (_e, address) => resolve(address)));
  t.equal(local, '::1', 'lookup() too');
  t.equal(h.server.count(), 0);
  const dns = h.resolver({ servers: [h.server.server], nsswitch, backend: 'dns' });
  await t.rejects(dns.query('printer.local', 'A'), { name: 'DnsError', code: 'EREFUSED' }, 'the fake server refuses names outside its zone');
  t.equal(h.server.count('printer.local'), 1, "'dns' asks DNS even for .local, as before");
  t.same(h.calls, [{ name: 'www.example.test', family: 6 }]);
});

t.test('a source after dns (files dns wins): asked through the system when DNS has no answer', { skip: unmet(['root']) }, async (t) => {
  const h = await harness(t, (name) => (name === 'fileserver' ? [SYSTEM_V4] : 'ENOTFOUND'));
  // resolv.conf servers are asked on port 53: a fake one on a loopback address of its own.
  const address = `127.14.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  const port53 = await FakeDnsServer.start({ zones, host: address, port: 53 });
  t.teardown(() => port53.close());
  const nsswitch = await h.file('nsswitch.conf', 'hosts: files dns wins\n');
  const resolvConf = await h.file('resolv.conf', `nameserver ${address}\nsearch .\n`);
  const resolver = h.resolver({ nsswitch, resolvConf });
  t.equal((await resolver.query('www.example.test', 'A')).source, 'dns', 'DNS answers: no system lookup');
  const warm = await new Promise<string | undefined>((resolve) => resolver.lookup('www.example.test', 4, (_e, address) => resolve(address)));
  t.equal(warm, '192.0.2.1', 'a cached answer is given at once');
  t.equal(port53.count('www.example.test'), 1);
  t.same(h.calls, []);
  const messages: DnsQueryMessage[] = [];
  const listen = (m: unknown): void => void messages.push(m as DnsQueryMessage);
  diagnostics.subscribe(channelNames.dnsQuery, listen);
  const answer = await resolver.query('fileserver', 'A');
  diagnostics.unsubscribe(channelNames.dnsQuery, listen);
  t.match(messages, [{ name: 'fileserver', backend: 'system', source: 'system' }], 'the message names the backend that answered');
  t.equal(answer.source, 'system', 'NXDOMAIN from DNS, then WINS through getaddrinfo');
  t.equal(port53.count('fileserver', 'A'), 1);
  t.same(h.calls, [{ name: 'fileserver', family: 4 }]);
  await t.rejects(resolver.query('nowhere.example.test', 'A'), { code: 'ENOTFOUND', syscall: 'getaddrinfo' }, "then the system's verdict");
  t.equal(port53.count('nowhere.example.test'), 2, 'asked as is, then again for the root entry of the search list (as glibc)');
  const again = await new Promise<string | undefined>((resolve) => resolver.lookup('fileserver', 4, (_e, address) => resolve(address)));
  t.equal(again, SYSTEM_V4.address, 'a cached NXDOMAIN still goes on to the system (peek does not answer it)');
  await t.rejects(resolver.query('hidden.onion', 'A'), { code: 'ENOTFOUND', syscall: 'queryA' }, 'a special-use name: neither DNS nor the system');
  t.equal(port53.count('hidden.onion'), 0);
  port53.setBehaviour('*', '*', { drop: 'all' });
  const cancelled = new AbortController();
  const pending = resolver.query('slow.example.test', 'A', { signal: cancelled.signal });
  cancelled.abort();
  await t.rejects(pending, { name: 'AbortError' }, 'an abort is no DNS verdict: nothing asked of the system');
  t.equal(h.calls.length, 3);
});

t.test('a changed nsswitch.conf changes the route within a second, without a restart', async (t) => {
  const h = await harness(t);
  const clock = new ManualClock();
  const nsswitch = await h.file('nsswitch.conf', 'hosts: files dns\n');
  const resolver = h.resolver({ servers: [h.server.server], nsswitch, clock, cache: false });
  await t.rejects(resolver.query('printer.local', 'A'), { code: 'EREFUSED' });
  await writeFile(nsswitch, 'hosts: files mdns4_minimal [NOTFOUND=return] dns\n');
  await t.rejects(resolver.query('printer.local', 'A'), { code: 'EREFUSED' }, 'inside the interval: the old route');
  clock.advance(1000);
  t.equal((await resolver.query('printer.local', 'A')).source, 'system');
  t.equal(h.server.count('printer.local'), 2);
});

t.test('the warm path: systemTtl answers and routed names through lookup()', async (t) => {
  const h = await harness(t);
  const nsswitch = await h.file('nsswitch.conf', 'hosts: files mdns4_minimal [NOTFOUND=return] dns\n');
  const resolver = h.resolver({ servers: [h.server.server], nsswitch, systemTtl: 60 });
  const lookupAll = (name: string) =>
    new Promise<Array<{ address: string; family: number }>>((resolve, reject) =>
      resolver.lookup(name, { all: true }, (err, a) => (err ? reject(err) : resolve(a))),
    );
  t.same((await lookupAll('printer.local')).map((a) => a.address).sort(), [SYSTEM_V4.address, SYSTEM_V6.address].sort());
  t.same((await lookupAll('printer.local')).length, 2, 'kept for systemTtl');
  t.equal(h.calls.length, 1, 'one family-0 lookup for both');
  t.equal((await resolver.query('printer.local', 'A')).records[0]!.ttl > 0, true);
  t.equal((await lookupAll('www.example.test')).length, 3);
  t.equal((await lookupAll('www.example.test')).length, 3, 'DNS names still warm from the cache');
  t.equal(h.server.count('www.example.test'), 2);
});

t.test('Windows: the system unless servers are given; asked for DNS, the servers c-ares found', async (t) => {
  const h = await harness(t);
  const before = nodeDns.getServers();
  t.teardown(() => nodeDns.setServers(before));
  // What c-ares read from the registry, in this test: set before any resolver reads it.
  nodeDns.setServers([h.server.server]);
  const auto = h.resolver({ platform: 'win32', resolvConf: undefined, hosts: undefined });
  t.equal((await auto.query('www.example.test', 'A')).source, 'system', 'no resolv.conf: getaddrinfo for every name');
  t.equal((await h.resolver({ platform: 'win32', servers: [h.server.server] }).query('www.example.test', 'A')).source, 'dns');
  const dns = h.resolver({ platform: 'android', backend: 'dns' });
  t.equal((await dns.query('www.example.test', 'AAAA')).source, 'dns');
  t.equal(h.server.count('www.example.test', 'AAAA'), 1, 'asked of the server nodeDns.getServers() names');
  t.same(h.calls, [{ name: 'www.example.test', family: 4 }]);
});

t.test('macOS: /etc/resolver domains to their own servers, .local and unsupported files to the system', async (t) => {
  const h = await harness(t);
  const corp = await FakeDnsServer.start({ zones });
  t.teardown(() => corp.close());
  corp.setRecords('host.corp.example.test', 'A', ['127.9.9.9']);
  const resolverDir = join(h.dir, 'resolver');
  await import('node:fs/promises').then((fs) => fs.mkdir(resolverDir));
  await writeFile(join(resolverDir, 'corp.example.test'), `nameserver ${corp.address.address}\nport ${corp.address.port}\ntimeout 2\n`);
  await writeFile(join(resolverDir, 'vpn.example.test'), 'nameserver 127.0.0.254\nsearch vpn.example.test\n');
  await writeFile(join(resolverDir, 'other.example.test'), 'nameserver 127.0.0.1\n');
  const resolver = h.resolver({
    platform: 'darwin',
    resolverDir,
    resolvConf: await h.file('resolv.conf', `nameserver 127.0.0.1\nsearch .\n`),
    servers: undefined,
  });
  const split = await resolver.query('host.corp.example.test', 'A');
  t.same(
    split.records.map((r) => r.address),
    ['127.9.9.9'],
  );
  t.equal(split.server, corp.server, "answered by the file's server");
  t.equal((await resolver.query('printer.local', 'AAAA')).source, 'system');
  t.equal((await resolver.query('a.vpn.example.test', 'A')).source, 'system', '`search` is not followed: the system resolver does it');
  t.equal(corp.count(), 1);
  t.same(
    h.calls.map((c) => c.name),
    ['printer.local', 'a.vpn.example.test'],
  );
  t.equal(h.server.count(), 0);
});

t.test('systemd-resolved behind its stub: single-label names to the system (LLMNR is nss-resolve only)', async (t) => {
  const h = await harness(t);
  const nsswitch = await h.file('nsswitch.conf', 'hosts: files resolve [!UNAVAIL=return] dns\n');
  const resolvConf = await h.file('resolv.conf', 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n');
  const resolver = h.resolver({ servers: [h.server.server], nsswitch, resolvConf });
  t.equal((await resolver.query('nas', 'A')).source, 'system');
  t.equal((await resolver.query('_localdnsstub', 'A')).source, 'system');
  t.equal((await resolver.query('www.example.test', 'A')).source, 'dns');
  t.same(
    h.calls.map((c) => c.name),
    ['nas', '_localdnsstub'],
  );
});

t.test('a resolv.conf that stops naming the stub moves single-label names back to DNS, without a restart', async (t) => {
  const h = await harness(t);
  const clock = new ManualClock();
  const nsswitch = await h.file('nsswitch.conf', 'hosts: files resolve [!UNAVAIL=return] dns\n');
  const resolvConf = await h.file('resolv.conf', 'nameserver 127.0.0.53\nsearch .\n');
  const resolver = h.resolver({ servers: [h.server.server], nsswitch, resolvConf, clock, cache: false });
  t.equal((await resolver.query('nas', 'A')).source, 'system');
  await writeFile(resolvConf, 'nameserver 127.0.0.1\nsearch .\n');
  clock.advance(1000);
  await t.rejects(resolver.query('nas', 'A'), { code: 'EREFUSED' }, 'asked of the servers given');
  t.equal(h.server.count('nas'), 1);
  t.same(
    h.calls.map((c) => c.name),
    ['nas'],
  );
});

t.test('nsswitch: false reads no nsswitch.conf: files then DNS for every name', async (t) => {
  const h = await harness(t);
  const resolver = h.resolver({ servers: [h.server.server], nsswitch: false, resolverDir: false });
  await t.rejects(resolver.query('printer.local', 'A'), { code: 'EREFUSED' });
  t.equal((await resolver.query('www.example.test', 'A')).source, 'dns');
  const warm = await new Promise<string | undefined>((resolve) => resolver.lookup('www.example.test', 4, (_e, address) => resolve(address)));
  t.equal(warm, '192.0.2.1');
  t.same(h.calls, []);
});

t.test('close ends system lookups in wait and releases the per-domain clients', async (t) => {
  let release: (() => void) | undefined;
  const systemLookup: SystemLookup = (_name, _o, callback) => {
    release = () => callback(null, [SYSTEM_V4]);
  };
  const resolver = new Resolver({ backend: 'system', systemLookup, resolvConf: false, hosts: false });
  const pending = resolver.query('slow.example', 'A');
  await new Promise((resolve) => setImmediate(resolve));
  resolver.close();
  await t.rejects(pending, { code: 'ECANCELLED' });
  release?.();
  const closedEarly = new Resolver({ platform: 'darwin', resolverDir: join(tmpdir(), 'he-i14-none'), systemLookup, resolvConf: false, hosts: false });
  const query = closedEarly.query('a.example', 'A');
  closedEarly.close();
  await t.rejects(query, { code: 'ECANCELLED' });
});
