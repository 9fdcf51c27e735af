/** DnsCache.flush(): after a change of upstream nothing the old one said may answer. */
import t from 'tap';
import { DnsCache } from '../../lib/cache/index.js';
import { DnsError } from '../../lib/errors.js';
import type { Answer, AddressRecordType } from '../../lib/dns/types.js';
import { FakeClock, settle } from '../helpers/fake-clock.js';

const answer = (name: string, type: AddressRecordType, address: string): Answer => ({
  name,
  type,
  records: [{ address, ttl: 60 }],
  ttl: 60,
  cnames: [],
  server: '127.0.0.1:53',
  source: 'dns',
});

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

t.test('flush forgets settled entries', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock() });
  await cache.resolve('a.test', 'A', async () => answer('a.test', 'A', '192.0.2.1'));
  t.equal(cache.stats().entries, 1);
  cache.flush();
  t.equal(cache.stats().entries, 0);
  t.equal(cache.peek('a.test', 'A'), undefined);
});

t.test('an answer in flight at the flush reaches its askers but is not stored; later askers fetch anew', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock() });
  const old = deferred<Answer>();
  const before = cache.resolve('a.test', 'A', () => old.promise);
  await settle();
  cache.flush();
  const next = deferred<Answer>();
  let fresh = 0;
  const after = cache.resolve('a.test', 'A', () => (fresh++, next.promise));
  old.resolve(answer('a.test', 'A', '192.0.2.1'));
  t.equal((await before).records[0]!.address, '192.0.2.1', 'the old asker gets the old answer');
  t.equal(cache.stats().entries, 0, 'and it was not stored');
  t.equal(fresh, 1, 'a new asker did not join the old fetch');
  next.resolve(answer('a.test', 'A', '198.51.100.1'));
  t.equal((await after).records[0]!.address, '198.51.100.1');
  t.equal((cache.peek('a.test', 'A') as Answer).records[0]!.address, '198.51.100.1', 'only the new answer is stored');
});

t.test('a failure in flight at the flush is not remembered either', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock() });
  const old = deferred<Answer>();
  const before = cache.resolve('b.test', 'AAAA', () => old.promise);
  await settle();
  cache.flush();
  old.reject(new DnsError('ENOTFOUND', { hostname: 'b.test', rrtype: 'AAAA', negativeTtl: 300 }));
  await t.rejects(before, { code: 'ENOTFOUND' });
  t.equal(cache.stats().entries, 0, 'the NXDOMAIN from the old upstream was not kept');
  t.equal(cache.peek('b.test', 'AAAA'), undefined);
});
