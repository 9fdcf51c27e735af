import t from 'tap';
import { DnsCache } from '../../lib/cache/index.js';
import type { Answer, AddressRecordType } from '../../lib/dns/types.js';
import { AbortError, DnsError, type DnsErrorCode } from '../../lib/errors.js';
import { FakeClock } from '../helpers/fake-clock.js';

const answer = (name: string, type: AddressRecordType, addrs: string[], ttl = 60): Answer => ({
  name,
  type,
  records: addrs.map((address) => ({ address, ttl })),
  ttl,
  cnames: [],
  server: '127.0.0.1:53',
  source: 'dns',
});

/** A fetch that counts its calls and settles with `reply()` (a thrown value rejects). */
function counted(reply: () => Answer | Promise<Answer>) {
  const f = Object.assign(async (_signal: AbortSignal) => (f.calls++, reply()), { calls: 0 });
  return f;
}

const negatives: Array<{ code: DnsErrorCode; negativeTtl: number | undefined; options: object; kept: number }> = [
  { code: 'ENOTFOUND', negativeTtl: 30, options: {}, kept: 30 },
  { code: 'ENODATA', negativeTtl: 30, options: {}, kept: 30 },
  { code: 'ENOTFOUND', negativeTtl: 86400, options: {}, kept: 3600 },
  { code: 'ENODATA', negativeTtl: 5, options: { negativeMinTtl: 60 }, kept: 60 },
  { code: 'ENOTFOUND', negativeTtl: 900, options: { negativeMaxTtl: 300 }, kept: 300 },
  // RFC 2308 §5: no SOA, no negativeTtl: kept only as long as negativeMinTtl says.
  { code: 'ENODATA', negativeTtl: undefined, options: { negativeMinTtl: 2 }, kept: 2 },
];
for (const c of negatives) {
  t.test(`${c.code} with negativeTtl ${c.negativeTtl} ${JSON.stringify(c.options)}: nothing sent for ${c.kept} s, then one query`, async (t) => {
    const clock = new FakeClock();
    const cache = new DnsCache({ clock, ...c.options });
    const original = new DnsError(c.code, { hostname: 'Gone.test', rrtype: 'AAAA', server: '127.0.0.1:53', negativeTtl: c.negativeTtl });
    const fetch = counted(() => Promise.reject(original));
    await t.rejects(cache.resolve('gone.test', 'AAAA', fetch), original, 'the first asker gets the fetch error itself');
    clock.advance(1500);
    for (let i = 0; i < 5; i++) {
      const err = await cache.resolve('gone.test', 'AAAA', fetch).catch((e: unknown) => e);
      t.ok(err instanceof DnsError && err !== original);
      t.match(err, { code: c.code, hostname: 'Gone.test', rrtype: 'AAAA', syscall: 'queryAaaa', server: '127.0.0.1:53', negativeTtl: c.kept - 1 });
    }
    t.equal(fetch.calls, 1);
    t.match(cache.stats(), { negativeHits: 5, errorHits: 0, misses: 1 });
    clock.advance(c.kept * 1000 - 1501);
    await t.rejects(cache.resolve('gone.test', 'AAAA', fetch), { code: c.code, negativeTtl: 1 });
    t.equal(fetch.calls, 1);
    clock.advance(1);
    await t.rejects(cache.resolve('gone.test', 'AAAA', fetch), original);
    t.equal(fetch.calls, 2);
  });
}

t.test('a negative answer without negativeTtl is not kept by default (RFC 2308 §5)', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock() });
  const fetch = counted(() => Promise.reject(new DnsError('ENOTFOUND', { hostname: 'nosoa.test', rrtype: 'A' })));
  await t.rejects(cache.resolve('nosoa.test', 'A', fetch), { code: 'ENOTFOUND' });
  await t.rejects(cache.resolve('nosoa.test', 'A', fetch), { code: 'ENOTFOUND' });
  t.equal(fetch.calls, 2);
  t.equal(cache.stats().entries, 0);
});

const transient: DnsErrorCode[] = ['ESERVFAIL', 'ETIMEOUT', 'EREFUSED', 'ECONNREFUSED', 'ECONNRESET', 'EBADRESP'];
for (const code of transient) {
  t.test(`${code} is remembered for errorTtl, then asked again`, async (t) => {
    const clock = new FakeClock();
    const cache = new DnsCache({ clock, errorTtl: 2 });
    const fetch = counted(() => Promise.reject(new DnsError(code, { hostname: 'fail.test', rrtype: 'A', server: '127.0.0.2:53' })));
    const waiters = await Promise.all([1, 2, 3].map(() => cache.resolve('fail.test', 'A', fetch).catch((e: unknown) => e)));
    t.ok(
      waiters.every((e) => e === waiters[0]),
      'every waiter of the fetch gets its one error',
    );
    clock.advance(1999);
    await t.rejects(cache.resolve('fail.test', 'A', fetch), { code, hostname: 'fail.test', rrtype: 'A', server: '127.0.0.2:53', negativeTtl: undefined });
    t.equal(fetch.calls, 1);
    t.match(cache.stats(), { errorHits: 1, negativeHits: 0, coalesced: 2 });
    clock.advance(1);
    await t.rejects(cache.resolve('fail.test', 'A', fetch), { code });
    t.equal(fetch.calls, 2);
  });
}

