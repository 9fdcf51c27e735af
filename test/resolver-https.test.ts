/**
 * Resolver.query(name, 'HTTPS') (RFC 9460): AliasMode followed with a limit and loop
 * detection, TargetName ".", Port Prefix Naming, local names, the cache (hits,
 * coalescing, negative answers), diagnostics.
 */
import diagnostics from 'node:diagnostics_channel';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { channelNames, type DnsQueryMessage } from '../lib/diagnostics.js';
import { MAX_ALIAS_LINKS } from '../lib/dns/alias-chain.js';
import { httpsQueryName } from '../lib/dns/https-name.js';
import { Resolver } from '../lib/resolver.js';
import type { SystemLookup } from '../lib/system/system-backend.js';
import { FakeDnsServer } from './helpers/fake-dns-server.js';
import { fixtureZone } from '../scripts/harness/zones.js';

const SVC = { priority: 1, target: '.', params: { alpn: ['h2', 'h3'], ipv4hint: ['192.0.2.10'], ipv6hint: ['2001:db8::10'] }, ttl: 300 };

async function setup(t: Test, options: ConstructorParameters<typeof Resolver>[0] = {}): Promise<{ server: FakeDnsServer; resolver: Resolver }> {
  const server = await FakeDnsServer.start({ zones: [fixtureZone('svc.test')] });
  t.teardown(() => server.close());
  const resolver = new Resolver({ servers: [server.server], resolvConf: false, hosts: false, timeout: 2000, attempts: 1, ...options });
  t.teardown(() => resolver.close());
  return { server, resolver };
}

t.test('ServiceMode records of the name; resolve() gives the records', async (t) => {
  const { resolver } = await setup(t);
  const answer = await resolver.query('svc.test', 'HTTPS');
  t.same(answer, { name: 'svc.test', type: 'HTTPS', records: [SVC], ttl: 300, cnames: [], aliases: [], server: answer.server, source: 'dns' });
  t.same(await resolver.resolve('svc.test', 'HTTPS'), [SVC]);
});

t.test('AliasMode is followed to the target’s ServiceMode records (RFC 9460 §2.4.2, §3)', async (t) => {
  const { resolver, server } = await setup(t);
  const answer = await resolver.query('alias.svc.test', 'HTTPS');
  t.same(answer.records, [SVC]);
  t.same(answer.aliases, ['svc.test']);
  t.same(answer.cnames, ['svc.test'], 'the chain ends at the owner of the records');
  t.equal(answer.name, 'alias.svc.test');
  t.equal(server.count('svc.test', 'HTTPS'), 1, 'the target was asked');
  const viaCname = await resolver.query('aliascname.svc.test', 'HTTPS');
  t.same(viaCname.aliases, ['cname.svc.test']);
  t.same(viaCname.cnames, ['cname.svc.test', 'svc.test'], 'CNAMEs are followed as normal (§2.4.2)');
});

t.test('an RRset with an AliasMode record is in AliasMode: its ServiceMode records are ignored (§2.4.1)', async (t) => {
  const { resolver } = await setup(t);
  const answer = await resolver.query('mixed.svc.test', 'HTTPS');
  t.same(answer.aliases, ['svc.test']);
  t.same(answer.records, [SVC]);
});

t.test('an alias to a name without HTTPS records, or to ".", ends with no records and says where it went', async (t) => {
  const { resolver } = await setup(t);
  const toNodata = await resolver.query('tonodata.svc.test', 'HTTPS');
  t.same({ records: toNodata.records, aliases: toNodata.aliases, ttl: toNodata.ttl }, { records: [], aliases: ['nodata.svc.test'], ttl: 60 });
  const toNowhere = await resolver.query('tonowhere.svc.test', 'HTTPS');
  t.same(toNowhere.aliases, ['missing.svc.test']);
  const dead = await resolver.query('dead.svc.test', 'HTTPS');
  t.same({ records: dead.records, aliases: dead.aliases }, { records: [], aliases: [] }, 'TargetName "." in AliasMode: no service (§2.5.1)');
});

