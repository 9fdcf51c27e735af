/**
 * Warm lookups through `peekAddresses` (the cache's address lists) and the answers kept
 * per list (lib/lookup-memo.ts): the same answers as through `peek`, in every request
 * shape; the order computed once per list, shape and second; callers' own objects.
 */
import t from 'tap';
import { createLookup, type LookupAddress, type LookupDependencies, type LookupFunction, type LookupOptions } from '../lib/lookup.js';
import { LookupMemo, NOT_ASKED } from '../lib/lookup-memo.js';
import { DnsError, type DnsErrorCode } from '../lib/errors.js';
import { parseNat64Prefix } from '../lib/nat64/prefix.js';
import { ManualClock } from './helpers/manual-clock.js';
import { MemoryResolver } from './helpers/memory-resolver.js';

const ADDRCONFIG = 0x20;
const V4MAPPED = 0x08;
const ALL = 0x10;

type Row = { A?: string[] | DnsErrorCode; AAAA?: string[] | DnsErrorCode };
const table: Record<string, Row> = {
  'dual.test': { AAAA: ['2001:db8::1', '2001:db8::2'], A: ['192.0.2.1', '192.0.2.2'] },
  'v4.test': { A: ['192.0.2.7'] },
  'v6.test': { AAAA: ['2001:db8::7'] },
  'dup.test': { A: ['192.0.2.1', '192.0.2.1'] },
  'broken.test': { AAAA: 'ESERVFAIL', A: 'ENODATA' },
  'timeout.test': { AAAA: 'ETIMEOUT', A: ['192.0.2.9'] },
};

// IPv6 first, reversed inside each family, so tests see it was applied; counts its calls.
function countingOrder() {
  const fn = Object.assign(
    (addresses: LookupAddress[]): LookupAddress[] => {
      fn.calls++;
      return [...addresses.filter((a) => a.family === 6).reverse(), ...addresses.filter((a) => a.family === 4).reverse()];
    },
    { calls: 0 },
  );
  return fn;
}

/** What a warm cache holds for (name, type): the record list, the remembered error, or undefined. */
function cached(name: string, type: 'A' | 'AAAA'): string[] | DnsError | undefined {
  const row = table[name];
  const value = row?.[type] ?? (row ? 'ENODATA' : 'ENOTFOUND');
  return typeof value === 'string' ? new DnsError(value, { hostname: name, rrtype: type, server: '127.0.0.1:53' }) : value;
}

/** Two lookups over the same warm cache: one through `peek` (answers), one through `peekAddresses` (one list per entry). */
function setup(extra: Partial<LookupDependencies> = {}) {
  const lists = new Map<string, readonly string[]>();
  const peeked: string[] = [];
  const peekAddresses = (name: string, type: 'A' | 'AAAA') => {
    peeked.push(`${type} ${name}`);
    const value = cached(name, type);
    if (!Array.isArray(value)) return value;
    const key = `${type} ${name}`;
    if (!lists.has(key)) lists.set(key, Object.freeze([...value]));
    return lists.get(key)!;
  };
  const peek = (name: string, type: 'A' | 'AAAA') => {
    const value = cached(name, type);
    if (!Array.isArray(value)) return value;
    return { name, type, records: value.map((address) => ({ address, ttl: 60 })), ttl: 60, cnames: [], source: 'cache' as const };
  };
  const order = countingOrder();
  const clock = new ManualClock();
  const resolver = new MemoryResolver(table as never);
  const base = { resolver, configuredFamilies: () => new Set<4 | 6>([4, 6]) };
  const viaPeek = createLookup({ ...base, order: countingOrder(), peek });
  const viaLists = createLookup({ ...base, order, peek, peekAddresses, clock, ...extra });
  return { viaPeek, viaLists, order, clock, resolver, peeked, lists };
}

function all(lookup: LookupFunction, host: string, options: LookupOptions = {}): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => lookup(host, { ...options, all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));
}

function one(lookup: LookupFunction, host: string, options: LookupOptions = {}): Promise<[string, number]> {
  return new Promise((resolve, reject) =>
    lookup(host, options, (err: Error | null, address: string, family: number) => (err ? reject(err) : resolve([address, family]))),
  );
}

const outcome = (p: Promise<unknown>): Promise<unknown> =>
  p.catch((e: NodeJS.ErrnoException & { hostname?: string }) => ({ code: e.code, hostname: e.hostname }));

const shapes: LookupOptions[] = [
  {},
  { family: 4 },
  { family: 6 },
  { family: 6, hints: V4MAPPED },
  { family: 6, hints: V4MAPPED | ALL },
  { hints: ADDRCONFIG },
  { order: 'ipv4first' },
  { order: 'ipv6first' },
  { verbatim: false },
];