t.test('errorTtl 0 remembers no failure; a fractional errorTtl is honoured in ms', async (t) => {
  const clock = new FakeClock();
  const fail = () => Promise.reject(new DnsError('ESERVFAIL', { hostname: 'f.test', rrtype: 'A' }));
  const none = new DnsCache({ clock, errorTtl: 0 });
  const f1 = counted(fail);
  await t.rejects(none.resolve('f.test', 'A', f1), { code: 'ESERVFAIL' });
  await t.rejects(none.resolve('f.test', 'A', f1), { code: 'ESERVFAIL' });
  t.equal(f1.calls, 2);
  const brief = new DnsCache({ clock, errorTtl: 0.15 });
  const f2 = counted(fail);
  await t.rejects(brief.resolve('f.test', 'A', f2), { code: 'ESERVFAIL' });
  clock.advance(149);
  await t.rejects(brief.resolve('f.test', 'A', f2), { code: 'ESERVFAIL' });
  clock.advance(1);
  await t.rejects(brief.resolve('f.test', 'A', f2), { code: 'ESERVFAIL' });
  t.equal(f2.calls, 2);
});

const uncached: Array<{ what: string; fetch: () => Promise<Answer> }> = [
  { what: 'AbortError', fetch: () => Promise.reject(new AbortError()) },
  { what: 'ECANCELLED', fetch: () => Promise.reject(new DnsError('ECANCELLED', { hostname: 'x.test' })) },
  { what: 'EBADNAME', fetch: () => Promise.reject(new DnsError('EBADNAME', { hostname: 'x.test' })) },
  { what: 'a plain Error', fetch: () => Promise.reject(new Error('boom')) },
  { what: 'a thrown string', fetch: () => Promise.reject('boom') },
  {
    what: 'a synchronous throw',
    fetch: () => {
      throw new TypeError('sync');
    },
  },
];
for (const c of uncached) {
  t.test(`${c.what} from fetch reaches every waiter and is never cached`, async (t) => {
    const cache = new DnsCache({ clock: new FakeClock() });
    let calls = 0;
    const fetch = (_s: AbortSignal) => (calls++, c.fetch());
    const got = await Promise.all(
      [1, 2].map(() =>
        cache.resolve('x.test', 'A', fetch).then(
          () => 'resolved',
          (e: unknown) => e,
        ),
      ),
    );
    t.not(got[0], 'resolved');
    t.equal(got[0], got[1]);
    await cache.resolve('x.test', 'A', fetch).catch(() => {});
    t.equal(calls, 2);
    t.equal(cache.stats().entries, 0);
  });
}

const malformed: Array<{ what: string; value: unknown }> = [
  { what: 'null', value: null },
  { what: 'a string', value: 'answer' },
  { what: 'records not an array', value: { ttl: 5, records: 'x' } },
  { what: 'a negative ttl', value: { ttl: -1, records: [] } },
  { what: 'a NaN ttl', value: { ttl: NaN, records: [] } },
  { what: 'an infinite ttl', value: { ttl: Infinity, records: [] } },
  { what: 'a null record', value: { ttl: 5, records: [null] } },
  { what: 'a record without address', value: { ttl: 5, records: [{ ttl: 5 }] } },
  { what: 'a record with a string ttl', value: { ttl: 5, records: [{ address: '192.0.2.1', ttl: '5' }] } },
];
for (const c of malformed) {
  t.test(`an Answer with ${c.what} becomes EBADRESP, remembered for errorTtl`, async (t) => {
    const cache = new DnsCache({ clock: new FakeClock() });
    let calls = 0;
    const fetch = async () => (calls++, c.value as Answer);
    await t.rejects(cache.resolve('bad.test', 'AAAA', fetch), { name: 'DnsError', code: 'EBADRESP', hostname: 'bad.test', rrtype: 'AAAA' });
    await t.rejects(cache.resolve('bad.test', 'AAAA', fetch), { code: 'EBADRESP' });
    t.equal(calls, 1);
  });
}

t.test('an Answer missing optional fields gets the asked name, no server and no CNAMEs', async (t) => {
  const cache = new DnsCache({ clock: new FakeClock() });
  const bare = { ttl: 10, records: [{ address: '192.0.2.1', ttl: 10 }], cnames: 'x' } as unknown as Answer;
  const a = await cache.resolve('Bare.test.', 'A', async () => bare);
  t.same(a, { name: 'Bare.test.', type: 'A', records: [{ address: '192.0.2.1', ttl: 10 }], ttl: 10, cnames: [], server: undefined, source: 'dns' });
  const err = Object.assign(new Error('no details'), { code: 'ESERVFAIL' });
  await t.rejects(
    cache.resolve('nohost.test', 'A', async () => Promise.reject(err)),
    err,
  );
  await t.rejects(
    cache.resolve('nohost.test', 'A', async () => answer('x', 'A', [])),
    { code: 'ESERVFAIL', hostname: 'nohost.test', server: undefined },
  );
});