t.test('a loop or a chain over the limit is a DnsError ESERVFAIL (§3.1)', async (t) => {
  const { resolver } = await setup(t);
  await t.rejects(resolver.query('loop1.svc.test', 'HTTPS'), {
    name: 'DnsError',
    code: 'ESERVFAIL',
    rrtype: 'HTTPS',
    hostname: 'loop1.svc.test',
    message: /AliasMode loop at loop1\.svc\.test \(RFC 9460 §3\.1\)/,
  });
  t.equal(MAX_ALIAS_LINKS, 8);
  await t.rejects(resolver.query('d0.svc.test', 'HTTPS'), { code: 'ESERVFAIL', message: /AliasMode chain longer than 8/ });
  const eight = await resolver.query('d2.svc.test', 'HTTPS');
  t.equal(eight.aliases.length, 8, 'a chain of exactly the limit is followed');
  t.same(
    eight.records.map((r) => r.params),
    [{ alpn: ['h2'] }],
  );
});

t.test('errors of the first hop are the name’s own: NODATA, NXDOMAIN, SERVFAIL', async (t) => {
  const { resolver, server } = await setup(t);
  await t.rejects(resolver.query('nodata.svc.test', 'HTTPS'), { code: 'ENODATA', rrtype: 'HTTPS', negativeTtl: 60 });
  await t.rejects(resolver.query('missing.svc.test', 'HTTPS'), { code: 'ENOTFOUND' });
  server.setBehaviour('svc.test', 'HTTPS', { rcode: 'SERVFAIL' });
  await t.rejects(resolver.query('alias.svc.test', 'HTTPS'), { code: 'ESERVFAIL', hostname: 'svc.test' }, 'a failing alias target fails the query');
  await t.rejects(resolver.query('malformed.svc.test', 'HTTPS'), { code: 'EBADRESP' });
});

t.test('Port Prefix Naming: _PORT._https.host for ports other than 443 (§9.1)', async (t) => {
  const { resolver } = await setup(t);
  t.equal(httpsQueryName('svc.test', 443), 'svc.test');
  t.equal(httpsQueryName('svc.test', 8443), '_8443._https.svc.test');
  t.throws(() => httpsQueryName('svc.test', 70000), { name: 'InvalidArgumentError' });
  t.same(
    (await resolver.query(httpsQueryName('svc.test', 8443), 'HTTPS')).records.map((r) => r.params),
    [{ alpn: ['h2'], port: 8443 }],
  );
});

t.test('IP literals, localhost and hosts-file names have no HTTPS record: no DNS is asked', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'he-i17-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'hosts'), '192.0.2.99 svc.test\n2001:db8::99 v6only.svc.test\n');
  const { resolver, server } = await setup(t, { hosts: join(dir, 'hosts') });
  for (const name of ['192.0.2.1', '::1', 'localhost', 'svc.test', 'v6only.svc.test']) {
    await t.rejects(resolver.query(name, 'HTTPS'), { code: 'ENODATA', rrtype: 'HTTPS' }, name);
  }
  t.equal(server.count(), 0);
  t.same(await resolver.query('alias.svc.test', 'HTTPS').then((a) => a.aliases), ['svc.test'], 'names the file does not know are asked');
});

t.test('names routed to getaddrinfo and special-use names have no HTTPS record: neither DNS nor the system is asked', async (t) => {
  let systemCalls = 0;
  const systemLookup: SystemLookup = (_name, _options, callback) => {
    systemCalls++;
    setImmediate(() => callback(null, []));
  };
  const routed = await setup(t, { backend: 'system', systemLookup });
  await t.rejects(routed.resolver.query('svc.test', 'HTTPS'), { code: 'ENODATA', rrtype: 'HTTPS' }, 'getaddrinfo knows no HTTPS records');
  t.equal(routed.server.count(), 0);
  t.equal(systemCalls, 0);
  const { resolver, server } = await setup(t);
  for (const name of ['hidden.onion', 'x.invalid']) {
    await t.rejects(resolver.query(name, 'HTTPS'), { code: 'ENOTFOUND', rrtype: 'HTTPS' }, name);
  }
  t.equal(server.count(), 0);
});

