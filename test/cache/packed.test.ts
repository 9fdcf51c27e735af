// Packed addresses (lib/cache/packed.ts): what packs, what is kept as text, and that callers
// get back exactly the strings that were fetched either way.
import fc from 'fast-check';
import t from 'tap';
import { DnsCache } from '../../lib/cache/index.js';
import { pack, unpack } from '../../lib/cache/packed.js';
import type { Answer, AddressRecordType } from '../../lib/dns/types.js';
import { FakeClock } from '../helpers/fake-clock.js';

const back = (packed: string, type: AddressRecordType): string[] => unpack(packed, type, 0).map((r) => r.address);

t.test('IPv4 as dns-packet writes it packs into 2 code units per address and unpacks to the same text', async (t) => {
  const lists = [[], ['0.0.0.0'], ['192.0.2.1', '198.51.100.255'], ['255.255.255.255', '10.0.0.1', '127.0.0.1']];
  for (const list of lists) {
    const packed = pack(list, 'A');
    t.equal(packed?.length, 2 * list.length, `${list.join(' ')} packed`);
    t.same(back(packed as string, 'A'), list);
  }
});

t.test('IPv6 texts pack into one string, each ended by a comma, and unpack to the same text', async (t) => {
  const lists = [[], ['::'], ['2001:db8::1', '2001:db8::2'], ['', 'fe80::1%eth0', '2001:DB8:0:0:0:0:0:1']];
  for (const list of lists) {
    const packed = pack(list, 'AAAA');
    t.equal(packed, list.map((a) => `${a},`).join(''));
    t.same(back(packed as string, 'AAAA'), list);
  }
});

const unpackable: Array<{ type: AddressRecordType; list: string[]; why: string }> = [
  { type: 'A', list: ['192.0.2.01'], why: 'a leading zero' },
  { type: 'A', list: ['192.0.2'], why: 'three octets' },
  { type: 'A', list: ['192.0.2.1.5'], why: 'five octets' },
  { type: 'A', list: ['256.0.0.1'], why: 'an octet above 255' },
  { type: 'A', list: ['-0.1.2.3'], why: 'a minus sign' },
  { type: 'A', list: ['1e2.0.0.1'], why: 'an exponent' },
  { type: 'A', list: [' 192.0.2.1'], why: 'a space' },
  { type: 'A', list: ['192..2.1'], why: 'an empty octet' },
  { type: 'A', list: ['::1'], why: 'IPv6 text in an A answer' },
  { type: 'A', list: ['192.0.2.1', 'localhost'], why: 'one bad address among good ones' },
  { type: 'AAAA', list: ['2001:db8::1', 'a,b'], why: 'a comma' },
];

for (const { type, list, why } of unpackable) {
  t.test(`${type} [${list.join(' ')}] is not packed (${why}) and comes back from the cache as fetched`, async (t) => {
    t.equal(pack(list, type), undefined);
    const cache = new DnsCache({ clock: new FakeClock() });
    const answer: Answer = { name: 'odd.test', type, records: list.map((address) => ({ address, ttl: 60 })), ttl: 60, cnames: [], source: 'dns' };
    let calls = 0;
    const fetch = async () => (calls++, answer);
    const first = await cache.resolve('odd.test', type, fetch);
    first.records[0]!.address = 'changed by a caller';
    const hit = await cache.resolve('odd.test', type, fetch);
    t.same([hit.source, calls], ['cache', 1]);
    t.same(
      hit.records,
      list.map((address) => ({ address, ttl: 60 })),
    );
  });
}

t.test('the cache hands out packed addresses as fetched, in order, in fresh records', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock() });
  const lists = { A: ['192.0.2.1', '198.51.100.7', '203.0.113.255'], AAAA: ['2001:db8::1', '::', '2001:db8:0:1::'] };
  for (const type of ['A', 'AAAA'] as const) {
    t.ok(pack(lists[type], type), `${type} list packs`);
    const answer: Answer = { name: 'p.test', type, records: lists[type].map((address) => ({ address, ttl: 60 })), ttl: 60, cnames: [], source: 'dns' };
    await cache.resolve('p.test', type, async () => answer);
    const hits = [await cache.resolve('p.test', type, async () => answer), await cache.resolve('p.test', type, async () => answer)];
    for (const hit of hits) t.same([hit.source, hit.records.map((r) => r.address)], ['cache', lists[type]]);
    t.not(hits[0]!.records[0], hits[1]!.records[0], 'each caller gets its own record objects');
  }
});

t.test('property: any IPv4 list packs and round-trips', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.ipV4(), { maxLength: 8 }), (list) => {
      const packed = pack(list, 'A');
      return packed !== undefined && packed.length === 2 * list.length && back(packed, 'A').join() === list.join();
    }),
  );
  t.pass('held for every generated list');
});

t.test('property: any list of strings is either not packed or given back exactly, for both types', async (t) => {
  const text = fc.oneof(fc.string(), fc.ipV4(), fc.ipV6(), fc.ipV4Extended());
  for (const type of ['A', 'AAAA'] as const) {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 5 }), (list) => {
        const packed = pack(list, type);
        if (packed === undefined) return type === 'A' || list.some((a) => a.includes(','));
        const again = back(packed, type);
        return again.length === list.length && again.every((a, i) => a === list[i]);
      }),
    );
  }
  t.pass('held for every generated list');
});
