/**
 * Load on a warm cache: rounds of lookups (the dns.lookup contract, both families, ordered
 * by RFC 6724) and of queries, with the heap after a full GC between rounds: it must not
 * grow. The rate is printed here (slowed by coverage) and measured in scripts/soak-load.ts.
 */
import t from 'tap';
import { keysRemembered, MAX_KEYS, sortDestinations } from '../../lib/address/rfc6724.js';
import { Resolver } from '../../lib/resolver.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { heapAfterGc } from '../../scripts/harness/leak-races.js';
import { lookupRounds } from '../../scripts/harness/load-lookups.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

const dns = await FakeDnsServer.start({ zones: fixtureZones() });
const resolver = new Resolver({ servers: [dns.server], resolvConf: false, hosts: false });
t.teardown(async () => {
  resolver.close();
  await dns.close();
});

// Rounds sized for the suite (coverage slows lookups several times); the soak script runs 100,000s.
for (const [api, perRound] of [
  ['lookup', 5_000],
  ['query', 50_000],
] as const) {
  t.test(`${api}: 5 rounds of ${perRound.toLocaleString('en')} on a warm cache of 1,000 dual-stack names, the heap flat`, async (t) => {
    const rounds = await lookupRounds(resolver, dns, api, 5, perRound);
    t.comment(rounds.map((r, i) => `round ${i + 1}: ${Math.round(r.perSecond).toLocaleString('en')}/s, heap ${(r.heap / 1e6).toFixed(2)} MB`).join('\n'));
    t.ok(
      rounds.every((r) => r.failures === 0),
      'every lookup answered',
    );
    // Round 1 warms the JIT; over rounds 3-5 a leak of 8 bytes per query (35 per lookup) shows as 1 MiB.
    const growth = rounds[4]!.heap - rounds[1]!.heap;
    t.ok(growth < 1024 * 1024, `heap from round 2 to round 5: ${(growth / 1024).toFixed(0)} KiB (< 1 MiB)`);
    t.equal(resolver.stats().entries, 2000, 'the cache holds A and AAAA of each name');
  });
}

t.test('the RFC 6724 key memory is bounded', async (t) => {
  const destinations = Array.from({ length: MAX_KEYS + 500 }, (_, i) => ({ address: `2001:db8::${i.toString(16)}`, family: 6 as const }));
  const sources = new Map(destinations.map((d) => [d.address, '2001:db8::ffff']));
  t.equal(sortDestinations(destinations, sources).length, destinations.length);
  t.ok(keysRemembered() <= MAX_KEYS, `${keysRemembered()} pairs remembered`);
  t.ok((await heapAfterGc()) > 0);
});