t.test('cached like addresses: hits, coalescing, negative answers, and copies callers may change', async (t) => {
  const { resolver, server } = await setup(t);
  const [a, b] = await Promise.all([resolver.query('svc.test', 'HTTPS'), resolver.query('svc.test', 'HTTPS')]);
  t.same(a.records, b.records);
  t.equal(server.count('svc.test', 'HTTPS'), 1, 'two askers at once: one query');
  a.records[0]!.params.alpn!.push('changed');
  a.records[0]!.params.ipv4hint![0] = 'changed';
  const hit = await resolver.query('svc.test', 'HTTPS');
  t.equal(hit.source, 'cache');
  t.same(hit.records[0]!.params, SVC.params, 'the cache keeps its own copy');
  t.equal(server.count('svc.test', 'HTTPS'), 1);
  await t.rejects(resolver.query('nodata.svc.test', 'HTTPS'), { code: 'ENODATA' });
  await t.rejects(resolver.query('nodata.svc.test', 'HTTPS'), { code: 'ENODATA', negativeTtl: 60 });
  t.equal(server.count('nodata.svc.test', 'HTTPS'), 1, 'NODATA is remembered');
  await resolver.query('alias.svc.test', 'HTTPS');
  t.equal(server.count('svc.test', 'HTTPS'), 1, 'the alias target came from the cache too');
  const stats = resolver.stats();
  t.ok(stats.hits >= 2 && stats.coalesced >= 1 && stats.negativeHits >= 1, JSON.stringify(stats));
  t.same((await resolver.query('all.svc.test', 'HTTPS')).records.find((r) => r.priority === 1)!.params.ech, Buffer.from('AAr+DQAGaGV0ZXN0', 'base64'));
  const again = await resolver.query('all.svc.test', 'HTTPS');
  t.same(again.records.find((r) => r.priority === 1)!.params.ech, Buffer.from('AAr+DQAGaGV0ZXN0', 'base64'), 'ech bytes from the cache');
  t.equal(resolver.stats().entries, 4, 'svc, nodata, alias, all: one entry per name asked');
});

t.test('without a cache every query goes upstream', async (t) => {
  const { resolver, server } = await setup(t, { cache: false });
  await resolver.query('alias.svc.test', 'HTTPS');
  await resolver.query('alias.svc.test', 'HTTPS');
  t.equal(server.count('svc.test', 'HTTPS'), 2);
});

t.test('the dns:query channel carries HTTPS records in presentation format', async (t) => {
  const { resolver } = await setup(t);
  const seen: DnsQueryMessage[] = [];
  const listener = (message: unknown): void => void seen.push(message as DnsQueryMessage);
  diagnostics.subscribe(channelNames.dnsQuery, listener);
  t.teardown(() => diagnostics.unsubscribe(channelNames.dnsQuery, listener));
  await resolver.query('svc.test', 'HTTPS');
  await resolver.query('nodata.svc.test', 'HTTPS').catch(() => {});
  t.match(seen[0], { name: 'svc.test', type: 'HTTPS', source: 'dns', records: ['1 . alpn=h2,h3 ipv4hint=192.0.2.10 ipv6hint=2001:db8::10'] });
  t.notOk('addresses' in seen[0]!);
  t.match(seen[1], { name: 'nodata.svc.test', type: 'HTTPS', error: { code: 'ENODATA' } });
});

t.test('a bad type is an InvalidArgumentError naming the three', async (t) => {
  const { resolver } = await setup(t);
  await t.rejects(resolver.query('svc.test', 'SVCB' as 'HTTPS'), { name: 'InvalidArgumentError', message: /'A', 'AAAA' or 'HTTPS'/ });
});
