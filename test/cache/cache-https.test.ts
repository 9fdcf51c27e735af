/**
 * HTTPS answers in the cache: their own storage path (service-records.ts), TTLs counted
 * down like addresses', expiry and LRU shared with address entries, bad answers refused.
 */
import t from 'tap';
import { DnsCache } from '../../lib/cache/index.js';
import { EntryStore } from '../../lib/cache/store.js';
import { Entry, Details } from '../../lib/cache/entry.js';
import type { Answer, ServiceAnswer } from '../../lib/dns/types.js';
import { FakeClock } from '../helpers/fake-clock.js';

const service = (ttl = 60): ServiceAnswer => ({
  name: 'svc.test',
  type: 'HTTPS',
  records: [{ priority: 1, target: '.', params: { alpn: ['h2'], port: 8443, ech: Buffer.from([0, 1, 7]), key9: Buffer.from('x') }, ttl }],
  ttl,
  cnames: [],
  server: '127.0.0.1:53',
  source: 'dns',
  aliases: [],
});

t.test('a hit counts the TTL down and hands out fresh copies', async (t) => {
  const clock = new FakeClock();
  const cache = new DnsCache({ clock });
  let calls = 0;
  const fetch = async (): Promise<ServiceAnswer> => (calls++, service());
  const first = await cache.resolve('svc.test', 'HTTPS', fetch);
  t.equal(first.source, 'dns');
  first.records[0]!.params.ech![0] = 99;
  first.records[0]!.params.alpn!.push('x');
  clock.advance(10_000);
  const hit = await cache.resolve('SVC.test.', 'HTTPS', fetch);
  t.same(hit, { ...service(50), source: 'cache' });
  t.equal(calls, 1);
  t.same(cache.peek('svc.test', 'HTTPS'), { ...service(50), source: 'cache' }, 'peek too');
  clock.advance(60_000);
  await cache.resolve('svc.test', 'HTTPS', fetch);
  t.equal(calls, 2, 'expired: fetched again');
});

t.test('an HTTPS entry and the address entries of one name are separate', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock() });
  await cache.resolve('svc.test', 'HTTPS', async () => service());
  const a: Answer = { name: 'svc.test', type: 'A', records: [{ address: '192.0.2.1', ttl: 60 }], ttl: 60, cnames: [], source: 'dns' };
  await cache.resolve('svc.test', 'A', async () => a);
  t.equal(cache.stats().entries, 2);
  cache.delete('svc.test', 'HTTPS');
  t.equal(cache.stats().entries, 1);
  await cache.resolve('svc.test', 'HTTPS', async () => service());
  cache.delete('svc.test');
  t.equal(cache.stats().entries, 0, 'delete without a type forgets every type');
});

t.test('a malformed HTTPS answer from upstream is EBADRESP, never stored', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock() });
  const bad: Array<[unknown, RegExp]> = [
    [{ ...service(), records: [null] }, /record 0 is not an object/],
    [{ ...service(), records: [{ priority: 1, target: '.', ttl: 1 }] }, /needs a priority, a target and params/],
    [{ ...service(), records: [{ priority: 1, target: '.', params: {} }] }, /record 0 needs a ttl/],
    [{ ...service(), records: [{ priority: 1, target: '.', params: {}, ttl: -1 }] }, /record 0 needs a ttl/],
  ];
  for (const [i, [answer, message]] of bad.entries()) {
    await t.rejects(
      cache.resolve(`x${i}.test`, 'HTTPS', async () => answer as ServiceAnswer),
      { code: 'EBADRESP', rrtype: 'HTTPS', message },
    );
  }
  t.equal(cache.stats().entries, 4, 'remembered as failures (errorTtl), not as answers');
});

t.test('closing fails an HTTPS flight with ECANCELLED worded for HTTPS', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock() });
  const pending = cache.resolve('svc.test', 'HTTPS', () => new Promise<ServiceAnswer>(() => {}));
  cache.close();
  await t.rejects(pending, { code: 'ECANCELLED', syscall: 'queryHttps', message: /queryHttps ECANCELLED HTTPS svc.test: cache closed/ });
});

t.test('LRU stamps are renumbered in global order across the three maps', async (t) => {
  const store = new EntryStore(10, 4);
  const entry = (): Entry => new Entry(null, new Details(undefined, 'ENODATA', [], 0), undefined, 0, 60);
  const order: Array<['A' | 'AAAA' | 'HTTPS', string]> = [
    ['HTTPS', 'a'],
    ['A', 'b'],
    ['AAAA', 'c'],
    ['HTTPS', 'd'],
    ['A', 'e'],
  ];
  const entries = order.map(([type, key]) => {
    const e = entry();
    store.set(type, key, e);
    return e;
  });
  t.same(
    entries.map((e) => e.seq),
    [1, 2, 3, 4, 5],
    'renumbered once past the bound, order kept',
  );
  const small = new EntryStore(2);
  small.set('HTTPS', 'old', entry());
  small.set('A', 'mid', entry());
  small.set('AAAA', 'new', entry());
  t.equal(small.get('HTTPS', 'old'), undefined, 'the oldest entry goes, whatever its type');
  t.equal(small.size, 2);
});
