import t from 'tap';
import dns from 'node:dns';
import { createLookup, type LookupAddress, type LookupDependencies, type LookupFunction, type LookupOptions } from '../lib/lookup.js';
import { DnsError, type DnsErrorCode } from '../lib/errors.js';
import { MemoryResolver } from './helpers/memory-resolver.js';

const ADDRCONFIG = 0x20;
const V4MAPPED = 0x08;
const ALL = 0x10;

const table = {
  'dual.test': { AAAA: ['2001:db8::1', '2001:db8::2'], A: ['192.0.2.1', '192.0.2.2'] },
  'v4.test': { A: ['192.0.2.7'] },
  'v6.test': { AAAA: ['2001:db8::7'] },
  'dup.test': { A: ['192.0.2.1', '192.0.2.1'] },
  'broken.test': { AAAA: 'ESERVFAIL' as const, A: 'ENODATA' as const },
  'timeout.test': { AAAA: 'ETIMEOUT' as const, A: ['192.0.2.9'] },
};

// A recognisable order: IPv6 first, reversed inside each family, so tests see it was applied.
const order = (addresses: LookupAddress[]): LookupAddress[] => [
  ...addresses.filter((a) => a.family === 6).reverse(),
  ...addresses.filter((a) => a.family === 4).reverse(),
];

function setup(configured: Array<4 | 6> = [4, 6]) {
  const resolver = new MemoryResolver(table);
  const lookup = createLookup({ resolver, order, configuredFamilies: () => new Set(configured) });
  return { resolver, lookup };
}

function all(lookup: LookupFunction, host: string, options: LookupOptions = {}): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => lookup(host, { ...options, all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));
}

function one(lookup: LookupFunction, host: string, options?: LookupOptions | number): Promise<[string, number]> {
  return new Promise((resolve, reject) => {
    const cb = (err: NodeJS.ErrnoException | null, address: string, family: number) => (err ? reject(err) : resolve([address, family]));
    if (options === undefined) lookup(host, cb);
    else if (typeof options === 'number') lookup(host, options, cb);
    else lookup(host, options, cb);
  });
}

const cases: Array<{ name: string; host: string; options: LookupOptions; want: string[] }> = [
  { name: 'family 0: both, in the given order', host: 'dual.test', options: {}, want: ['2001:db8::2', '2001:db8::1', '192.0.2.2', '192.0.2.1'] },
  { name: 'family 4', host: 'dual.test', options: { family: 4 }, want: ['192.0.2.2', '192.0.2.1'] },
  { name: "family 'IPv6'", host: 'dual.test', options: { family: 'IPv6' }, want: ['2001:db8::2', '2001:db8::1'] },
  { name: "family 'IPv4'", host: 'dual.test', options: { family: 'IPv4' }, want: ['192.0.2.2', '192.0.2.1'] },
  { name: 'order ipv4first', host: 'dual.test', options: { order: 'ipv4first' }, want: ['192.0.2.2', '192.0.2.1', '2001:db8::2', '2001:db8::1'] },
  { name: 'order ipv6first', host: 'dual.test', options: { order: 'ipv6first' }, want: ['2001:db8::2', '2001:db8::1', '192.0.2.2', '192.0.2.1'] },
  { name: 'verbatim false = ipv4first', host: 'dual.test', options: { verbatim: false }, want: ['192.0.2.2', '192.0.2.1', '2001:db8::2', '2001:db8::1'] },
  { name: 'verbatim true', host: 'dual.test', options: { verbatim: true }, want: ['2001:db8::2', '2001:db8::1', '192.0.2.2', '192.0.2.1'] },
  { name: 'V4MAPPED without AAAA maps A', host: 'v4.test', options: { family: 6, hints: V4MAPPED }, want: ['::ffff:192.0.2.7'] },
  { name: 'V4MAPPED with AAAA keeps AAAA only', host: 'dual.test', options: { family: 6, hints: V4MAPPED }, want: ['2001:db8::2', '2001:db8::1'] },
  {
    name: 'V4MAPPED|ALL gives both',
    host: 'dual.test',
    options: { family: 6, hints: V4MAPPED | ALL },
    want: ['::ffff:192.0.2.2', '::ffff:192.0.2.1', '2001:db8::2', '2001:db8::1'],
  },
  { name: 'one family answers, the other failed', host: 'timeout.test', options: {}, want: ['192.0.2.9'] },
  { name: 'duplicates removed', host: 'dup.test', options: {}, want: ['192.0.2.1'] },
  { name: 'IPv4 literal', host: '127.0.0.1', options: { family: 6 }, want: ['127.0.0.1'] },
  { name: 'IPv6 literal', host: '::1', options: {}, want: ['::1'] },
];