t.test('through the lists and kept answers: the same answers and errors as through peek, first and second time', async (t) => {
  const { viaPeek, viaLists, resolver } = setup();
  for (const host of Object.keys(table)) {
    for (const options of shapes) {
      const want = [await outcome(all(viaPeek, host, options)), await outcome(one(viaPeek, host, options))];
      for (const pass of ['first', 'kept']) {
        t.same(
          [await outcome(all(viaLists, host, options)), await outcome(one(viaLists, host, options))],
          want,
          `${host} ${JSON.stringify(options)} (${pass})`,
        );
      }
    }
  }
  t.same(resolver.queries, [], 'nothing asked upstream');
});

t.test('the order is computed once per list pair and shape, again after 1 s or a new policy table', async (t) => {
  let table = {};
  const { viaLists, order, clock } = setup({ orderEpoch: () => table });
  const first = await all(viaLists, 'dual.test');
  t.same(
    first.map((a) => a.address),
    ['2001:db8::2', '2001:db8::1', '192.0.2.2', '192.0.2.1'],
  );
  await all(viaLists, 'dual.test');
  await one(viaLists, 'dual.test');
  t.equal(order.calls, 1, 'all and single share the kept answer');
  await all(viaLists, 'dual.test', { order: 'ipv4first' });
  t.equal(order.calls, 2, 'another shape, another answer');
  clock.advance(999);
  await all(viaLists, 'dual.test');
  t.equal(order.calls, 2, 'kept for just under a second');
  clock.advance(1);
  await all(viaLists, 'dual.test');
  t.equal(order.calls, 3, 'computed again at 1 s (the sources may have changed)');
  table = {};
  await all(viaLists, 'dual.test');
  t.equal(order.calls, 4, 'a new policy table: computed again');
  await all(viaLists, 'v4.test');
  t.equal(order.calls, 4, 'one address needs no order');
});

t.test('a kept answer is used only on the network it was made on (other sources, maybe NAT64)', async (t) => {
  let network = 'eth0 192.0.2.10/24';
  const { viaLists, order } = setup({ networkKey: () => network });
  await all(viaLists, 'dual.test');
  await all(viaLists, 'dual.test');
  t.equal(order.calls, 1, 'kept on the same network');
  network = 'wlan0 2001:db8:1::10/64';
  await all(viaLists, 'dual.test');
  t.equal(order.calls, 2, 'another network: computed again');
});

t.test('every caller gets its own objects: changing them changes no later answer', async (t) => {
  const { viaLists } = setup();
  const first = await all(viaLists, 'dual.test');
  first[0]!.address = 'changed';
  first.reverse();
  first.push({ address: '203.0.113.1', family: 4 });
  const second = await all(viaLists, 'dual.test');
  t.same(
    second.map((a) => a.address),
    ['2001:db8::2', '2001:db8::1', '192.0.2.2', '192.0.2.1'],
  );
  t.not(second[0], first[3], 'not the same object');
  t.notOk(Object.isFrozen(second[0]), 'plain objects, as dns.lookup gives');
});

t.test('the callback is never called synchronously, kept answer or not', async (t) => {
  const { viaLists } = setup();
  for (const pass of ['first', 'kept']) {
    let sync = true;
    const done = Promise.all([
      new Promise<void>((resolve) => viaLists('dual.test', { all: true }, () => (t.notOk(sync, `all, ${pass}`), resolve()))),
      new Promise<void>((resolve) => viaLists('dual.test', () => (t.notOk(sync, `single, ${pass}`), resolve()))),
    ]);
    sync = false;
    await done;
  }
});

t.test('an order that waits (sources to find) is kept once it settles', async (t) => {
  const order = Object.assign(
    async (addresses: LookupAddress[]) => {
      order.calls++;
      return [...addresses].reverse();
    },
    { calls: 0 },
  );
  const { viaLists } = setup({ order });
  t.same(
    (await all(viaLists, 'dual.test')).map((a) => a.address),
    ['192.0.2.2', '192.0.2.1', '2001:db8::2', '2001:db8::1'],
  );
  t.same((await one(viaLists, 'dual.test'))[0], '192.0.2.2');
  t.equal(order.calls, 1);
});

