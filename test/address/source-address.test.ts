import t from 'tap';
import type { Clock } from '../../lib/clock.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { SourceAddressFinder, probeSource } from '../../lib/address/source-address.js';
import { NetworkMonitor } from '../../lib/system/network.js';

/** Just enough clock for a cache that only reads `now`. */
function fakeClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  return {
    now: () => now,
    setTimeout: () => {
      throw new Error('the finder must not set timers');
    },
    clearTimeout: () => {
      throw new Error('the finder must not set timers');
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** A probe that records calls and answers `src-<address>`, or waits for `release()`. */
function countingProbe(options: { hold?: boolean } = {}) {
  const calls: string[] = [];
  const waiting: Array<() => void> = [];
  const probe = (address: string): Promise<string | undefined> => {
    calls.push(address);
    const answer = `src-${address}`;
    if (!options.hold) return Promise.resolve(answer);
    return new Promise((resolve) => waiting.push(() => resolve(answer)));
  };
  const release = (): void => waiting.splice(0).forEach((go) => go());
  return { calls, probe, release };
}

// Real sockets, loopback only. A UDP connect sends nothing; the failures are local (EINVAL:
// link-local without a valid zone; EACCES: broadcast without SO_BROADCAST).
t.test('S1 probeSource on loopback', async (t) => {
  t.equal(await probeSource('::1'), '::1', '::1 → ::1');
  t.match(await probeSource('127.0.0.2'), /^127\./, '127.0.0.2 → a 127.x address');
  t.equal(await probeSource('::ffff:127.0.0.1'), '::ffff:127.0.0.1', 'IPv4-mapped on an IPv6 socket');
  t.equal(await probeSource('fe80::1%nonexistent0'), undefined, 'link-local with an unknown zone → unusable');
  t.equal(await probeSource('255.255.255.255'), undefined, 'limited broadcast → unusable');
  t.equal(await probeSource('not-an-ip'), undefined, 'a name is never resolved → unusable');
  t.equal(await probeSource(''), undefined, 'empty → unusable');
});

t.test('S1 SourceAddressFinder with real probes', async (t) => {
  const finder = new SourceAddressFinder();
  const found = await finder.find(['::1', '127.0.0.2', 'fe80::1%nonexistent0', '::1']);
  t.same([...found.keys()], ['::1', '127.0.0.2', 'fe80::1%nonexistent0'], 'one entry per address, input order');
  t.equal(found.get('::1'), '::1');
  t.match(found.get('127.0.0.2'), /^127\./);
  t.equal(found.get('fe80::1%nonexistent0'), undefined);
  t.ok(found.has('fe80::1%nonexistent0'), 'unusable addresses are present with undefined');
  finder.close();
});

t.test('results are cached for ttlMs, on the injected clock', async (t) => {
  const clock = fakeClock();
  const { calls, probe } = countingProbe();
  const finder = new SourceAddressFinder({ clock, ttlMs: 1000, probe });
  t.same(await finder.find(['192.0.2.1']), new Map([['192.0.2.1', 'src-192.0.2.1']]));
  clock.advance(999);
  t.same(await finder.find(['192.0.2.1']), new Map([['192.0.2.1', 'src-192.0.2.1']]), 'cached result');
  t.same(calls, ['192.0.2.1'], 'one probe within the TTL');
  clock.advance(1);
  await finder.find(['192.0.2.1']);
  t.same(calls, ['192.0.2.1', '192.0.2.1'], 'probed again once the TTL is over');
});

t.test('the default TTL is 1000 ms', async (t) => {
  const clock = fakeClock();
  const { calls, probe } = countingProbe();
  const finder = new SourceAddressFinder({ clock, probe });
  await finder.find(['192.0.2.1']);
  clock.advance(999);
  await finder.find(['192.0.2.1']);
  t.equal(calls.length, 1);
  clock.advance(1);
  await finder.find(['192.0.2.1']);
  t.equal(calls.length, 2);
});

t.test('unusable results are cached too', async (t) => {
  const clock = fakeClock();
  const calls: string[] = [];
  const finder = new SourceAddressFinder({ clock, probe: async (a) => (calls.push(a), undefined) });
  t.same(await finder.find(['192.0.2.1']), new Map([['192.0.2.1', undefined]]));
  t.same(await finder.find(['192.0.2.1']), new Map([['192.0.2.1', undefined]]));
  t.equal(calls.length, 1);
});

t.test('ttlMs 0 disables caching', async (t) => {
  const { calls, probe } = countingProbe();
  const finder = new SourceAddressFinder({ clock: fakeClock(), ttlMs: 0, probe });
  await finder.find(['192.0.2.1']);
  await finder.find(['192.0.2.1']);
  t.equal(calls.length, 2);
});

t.test('concurrent lookups of one address share one probe', async (t) => {
  const { calls, probe, release } = countingProbe({ hold: true });
  const finder = new SourceAddressFinder({ clock: fakeClock(), probe });
  const first = finder.find(['192.0.2.1', '2001:db8::1']);
  const second = finder.find(['2001:db8::1', '192.0.2.1', '192.0.2.1']);
  await Promise.resolve();
  t.same(calls, ['192.0.2.1', '2001:db8::1'], 'each address probed once');
  release();
  const [a, b] = await Promise.all([first, second]);
  t.equal(a.get('2001:db8::1'), 'src-2001:db8::1');
  t.same(
    [...b.entries()],
    [
      ['2001:db8::1', 'src-2001:db8::1'],
      ['192.0.2.1', 'src-192.0.2.1'],
    ],
  );
});

t.test('a probe that rejects counts as unusable', async (t) => {
  const finder = new SourceAddressFinder({ clock: fakeClock(), probe: () => Promise.reject(new Error('boom')) });
  t.same(await finder.find(['192.0.2.1']), new Map([['192.0.2.1', undefined]]));
});

t.test('close() drops the cache; a probe in flight does not refill it', async (t) => {
  const clock = fakeClock();
  const { calls, probe, release } = countingProbe({ hold: true });
  const finder = new SourceAddressFinder({ clock, probe });
  const pending = finder.find(['192.0.2.1']);
  await Promise.resolve();
  finder.close();
  release();
  t.equal((await pending).get('192.0.2.1'), 'src-192.0.2.1', 'the caller still gets its answer');
  const again = finder.find(['192.0.2.1']);
  await Promise.resolve();
  release();
  await again;
  t.equal(calls.length, 2, 'probed again after close()');
  await finder.find(['192.0.2.1']);
  t.equal(calls.length, 2, 'and cached again afterwards');
  finder.close();
  const third = finder.find(['192.0.2.1']);
  t.equal(calls.length, 3, 'close() dropped the cached result');
  release();
  await third;
});

t.test('the cache is bounded (4096 entries, oldest dropped first)', async (t) => {
  const { calls, probe } = countingProbe();
  const finder = new SourceAddressFinder({ clock: fakeClock(), probe });
  const many = Array.from({ length: 4097 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
  await finder.find(many);
  t.equal(calls.length, 4097);
  await finder.find([many[4096]!]);
  t.equal(calls.length, 4097, 'the newest is still cached');
  t.same(finder.cached([many[4096]!]), new Map([[many[4096]!, `src-${many[4096]!}`]]), 'and known without a probe');
  await finder.find([many[0]!]);
  t.equal(calls.length, 4098, 'the oldest was dropped');
  t.equal(finder.cached([many[0]!, '10.9.9.9']), undefined, 'not all known: undefined');
});

t.test('bad options and arguments are typed errors', async (t) => {
  for (const ttlMs of [-1, NaN, Infinity, '5' as unknown as number]) {
    t.throws(() => new SourceAddressFinder({ ttlMs }), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'ttlMs' }, String(ttlMs));
  }
  const finder = new SourceAddressFinder();
  await t.rejects(finder.find('::1' as unknown as string[]), InvalidArgumentError);
  await t.rejects(finder.find(undefined as unknown as string[]), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'addresses' });
});

t.test('a change of the network drops every cached source, whatever its TTL', async (t) => {
  const clock = fakeClock();
  let interfaces: Record<string, Array<{ address: string; family: 'IPv4' | 'IPv6'; internal: boolean; cidr: string }>> = {
    eth0: [{ address: '192.0.2.100', family: 'IPv4', internal: false, cidr: '192.0.2.100/24' }],
  };
  const network = new NetworkMonitor({ clock, interfaces: () => interfaces as never, checkIntervalMs: 1000 });
  const { calls, probe } = countingProbe();
  const finder = new SourceAddressFinder({ clock, ttlMs: 60_000, probe, network });
  await finder.find(['192.0.2.1']);
  t.ok(finder.cached(['192.0.2.1']), 'cached');
  interfaces = { wlan0: [{ address: '198.51.100.7', family: 'IPv4', internal: false, cidr: '198.51.100.7/24' }] };
  clock.advance(999);
  t.ok(finder.cached(['192.0.2.1']), 'the network is read at most once a second');
  clock.advance(1);
  t.equal(finder.cached(['192.0.2.1']), undefined, 'a new network: nothing cached');
  await finder.find(['192.0.2.1']);
  t.same(calls, ['192.0.2.1', '192.0.2.1'], 'probed again');
});
