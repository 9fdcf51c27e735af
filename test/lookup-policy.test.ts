/**
 * `policy` on lookup (a lookup option, and the Resolver option as its default), and
 * the Resolver's policy as the default of connect(); every entry point checks the
 * option up front.
 */
import dns from 'node:dns';
import t from 'tap';
import { HttpAgent, HttpsAgent } from '../lib/adapters/agents.js';
import { connector } from '../lib/adapters/connector.js';
import { createConnection } from '../lib/adapters/create-connection.js';
import { lookup as defaultLookup } from '../lib/adapters/default-lookup.js';
import { connect } from '../lib/connect.js';
import { InvalidArgumentError } from '../lib/errors.js';
import { createLookup, type LookupAddress, type LookupOptions } from '../lib/lookup.js';
import { AddressPolicy } from '../lib/policy/policy.js';
import { MemoryResolver } from './helpers/memory-resolver.js';
import { answer } from './helpers/race-fakes.js';
import type { Resolver } from '../lib/resolver.js';
import { Resolver as ResolverClass } from '../lib/resolver.js';
import { listenAll, neverDial, startPolicyDns, zone } from './helpers/policy-lab.js';

const zones = [
  zone('policy.test', [
    { name: 'mixed.policy.test', type: 'A', data: ['127.0.0.1', '93.184.216.34'] },
    { name: 'mixed.policy.test', type: 'AAAA', data: ['::1', '2606:2800:220:1:248:1893:25c8:1946'] },
    { name: 'private.policy.test', type: 'A', data: ['10.0.0.1', '192.168.1.1'] },
    { name: 'private.policy.test', type: 'AAAA', data: 'fd00::1' },
    { name: 'lo.policy.test', type: 'A', data: '127.0.0.1' },
  ]),
];

type Outcome = { error: NodeJS.ErrnoException & { addresses?: string[]; hostname?: string } } | { addresses: LookupAddress[] };

function lookupAll(resolver: Resolver, host: string, options: LookupOptions = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    resolver.lookup(host, { ...options, all: true }, (err, addresses) => resolve(err ? { error: err } : { addresses }));
  });
}

const addressesOf = (outcome: Outcome): string[] => ('addresses' in outcome ? outcome.addresses.map((a) => a.address).sort() : []);

t.test('lookup with a policy answers only the addresses it allows', async (t) => {
  const { resolver } = await startPolicyDns(t, zones);
  t.same(addressesOf(await lookupAll(resolver, 'mixed.policy.test', { policy: 'public' })), ['2606:2800:220:1:248:1893:25c8:1946', '93.184.216.34']);
  t.same(
    addressesOf(await lookupAll(resolver, 'mixed.policy.test')),
    ['127.0.0.1', '2606:2800:220:1:248:1893:25c8:1946', '93.184.216.34', '::1'],
    'no policy: all',
  );
  const one = await new Promise<[unknown, string, number]>((resolve) =>
    resolver.lookup('mixed.policy.test', { policy: 'public', family: 4 }, (err, address, family) => resolve([err, address, family])),
  );
  t.same(one, [null, '93.184.216.34', 4], 'the single-address form too');
});

t.test('lookup with a policy and nothing left: ERR_HE_ADDRESS_BLOCKED naming the host and every address', async (t) => {
  const { resolver } = await startPolicyDns(t, zones);
  const outcome = await lookupAll(resolver, 'private.policy.test', { policy: 'public' });
  t.match(outcome, { error: { name: 'AddressBlockedError', code: 'ERR_HE_ADDRESS_BLOCKED', hostname: 'private.policy.test', port: undefined } });
  t.same(('error' in outcome ? outcome.error.addresses! : []).sort(), ['10.0.0.1', '192.168.1.1', 'fd00::1']);
  t.match('error' in outcome && outcome.error.message, /^lookup private\.policy\.test blocked by the address policy: /);
});

t.test('lookup under a policy: numeric hosts are IPv4 literals, never DNS names; literals are checked', async (t) => {
  const { dns: server, resolver } = await startPolicyDns(t, zones);
  for (const host of ['0x7f.1', '2130706433', '127.1', '::ffff:169.254.169.254', '169.254.169.254', 'fe80::1%eth0', '１２７．０．０．１']) {
    t.match(await lookupAll(resolver, host, { policy: 'public' }), { error: { code: 'ERR_HE_ADDRESS_BLOCKED' } }, host);
  }
  t.match(await lookupAll(resolver, '1.2.3.4.5', { policy: 'public' }), { error: { code: 'ERR_HE_INVALID_ARGUMENT', option: 'hostname' } });
  t.same(addressesOf(await lookupAll(resolver, '0x5db8d822', { policy: 'public' })), ['93.184.216.34'], 'a public one is answered as its dotted quad');
  t.equal(server.count(), 0, 'none of them was sent to DNS');
  t.match(await lookupAll(resolver, 'localhost', { policy: 'public' }), { error: { code: 'ERR_HE_ADDRESS_BLOCKED' } }, 'localhost');
});

t.test('V4MAPPED answers are judged by their IPv4 address', async (t) => {
  const { resolver } = await startPolicyDns(t, zones);
  const outcome = await lookupAll(resolver, 'mixed.policy.test', { policy: 'public', family: 6, hints: dns.V4MAPPED | dns.ALL });
  t.same(addressesOf(outcome), ['2606:2800:220:1:248:1893:25c8:1946', '::ffff:93.184.216.34']);
});