t.test('a family not in the lists is peeked and asked; a listed one is not asked again', async (t) => {
  const { viaLists, resolver, peeked } = setup({
    peekAddresses: (_name, type) => (type === 'A' ? Object.freeze(['192.0.2.1']) : undefined),
    peek: () => undefined,
  });
  t.same(
    (await all(viaLists, 'dual.test')).map((a) => a.address),
    ['2001:db8::2', '2001:db8::1', '192.0.2.1'],
  );
  t.same(resolver.queries, [{ name: 'dual.test', type: 'AAAA' }], 'only AAAA asked');
  t.same(peeked, [], 'the replaced peekAddresses');
  const errors = setup({ peekAddresses: (name, type) => (type === 'A' ? new DnsError('ENODATA', { hostname: name, rrtype: 'A' }) : undefined) });
  t.same(
    (await all(errors.viaLists, 'dual.test')).map((a) => a.address),
    ['2001:db8::2', '2001:db8::1'],
    'AAAA from peek, A: the remembered error',
  );
  t.same(errors.resolver.queries, []);
  const system = setup({ peekAddresses: () => undefined });
  t.same((await one(system.viaLists, 'dual.test'))[0], '2001:db8::2', 'both from peek (a system backend answer)');
  t.same(system.resolver.queries, []);
  const asked = setup({ peekAddresses: () => undefined, peek: undefined });
  t.same((await one(asked.viaLists, 'v4.test', { family: 4 }))[0], '192.0.2.7', 'no peek at all: asked');
  t.same(asked.resolver.queries, [{ name: 'v4.test', type: 'A' }]);
  const empty = setup({ peekAddresses: () => Object.freeze([]) });
  t.same(await outcome(one(empty.viaLists, 'v4.test')), { code: 'ENODATA', hostname: 'v4.test' }, 'empty lists are no address');
  t.same(empty.resolver.queries, []);
});

t.test('with NAT64 prefixes nothing is kept: the synthesized addresses are placed as connect() would', async (t) => {
  const prefix = parseNat64Prefix('2001:db8:64::/96')!;
  for (const nat64 of [() => [prefix], async () => [prefix]]) {
    const { viaLists, order } = setup({ nat64 });
    for (let i = 0; i < 2; i++) {
      t.same(
        (await all(viaLists, 'v4.test')).map((a) => a.address),
        ['2001:db8:64::c000:207', '192.0.2.7'],
        'a name without AAAA: synthesized first',
      );
      t.same(
        (await all(viaLists, 'dual.test')).map((a) => a.address),
        ['2001:db8::2', '2001:db8::1', '192.0.2.2', '192.0.2.1', '2001:db8:64::c000:201', '2001:db8:64::c000:202'],
        'with AAAA: last',
      );
    }
    t.equal(order.calls, 2, 'dual.test ordered each time (v4.test has one address to order)');
  }
});

t.test('LookupMemo: kept per list pair, shape and epoch; a stale slot is replaced on set', async (t) => {
  const clock = new ManualClock();
  const memo = new LookupMemo(clock, 10);
  const v6 = Object.freeze(['2001:db8::1']);
  const answer = [{ address: '2001:db8::1', family: 6 as const }];
  t.equal(memo.get(v6, NOT_ASKED, 0, 'e1', 'n1'), undefined);
  t.equal(memo.set(v6, NOT_ASKED, 0, 'e1', 'n1', answer), answer);
  t.ok(Object.isFrozen(answer) && Object.isFrozen(answer[0]), 'frozen, objects too');
  t.equal(memo.get(v6, NOT_ASKED, 0, 'e1', 'n1'), answer);
  t.equal(memo.get(v6, NOT_ASKED, 1, 'e1', 'n1'), undefined, 'another shape');
  t.equal(memo.get(v6, Object.freeze([]), 0, 'e1', 'n1'), undefined, 'another A list');
  t.equal(memo.get(v6, NOT_ASKED, 0, 'e2', 'n1'), undefined, 'another epoch');
  t.equal(memo.get(v6, NOT_ASKED, 0, 'e1', 'n2'), undefined, 'another network');
  memo.set(v6, NOT_ASKED, 1, 'e2', 'n1', [{ address: '2001:db8::1', family: 6 }]);
  t.equal(memo.get(v6, NOT_ASKED, 0, 'e2', 'n1'), undefined, 'the new epoch dropped the old shapes');
  t.ok(memo.get(v6, NOT_ASKED, 1, 'e2', 'n1'));
  clock.advance(10);
  t.equal(memo.get(v6, NOT_ASKED, 1, 'e2', 'n1'), undefined, 'expired');
  memo.set(v6, NOT_ASKED, 2, 'e2', 'n1', answer);
  t.equal(memo.get(v6, NOT_ASKED, 1, 'e2', 'n1'), undefined, 'an expired slot starts over');
  t.equal(memo.get(v6, NOT_ASKED, 2, 'e2', 'n1'), answer);
  t.ok(new LookupMemo(), 'system clock by default');
});
