/**
 * The demo's contrast with Node core: its lookup asks only the lab's DNS server and
 * answers like getaddrinfo; each client is timed to an outcome within the limit.
 */
import type dns from 'node:dns';
import t from 'tap';
import { labLookup, ratio, timeClient, TIMED_OUT, type Timing } from '../../lib/cli/demo-compare.js';
import { systemClock } from '../../lib/clock.js';
import { startLab } from '../../lib/lab/lab.js';

const lab = await startLab({
  hosts: [
    { name: 'dual.he.test', ipv6: 'accept', ipv4: 'accept', aaaaDelay: 150 },
    { name: 'v6hole.he.test', ipv6: 'black-hole', ipv4: 'accept' },
    { name: 'holes.he.test', ipv6: 'black-hole', ipv4: 'black-hole' },
    { name: 'down.he.test', ipv6: 'closed', ipv4: 'closed' },
  ],
});
t.teardown(() => lab.close());

type LookupResult = { err: NodeJS.ErrnoException | null; address: string | dns.LookupAddress[]; family?: number | undefined; ms: number };
const lookup = (name: string, options: dns.LookupOptions): Promise<LookupResult> =>
  new Promise((resolve) => {
    const start = performance.now();
    const fn = labLookup(lab.nameserver) as unknown as (h: string, o: dns.LookupOptions, cb: (...args: unknown[]) => void) => void;
    fn(name, options, (err, address, family) =>
      resolve({
        err: err as LookupResult['err'],
        address: address as LookupResult['address'],
        family: family as number | undefined,
        ms: performance.now() - start,
      }),
    );
  });

t.test('labLookup: both families from the lab server, IPv6 first, once both are in (as getaddrinfo)', async (t) => {
  lab.dns.resetCounts();
  const all = await lookup('dual.he.test', { all: true });
  t.equal(all.err, null);
  t.same(all.address, [
    { address: '::1', family: 6 },
    { address: '127.0.0.1', family: 4 },
  ]);
  t.ok(all.ms >= 140, `waited for the slow AAAA (${all.ms} ms)`);
  const one = await lookup('dual.he.test', {});
  t.same([one.address, one.family], ['::1', 6], 'all: false gives the first address');
  t.equal(lab.dns.count('dual.he.test'), 4, 'every query went to the lab server');
  const missing = await lookup('nope.he.test', { all: true });
  t.match(missing.err, { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND nope.he.test' });
});

const time = (client: 'happy-eyeballs' | 'net.connect' | 'autoSelectFamily', name: string, timeoutMs = 600): Promise<Timing> =>
  timeClient(client, { host: name, port: lab.host(name).port, nameserver: lab.nameserver, timeoutMs, clock: systemClock });

t.test('timeClient: a connection, a refusal, a missing name and the time limit, per client', async (t) => {
  t.match(await time('happy-eyeballs', 'v6hole.he.test'), { address: '127.0.0.1', error: null });
  t.match(await time('autoSelectFamily', 'v6hole.he.test'), { address: '127.0.0.1', error: null });
  const plain = await time('net.connect', 'v6hole.he.test');
  t.match(plain, { address: null, error: TIMED_OUT }, 'one address, and it is the black hole');
  t.ok(plain.ms >= 590, `gave up at the limit (${plain.ms} ms)`);
  t.match(await time('happy-eyeballs', 'holes.he.test', 400), { address: null, error: TIMED_OUT });
  for (const client of ['happy-eyeballs', 'net.connect', 'autoSelectFamily'] as const) {
    t.match(await time(client, 'down.he.test'), { address: null, error: 'ECONNREFUSED' }, `${client}: refused, named by the first attempt's code`);
  }
  const port = lab.host('down.he.test').port;
  const missing = await timeClient('net.connect', { host: 'nope.he.test', port, nameserver: lab.nameserver, timeoutMs: 600, clock: systemClock });
  t.match(missing, { address: null, error: 'ENOTFOUND' });
});

t.test('ratio: theirs over mine, one decimal below 10; nothing when either failed', async (t) => {
  const ok = (ms: number): Timing => ({ address: '::1', error: null, ms });
  t.equal(ratio(ok(50), ok(1000)), '20×');
  t.equal(ratio(ok(2), ok(3)), '1.5×');
  t.equal(ratio(ok(0), ok(1)), '10×', 'a 0 ms time counts as 0.1 ms');
  t.equal(ratio(ok(5), { address: null, error: TIMED_OUT, ms: 2000 }), '');
  t.equal(ratio({ address: null, error: 'ECONNREFUSED', ms: 1 }, ok(5)), '');
});