t.test("a Resolver's policy is the default of its lookup, from the network and from the cache alike", async (t) => {
  const { dns: server } = await startPolicyDns(t, zones);
  const resolver = new ResolverClass({ servers: [server.server], resolvConf: false, hosts: false, policy: { preset: 'public', allow: ['127.0.0.1'] } });
  t.teardown(() => resolver.close());
  t.same(
    addressesOf(await lookupAll(resolver, 'mixed.policy.test')),
    ['127.0.0.1', '2606:2800:220:1:248:1893:25c8:1946', '93.184.216.34'],
    'the DNS servers on 127.0.0.1 are not subject to it',
  );
  const sent = server.count();
  t.same(addressesOf(await lookupAll(resolver, 'mixed.policy.test')), ['127.0.0.1', '2606:2800:220:1:248:1893:25c8:1946', '93.184.216.34'], 'warm');
  t.equal(server.count(), sent, 'the second answer came from the cache, filtered the same');
  t.same(
    addressesOf(await lookupAll(resolver, 'mixed.policy.test', { policy: 'public' })),
    ['2606:2800:220:1:248:1893:25c8:1946', '93.184.216.34'],
    'a lookup option overrides the default',
  );
  t.same(
    (await resolver.resolve('private.policy.test', 'A')).map((r) => r.address),
    ['10.0.0.1', '192.168.1.1'],
    'resolve() answers unfiltered',
  );
});

t.test("a Resolver's policy is the default of connect(); connect's own policy overrides it", async (t) => {
  const { dns: server } = await startPolicyDns(t, zones);
  const resolver = new ResolverClass({ servers: [server.server], resolvConf: false, hosts: false, policy: 'public' });
  t.teardown(() => resolver.close());
  const lab = await listenAll(t, ['127.0.0.1']);
  await t.rejects(connect({ host: 'lo.policy.test', port: lab.port, resolver }), { code: 'ERR_HE_ADDRESS_BLOCKED' });
  await t.rejects(connect({ host: '0x7f.1', port: lab.port, resolver }), { code: 'ERR_HE_ADDRESS_BLOCKED', hostname: '127.0.0.1' }, 'numeric hosts too');
  const socket = await connect({ host: 'lo.policy.test', port: lab.port, resolver, policy: { allow: ['127.0.0.1'] } });
  socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(lab.total(), 1, 'only the overriding policy let a connection through');
});

t.test('a warm answer whose order needs I/O is filtered once ordered; a DNS failure passes through', async (t) => {
  const resolver = new MemoryResolver({ 'w.test': { A: ['10.0.0.1', '93.184.216.34'], AAAA: 'ENODATA' }, 'gone.test': { A: 'ESERVFAIL' } });
  const lookup = createLookup({
    resolver,
    order: async (addresses) => [...addresses].reverse(),
    peek: (name, type) =>
      name === 'w.test' && type === 'A' ? answer(name, type, ['10.0.0.1', '93.184.216.34']) : name === 'w.test' ? answer(name, type, ['fd00::1']) : undefined,
    policy: AddressPolicy.from('public'),
  });
  const all = await new Promise<unknown>((resolve) => lookup('w.test', { all: true }, (err, addresses) => resolve(err ?? addresses)));
  t.same(all, [{ address: '93.184.216.34', family: 4 }], 'ordered (async), then filtered');
  t.equal(resolver.queries.length, 0, 'answered from peek alone');
  const cold = createLookup({ resolver, order: (addresses) => addresses, policy: AddressPolicy.from('public') });
  const failed = await new Promise<unknown>((resolve) => cold('gone.test', { all: true }, (err) => resolve(err)));
  t.match(failed, { code: 'ESERVFAIL', hostname: 'gone.test' }, 'no address at all: the DNS error, not a policy error');
});

t.test('the exported lookup (shared resolver) takes the option too; literals need no DNS', async (t) => {
  const outcome = await new Promise<unknown>((resolve) => defaultLookup('0177.0.0.1', { policy: 'public', all: true }, (err) => resolve(err)));
  t.match(outcome, { code: 'ERR_HE_ADDRESS_BLOCKED', addresses: ['127.0.0.1'] });
});

t.test('a bad policy is refused up front by every entry point, naming the option', async (t) => {
  const { resolver } = await startPolicyDns(t, zones);
  const bad = { preset: 'public', allow: ['10.0.0.1/8'] };
  const check = (what: string, fn: () => unknown, option = 'policy.allow[0]') =>
    t.throws(fn, { name: 'InvalidArgumentError', code: 'ERR_HE_INVALID_ARGUMENT', option }, what);
  check('HttpAgent', () => new HttpAgent({ policy: bad as never }));
  check('HttpsAgent', () => new HttpsAgent({ policy: 'private' as never }), 'policy');
  check('connector', () => connector({ policy: bad as never }));
  check('Resolver', () => new ResolverClass({ policy: 42 as never }), 'policy');
  check('lookup', () => resolver.lookup('x.test', { policy: 'all' as never }, () => undefined), 'options.policy');
  await t.rejects(connect({ host: 'x.test', port: 1, policy: bad as never }), InvalidArgumentError, 'connect');
  const viaCallback = await new Promise<unknown>((resolve) => createConnection({ host: 'x.test', port: 1, policy: bad as never }, (err) => resolve(err)));
  t.match(viaCallback, { code: 'ERR_HE_INVALID_ARGUMENT', option: 'policy.allow[0]' }, 'createConnection');
  const spy = neverDial();
  await t.rejects(connect({ host: '999.1.1.1', port: 1, policy: 'public', connectAttempt: spy.factory }), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'host' });
  t.equal(spy.calls.length, 0);
});
