/** lookup() on a NAT64 network (RFC 8305 §7): what connect() would try, synthesized first where connect() tries them first. */
import t from 'tap';
import { createLookup, type LookupAddress, type LookupFunction, type LookupOptions } from '../lib/lookup.js';
import { parseNat64Prefix, type Nat64Prefix } from '../lib/nat64/prefix.js';
import type { Answer, RecordType } from '../lib/dns/types.js';
import { MemoryResolver } from './helpers/memory-resolver.js';

const NSP = parseNat64Prefix('2001:db8:64::/96')!;
const table = {
  'v4only.test': { A: ['192.0.2.7', '127.0.0.9'] },
  'dual.test': { AAAA: ['2001:db8::1'], A: ['192.0.2.1'] },
  'v6only.test': { AAAA: ['2001:db8::7'] },
  'dns64.test': { AAAA: ['2001:db8:64::c000:201'], A: ['192.0.2.1'] },
  'mixed4.test': { A: ['10.0.0.5', '8.8.8.8'] },
};
const order = (addresses: LookupAddress[]): LookupAddress[] => addresses;

function setup(prefixes: Nat64Prefix[], options: { async?: boolean; peek?: boolean } = {}) {
  const resolver = new MemoryResolver(table);
  const answers = new Map<string, Answer>();
  const nat64 = () => (options.async ? Promise.resolve(prefixes) : prefixes);
  const peek = (name: string, type: RecordType): Answer | undefined => answers.get(`${name} ${type}`);
  const lookup = createLookup({ resolver, order, nat64, ...(options.peek ? { peek } : {}) });
  return { lookup, answers, resolver };
}

function all(lookup: LookupFunction, host: string, options: LookupOptions = {}): Promise<string[]> {
  return new Promise((resolve, reject) =>
    lookup(host, { ...options, all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses.map((a) => `${a.address}/${a.family}`)))),
  );
}

for (const mode of [{ async: false }, { async: true }] as const) {
  const how = mode.async ? 'prefixes found now' : 'prefixes known';
  t.test(`R20 (${how}): an IPv4-only name gives its synthesized addresses first; V8 ones are not synthesized`, async (t) => {
    const { lookup } = setup([NSP], mode);
    t.same(await all(lookup, 'v4only.test'), ['2001:db8:64::c000:207/6', '192.0.2.7/4', '127.0.0.9/4']);
  });
  t.test(`R21 (${how}): a name with AAAA gives the synthesized addresses last, where connect() would try them`, async (t) => {
    const { lookup } = setup([NSP], mode);
    t.same(await all(lookup, 'dual.test'), ['2001:db8::1/6', '192.0.2.1/4', '2001:db8:64::c000:201/6']);
    t.same(await all(lookup, 'v6only.test'), ['2001:db8::7/6'], 'no A: nothing to synthesize');
    t.same(await all(lookup, 'dns64.test'), ['2001:db8:64::c000:201/6', '192.0.2.1/4'], 'DNS64 synthesized it already: not twice');
  });
  t.test(`R20 (${how}): an IPv4 literal gives its synthesized form first`, async (t) => {
    const { lookup } = setup([NSP], mode);
    t.same(await all(lookup, '192.0.2.33'), ['2001:db8:64::c000:221/6', '192.0.2.33/4']);
    t.same(await all(lookup, '192.0.2.33', { order: 'ipv4first' }), ['192.0.2.33/4', '2001:db8:64::c000:221/6'], 'the order option still applies');
    t.same(await all(lookup, '127.0.0.1'), ['127.0.0.1/4'], 'V8: loopback as it is');
  });
}

