import t from 'tap';
import { followAliases } from '../../lib/dns/alias-chain.js';
import type { ServiceAnswer, ServiceRecord } from '../../lib/dns/types.js';
import { DnsError } from '../../lib/errors.js';

const answer = (name: string, records: ServiceRecord[], extra: Partial<ServiceAnswer> = {}): ServiceAnswer => ({
  name,
  type: 'HTTPS',
  records,
  ttl: 300,
  cnames: [],
  source: 'cache',
  aliases: [],
  ...extra,
});
const alias = (target: string, ttl = 300): ServiceRecord => ({ priority: 0, target, params: {}, ttl });

t.test('the chain ends at a name with no HTTPS records: no records, TTL 0 without a negative TTL', async (t) => {
  const result = await followAliases('a.test', async (name) => {
    if (name === 'a.test') return answer(name, [alias('b.test', 100)]);
    throw new DnsError('ENOTFOUND', { hostname: name, rrtype: 'HTTPS', server: '127.0.0.1:53' });
  });
  t.same(result, { name: 'a.test', type: 'HTTPS', records: [], ttl: 0, cnames: ['b.test'], aliases: ['b.test'], server: '127.0.0.1:53', source: 'dns' });
});

t.test('the smallest TTL of the chain; the last hop’s source and server; loops through CNAMEs are found', async (t) => {
  const hops: Record<string, ServiceAnswer> = {
    'a.test': answer('a.test', [alias('b.test', 50)], { ttl: 120 }),
    'b.test': answer('b.test', [{ priority: 2, target: '.', params: {}, ttl: 30 }], { ttl: 30, cnames: ['c.test'], source: 'dns', server: 's' }),
  };
  const result = await followAliases('a.test', async (name) => hops[name]!);
  t.same(
    { ttl: result.ttl, source: result.source, server: result.server, cnames: result.cnames },
    { ttl: 30, source: 'dns', server: 's', cnames: ['b.test', 'c.test'] },
  );
  const loop = followAliases('x.test', async (name) =>
    name === 'x.test' ? answer(name, [alias('y.test')], { cnames: ['z.test'] }) : answer(name, [alias('Z.TEST')]),
  );
  await t.rejects(loop, { code: 'ESERVFAIL', message: /loop at Z.TEST/ });
});

t.test('a failure other than NODATA/NXDOMAIN after an alias is passed on', async (t) => {
  const err = new DnsError('ETIMEOUT', { hostname: 'b.test', rrtype: 'HTTPS' });
  await t.rejects(
    followAliases('a.test', async (name) => {
      if (name === 'a.test') return answer(name, [alias('b.test')]);
      throw err;
    }),
    err,
  );
});