for (const c of cases) {
  t.test(`all: ${c.name}`, async (t) => {
    const { lookup } = setup();
    const got = await all(lookup, c.host, c.options);
    t.same(
      got.map((a) => a.address),
      c.want,
    );
    for (const a of got) t.equal(a.family, a.address.includes(':') ? 6 : 4, `family of ${a.address}`);
  });
}

t.test('single answer overloads: (host, cb), (host, family, cb), (host, options, cb)', async (t) => {
  const { lookup } = setup();
  t.same(await one(lookup, 'dual.test'), ['2001:db8::2', 6]);
  t.same(await one(lookup, 'dual.test', 4), ['192.0.2.2', 4]);
  t.same(await one(lookup, 'dual.test', { family: 6 }), ['2001:db8::2', 6]);
  t.same(await one(lookup, 'v4.test', 0), ['192.0.2.7', 4]);
});

t.test('IP literals and the callback are answered asynchronously, without DNS', async (t) => {
  const { lookup, resolver } = setup();
  let sync = true;
  const done = new Promise<void>((resolve) =>
    lookup('127.0.0.1', (_err, address) => {
      t.equal(address, '127.0.0.1');
      t.notOk(sync, 'callback not called synchronously');
      resolve();
    }),
  );
  sync = false;
  await done;
  t.equal(resolver.queries.length, 0);
});

t.test('family asks only that record type', async (t) => {
  const { lookup, resolver } = setup();
  await one(lookup, 'dual.test', 4);
  t.same(resolver.queries, [{ name: 'dual.test', type: 'A' }]);
});

t.test('ADDRCONFIG drops families without a configured address', async (t) => {
  const { lookup, resolver } = setup([4]);
  t.same(
    (await all(lookup, 'dual.test', { hints: ADDRCONFIG })).map((a) => a.address),
    ['192.0.2.2', '192.0.2.1'],
  );
  t.same(resolver.queries, [{ name: 'dual.test', type: 'A' }]);
  const loopbackOnly = setup([]);
  t.equal((await all(loopbackOnly.lookup, 'dual.test', { hints: ADDRCONFIG })).length, 4, 'no configured family: both kept');
  t.same(loopbackOnly.resolver.both, [true, true], 'both families asked together');
  const v6Only = setup([6]);
  t.same(
    (await all(v6Only.lookup, 'dual.test', { hints: ADDRCONFIG })).map((a) => a.family),
    [6, 6],
  );
  t.same(v6Only.resolver.queries, [{ name: 'dual.test', type: 'AAAA' }], 'IPv6 alone');
});

t.test('ADDRCONFIG with family 4 or 6 and no address of it: ENOTFOUND without a query (glibc)', async (t) => {
  for (const [configured, options] of [
    [[], { family: 4 }],
    [[6], { family: 4 }],
    [[4], { family: 6 }],
    [[4], { family: 6, hints: ADDRCONFIG | V4MAPPED }],
  ] as Array<[Array<4 | 6>, LookupOptions]>) {
    const { lookup, resolver } = setup(configured);
    await t.rejects(all(lookup, 'dual.test', { ...options, hints: options.hints ?? ADDRCONFIG }), { code: 'ENOTFOUND', hostname: 'dual.test' });
    t.same(resolver.queries, [], `${JSON.stringify(options)} with [${configured}] configured`);
  }
  const peeks: string[] = [];
  const peeked = createLookup({ resolver: new MemoryResolver(table), order, configuredFamilies: () => new Set([4]), peek: (name) => void peeks.push(name) });
  await t.rejects(all(peeked, 'dual.test', { family: 6, hints: ADDRCONFIG }), { code: 'ENOTFOUND' });
  t.same(peeks, [], 'not even the cache is asked');
});

t.test('a lookup of both families asks them together; one family alone, alone', async (t) => {
  const { lookup, resolver } = setup();
  await all(lookup, 'dual.test');
  await all(lookup, 'dual.test', { family: 4 });
  await all(lookup, 'v4.test', { family: 6, hints: V4MAPPED });
  t.same(resolver.both, [true, true, false, true, true]);
});

