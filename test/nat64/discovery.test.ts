/** RFC 7050: the NAT64 prefix read from the DNS64 answer for ipv4only.arpa. */
import t from 'tap';
import { discoverPrefixes, NEGATIVE_HOLD_MS, prefixesFromAnswer, WELL_KNOWN_ADDRESSES, WELL_KNOWN_NAME } from '../../lib/nat64/discovery.js';
import { embedIPv4, parseNat64Prefix } from '../../lib/nat64/prefix.js';
import type { AddressResolver, Answer } from '../../lib/dns/types.js';
import { DnsError } from '../../lib/errors.js';

const synthesizedBy = (prefix: string) => WELL_KNOWN_ADDRESSES.map((wka) => embedIPv4(parseNat64Prefix(prefix)!, wka)!);
const texts = (addresses: string[]) => prefixesFromAnswer(addresses).map((p) => p.text);

t.test('R20: the prefix is found at every RFC 6052 length', async (t) => {
  for (const prefix of [
    '2001:db8::/32',
    '2001:db8:100::/40',
    '2001:db8:122::/48',
    '2001:db8:122:300::/56',
    '2001:db8:122:344::/64',
    '64:ff9b::/96',
    '2001:db8:64::/96',
  ]) {
    t.same(texts(synthesizedBy(prefix)), [prefix], prefix);
    t.same(texts(synthesizedBy(prefix).slice(1)), [prefix], `${prefix}: one well-known address is enough`);
  }
});

t.test('two prefixes answered: both; junk and non-synthesized addresses ignored', async (t) => {
  t.same(texts([...synthesizedBy('64:ff9b::/96'), ...synthesizedBy('2001:db8:64::/96')]), ['64:ff9b::/96', '2001:db8:64::/96']);
  t.same(texts(['2001:db8::1', 'not an address', '192.0.0.170', '::ffff:192.0.0.171']), [], 'nothing synthesized: no prefix');
  t.same(texts([]), []);
});

t.test('a prefix whose own bits spell a well-known address: the position holding both decides', async (t) => {
  // c000:aa in bits 64-95 of a /64 prefix... reads as 192.0.0.170 at /96 too; the pair settles it.
  const prefix = '2001:db8:c000:aa::/64';
  const answer = synthesizedBy(prefix);
  t.same(texts(answer), [prefix]);
  // A /32 prefix 2001:db8:: with the addresses at /32 also reads as something at other lengths only by chance.
  t.same(texts(synthesizedBy('2001:db8::/32')), ['2001:db8::/32']);
});

function resolverOf(result: Answer | Error, calls: string[] = []): AddressResolver {
  return {
    query: async (name, type) => {
      calls.push(`${name} ${type}`);
      if (result instanceof Error) throw result;
      return result;
    },
  };
}
const answer = (addresses: string[], ttl = 300): Answer => ({
  name: WELL_KNOWN_NAME,
  type: 'AAAA',
  records: addresses.map((address) => ({ address, ttl })),
  ttl,
  cnames: [],
  source: 'dns',
});

t.test('discovery asks AAAA for the absolute name ipv4only.arpa. and holds the answer for its TTL', async (t) => {
  const calls: string[] = [];
  const found = await discoverPrefixes(resolverOf(answer(synthesizedBy('2001:db8:64::/96'), 300), calls));
  t.same(calls, ['ipv4only.arpa. AAAA']);
  t.same(
    found.prefixes.map((p) => p.text),
    ['2001:db8:64::/96'],
  );
  t.equal(found.ttlMs, 300_000);
  t.equal((await discoverPrefixes(resolverOf(answer(synthesizedBy('64:ff9b::/96'), 0)))).ttlMs, 1000, 'TTL 0: held a second');
});

t.test('no DNS64 (NODATA, NXDOMAIN, or addresses without a well-known one): no prefix, held a minute; other failures reject', async (t) => {
  for (const result of [
    new DnsError('ENODATA', { hostname: WELL_KNOWN_NAME }),
    new DnsError('ENOTFOUND', { hostname: WELL_KNOWN_NAME }),
    answer(['2001:db8::1']),
  ]) {
    t.same(await discoverPrefixes(resolverOf(result)), { prefixes: [], ttlMs: NEGATIVE_HOLD_MS });
  }
  t.equal(NEGATIVE_HOLD_MS, 60_000);
  await t.rejects(discoverPrefixes(resolverOf(new DnsError('ETIMEOUT', { hostname: WELL_KNOWN_NAME }))), { code: 'ETIMEOUT' });
  await t.rejects(discoverPrefixes(resolverOf(new Error('boom'))), { message: 'boom' });
});