t.test('only a request for both families synthesizes; family 4 and 6 are answered as without NAT64', async (t) => {
  const { lookup } = setup([NSP]);
  t.same(await all(lookup, 'v4only.test', { family: 4 }), ['192.0.2.7/4', '127.0.0.9/4']);
  t.same(await all(lookup, '192.0.2.33', { family: 4 }), ['192.0.2.33/4']);
  t.same(await all(lookup, 'dual.test', { family: 6 }), ['2001:db8::1/6']);
  t.same(
    await all(lookup, 'dual.test', { order: 'ipv4first' }),
    ['192.0.2.1/4', '2001:db8::1/6', '2001:db8:64::c000:201/6'],
    'ipv4first after the synthesized addresses are placed',
  );
  const single = await new Promise<[string, number]>((resolve, reject) =>
    lookup('v4only.test', (err, address, family) => (err ? reject(err) : resolve([address, family]))),
  );
  t.same(single, ['2001:db8:64::c000:207', 6], 'one address: the synthesized one');
});

t.test('an order that needs I/O (a promise) gets the same placement', async (t) => {
  const resolver = new MemoryResolver(table);
  const lookup = createLookup({ resolver, order: async (a) => a, nat64: () => [NSP] });
  t.same(await all(lookup, 'dual.test'), ['2001:db8::1/6', '192.0.2.1/4', '2001:db8:64::c000:201/6']);
  t.same(await all(lookup, 'dual.test', { order: 'ipv4first' }), ['192.0.2.1/4', '2001:db8::1/6', '2001:db8:64::c000:201/6']);
});

t.test('not an IPv6-only network (no prefix): answers unchanged', async (t) => {
  const { lookup } = setup([]);
  t.same(await all(lookup, 'v4only.test'), ['192.0.2.7/4', '127.0.0.9/4']);
  t.same(await all(lookup, '192.0.2.33'), ['192.0.2.33/4']);
  t.same(await all(lookup, 'dual.test', { order: 'ipv6first' }), ['2001:db8::1/6', '192.0.2.1/4']);
});

t.test('the warm path (fresh cache entries) synthesizes too, at once or once the prefixes are known', async (t) => {
  for (const async of [false, true]) {
    const { lookup, answers } = setup([NSP], { async, peek: true });
    answers.set('v4only.test A', { name: 'v4only.test', type: 'A', records: [{ address: '192.0.2.7', ttl: 60 }], ttl: 60, cnames: [], source: 'cache' });
    answers.set('v4only.test AAAA', { name: 'v4only.test', type: 'AAAA', records: [], ttl: 60, cnames: [], source: 'cache' });
    t.same(await all(lookup, 'v4only.test'), ['2001:db8:64::c000:207/6', '192.0.2.7/4'], async ? 'prefixes found later' : 'prefixes known');
  }
});

t.test('a policy filters after synthesis: a synthesized address is judged with the IPv4 it was made from', async (t) => {
  const global = parseNat64Prefix('2001:67c:2960:6464::/96')!; // network-specific, in global unicast space
  for (const async of [false, true]) {
    const { lookup } = setup([global], { async });
    t.same(
      await all(lookup, 'mixed4.test', { policy: 'public' }),
      ['2001:67c:2960:6464::808:808/6', '8.8.8.8/4'],
      '10.0.0.5 and its synthesized form are gone',
    );
    t.same(
      await all(lookup, 'mixed4.test'),
      ['2001:67c:2960:6464::a00:5/6', '2001:67c:2960:6464::808:808/6', '10.0.0.5/4', '8.8.8.8/4'],
      'without a policy: all of them',
    );
    const blocked = await all(lookup, '10.0.0.5', { policy: 'public' }).catch((err: unknown) => err);
    t.match(
      blocked,
      { code: 'ERR_HE_ADDRESS_BLOCKED', addresses: ['2001:67c:2960:6464::a00:5', '10.0.0.5'] },
      'a private literal: its synthesized form is blocked too',
    );
    t.same(
      await all(lookup, '8.8.8.8', { policy: { preset: 'public', deny: ['2001:67c:2960:6464::/96'] } }),
      ['8.8.8.8/4'],
      'deny judges the IPv6 form as it is',
    );
  }
});