t.test('without order, dns.getDefaultResultOrder() decides; an explicit order wins', async (t) => {
  const saved = dns.getDefaultResultOrder();
  t.teardown(() => dns.setDefaultResultOrder(saved));
  const { lookup } = setup();
  dns.setDefaultResultOrder('ipv4first');
  t.same(
    (await all(lookup, 'dual.test')).map((a) => a.family),
    [4, 4, 6, 6],
    'ipv4first',
  );
  t.same(
    (await all(lookup, 'dual.test', { order: 'verbatim' })).map((a) => a.family),
    [6, 6, 4, 4],
    'explicit verbatim',
  );
  t.same(await one(lookup, 'dual.test'), ['192.0.2.2', 4]);
  dns.setDefaultResultOrder('verbatim');
  t.same(
    (await all(lookup, 'dual.test')).map((a) => a.family),
    [6, 6, 4, 4],
    'verbatim: Happy Eyeballs order',
  );
});

const errorCases: Array<{ name: string; host: string; options: LookupOptions; code: string }> = [
  { name: 'unknown name', host: 'nope.test', options: {}, code: 'ENOTFOUND' },
  { name: 'no record of the family', host: 'v4.test', options: { family: 6 }, code: 'ENODATA' },
  { name: 'transport error beats NODATA', host: 'broken.test', options: {}, code: 'ESERVFAIL' },
  { name: 'empty hostname', host: '', options: {}, code: 'ENOTFOUND' },
];

for (const c of errorCases) {
  t.test(`error: ${c.name} -> ${c.code}, never an empty array`, async (t) => {
    const { lookup } = setup();
    const err = (await all(lookup, c.host, c.options).catch((e: unknown) => e)) as NodeJS.ErrnoException & { hostname: string };
    t.equal(err.code, c.code);
    t.equal(err.hostname, c.host);
    t.equal(err.syscall, 'getaddrinfo');
    const single = (await one(lookup, c.host, c.options).catch((e: unknown) => e)) as NodeJS.ErrnoException;
    t.equal(single.code, c.code);
  });
}

t.test('a non-DNS failure becomes a DNS error with the cause kept', async (t) => {
  const boom = new Error('boom');
  const lookup = createLookup({ resolver: { query: () => Promise.reject(boom) }, order });
  const err = (await all(lookup, 'x.test').catch((e: unknown) => e)) as Error & { code: string };
  t.equal(err.code, 'ENODATA');
  t.equal(err.cause, boom);
  const abort = Object.assign(new Error('aborted'), { code: 'ABORT_ERR' });
  const aborted = createLookup({ resolver: { query: () => Promise.reject(abort) }, order });
  t.equal(((await all(aborted, 'x.test').catch((e: unknown) => e)) as { code: string }).code, 'ECANCELLED');
  const empty = createLookup({
    resolver: { query: async (name, type) => ({ name, type, records: [], ttl: 0, cnames: [], source: 'dns' }) },
    order,
  });
  t.equal(((await all(empty, 'x.test').catch((e: unknown) => e)) as { code: string }).code, 'ENODATA', 'empty answers');
});

const badArguments: Array<{ name: string; call: (l: LookupFunction) => void; option: string }> = [
  { name: 'hostname not a string', call: (l) => (l as any)(42, () => {}), option: 'hostname' },
  { name: 'no callback', call: (l) => (l as any)('x.test', {}), option: 'callback' },
  { name: 'family 5', call: (l) => l('x.test', { family: 5 }, () => {}), option: 'options.family' },
  { name: 'numeric family 5', call: (l) => l('x.test', 5, () => {}), option: 'family' },
  { name: 'unknown hints', call: (l) => l('x.test', { hints: 9999 }, () => {}), option: 'options.hints' },
  { name: 'hints not a number', call: (l) => l('x.test', { hints: 'x' as any }, () => {}), option: 'options.hints' },
  { name: 'bad order', call: (l) => l('x.test', { order: 'random' as any }, () => {}), option: 'options.order' },
  { name: 'all not boolean', call: (l) => l('x.test', { all: 1 as any }, () => {}), option: 'options.all' },
  { name: 'verbatim not boolean', call: (l) => l('x.test', { verbatim: 'yes' as any }, () => {}), option: 'options.verbatim' },
  { name: 'options a string', call: (l) => (l as any)('x.test', 'IPv4', () => {}), option: 'options' },
];

for (const c of badArguments) {
  t.test(`bad argument: ${c.name} throws naming ${c.option}`, async (t) => {
    const { lookup } = setup();
    t.throws(() => c.call(lookup), { code: 'ERR_HE_INVALID_ARGUMENT', option: c.option });
  });
}

t.test('null options behave as none', async (t) => {
  const { lookup } = setup();
  const got = await new Promise<string>((resolve, reject) =>
    lookup('v4.test', null as any, (err: NodeJS.ErrnoException | null, address: string) => (err ? reject(err) : resolve(address))),
  );
  t.equal(got, '192.0.2.7');
});

/**
 * A lookup whose `peek` answers at once what MemoryResolver would, as a warm cache does
 * (failures returned, not thrown), for the (name, type) pairs in `cached` (all by default).
 */
function setupPeek(cached?: string[], orderFn: LookupDependencies['order'] = order) {
  const resolver = new MemoryResolver(table);
  const peeks: string[] = [];
  const peek = (name: string, type: 'A' | 'AAAA') => {
    peeks.push(`${type} ${name}`);
    if (cached && !cached.includes(`${type} ${name}`)) return undefined;
    const entry = (table as Record<string, { A?: string[] | DnsErrorCode; AAAA?: string[] | DnsErrorCode }>)[name];
    const value = entry?.[type] ?? (entry ? 'ENODATA' : 'ENOTFOUND');
    if (typeof value === 'string') return new DnsError(value, { hostname: name, rrtype: type, server: '127.0.0.1:53' });
    return { name, type, records: value.map((address) => ({ address, ttl: 60 })), ttl: 60, cnames: [], source: 'cache' as const };
  };
  const lookup = createLookup({ resolver, order: orderFn, configuredFamilies: () => new Set([4, 6]), peek });
  return { resolver, lookup, peeks };
}

for (const c of cases) {
  t.test(`all, fresh in the cache (peek): ${c.name}`, async (t) => {
    const { lookup, resolver } = setupPeek();
    const got = await all(lookup, c.host, c.options);
    t.same(
      got.map((a) => a.address),
      c.want,
    );
    t.same(resolver.queries, [], 'answered from peek alone');
  });
}

t.test('peek: the callback is still asynchronous, in both forms', async (t) => {
  const { lookup } = setupPeek();
  let sync = true;
  const done = Promise.all([
    new Promise<void>((resolve) => lookup('dual.test', (_e, address, family) => (t.same([address, family, sync], ['2001:db8::2', 6, false]), resolve()))),
    new Promise<void>((resolve) => lookup('dual.test', { all: true }, (_e, list) => (t.equal(list.length, 4), t.notOk(sync), resolve()))),
  ]);
  sync = false;
  await done;
});

t.test('peek: a family not cached is asked, what was peeked is not asked again', async (t) => {
  const { lookup, resolver, peeks } = setupPeek(['AAAA dual.test']);
  t.equal((await all(lookup, 'dual.test')).length, 4);
  t.same(peeks, ['AAAA dual.test', 'A dual.test']);
  t.same(resolver.queries, [{ name: 'dual.test', type: 'A' }]);
  const v4 = setupPeek(['A dual.test']);
  t.equal((await all(v4.lookup, 'dual.test')).length, 4);
  t.same(v4.resolver.queries, [{ name: 'dual.test', type: 'AAAA' }]);
  const cold = setupPeek([]);
  t.equal((await all(cold.lookup, 'dual.test', { family: 4 })).length, 2);
  t.same([cold.peeks, cold.resolver.queries], [['A dual.test'], [{ name: 'dual.test', type: 'A' }]], 'family 4: AAAA neither peeked nor asked');
});

for (const c of errorCases) {
  t.test(`peek: error ${c.name} -> ${c.code}, as from queries`, async (t) => {
    const { lookup, resolver } = setupPeek();
    t.match(await all(lookup, c.host, c.options).catch((e: unknown) => e), { code: c.code, hostname: c.host, syscall: 'getaddrinfo' });
    t.same(resolver.queries, []);
  });
}

t.test('peek: an order that needs I/O is awaited, then the order option applied', async (t) => {
  const { lookup } = setupPeek(undefined, async (a) => order(a));
  t.same(
    (await all(lookup, 'dual.test', { order: 'ipv4first' })).map((a) => a.address),
    ['192.0.2.2', '192.0.2.1', '2001:db8::2', '2001:db8::1'],
  );
  t.same(
    (await all(lookup, 'dual.test')).map((a) => a.address),
    ['2001:db8::2', '2001:db8::1', '192.0.2.2', '192.0.2.1'],
  );
});

t.test('peek: fresh but empty answers are ENODATA, an empty hostname is still ENOTFOUND', async (t) => {
  const empty = createLookup({
    resolver: new MemoryResolver(table),
    order,
    peek: (name, type) => ({ name, type, records: [], ttl: 60, cnames: [], source: 'cache' }),
  });
  t.match(await all(empty, 'x.test').catch((e: unknown) => e), { code: 'ENODATA', hostname: 'x.test', syscall: 'getaddrinfo' });
  t.match(await all(empty, '').catch((e: unknown) => e), { code: 'ENOTFOUND', hostname: '' });
});
