import t from 'tap';
import { alpnSet, offeredAlpn, planEndpoints } from '../../lib/racer/service-endpoints.js';
import { parseServiceRecord } from '../../lib/dns/svcb-presentation.js';
import type { ServiceAnswer } from '../../lib/dns/types.js';

const answer = (records: string[], extra: Partial<ServiceAnswer> = {}): ServiceAnswer => ({
  name: 'www.test',
  type: 'HTTPS',
  records: records.map((r) => ({ ...parseServiceRecord(r), ttl: 60 })),
  ttl: 60,
  cnames: [],
  aliases: [],
  source: 'dns',
  ...extra,
});

t.test('V4/V6: order by priority, then the client’s preference; endpoints it cannot speak to are gone', async (t) => {
  const plan = planEndpoints(
    answer(['3 c.test. alpn=h2', '1 a.test. alpn=h3 no-default-alpn', '2 b1.test. port=1', '2 b2.test. alpn=h2 no-default-alpn port=2', '2 b3.test. port=3']),
    'www.test',
    443,
    ['h2', 'http/1.1'],
  );
  t.same(
    plan.endpoints.map((e) => [e.group, e.target, e.port, e.alpn]),
    [
      [0, 'b2.test', 2, ['h2']],
      [1, 'b1.test', 1, ['http/1.1']],
      [2, 'b3.test', 3, ['http/1.1']],
      [3, 'c.test', 443, ['h2', 'http/1.1']],
    ],
  );
});

t.test('the origin’s names: the host and, with port 443, the CNAMEs before the first alias', async (t) => {
  const chain = answer(['1 .'], { cnames: ['edge.test', 'alias.test', 'final.test'], aliases: ['alias.test'] });
  const at443 = planEndpoints(chain, 'WWW.test', 443, ['http/1.1']);
  t.same([...at443.originNames], ['www.test', 'edge.test']);
  t.same(
    at443.endpoints.map((e) => [e.priority, e.target, e.port]),
    [
      [1, 'final.test', 443],
      [0, 'alias.test', 443],
    ],
    '"." names the owner; the alias target comes after',
  );
  const at8443 = planEndpoints(answer(['1 . port=9000'], { name: '_8443._https.www.test', cnames: ['x.test'] }), 'www.test', 8443, ['http/1.1']);
  t.same([...at8443.originNames], ['www.test'], 'a port-prefixed QNAME’s CNAMEs are not the host’s');
  t.same(
    at8443.endpoints.map((e) => e.target),
    ['x.test'],
  );
  t.same(
    planEndpoints(answer(['1 .'], { name: '_8443._https.www.test' }), 'www.test', 8443, ['http/1.1']).endpoints[0]!.target,
    '_8443._https.www.test',
    '"." is the owner, prefix and all (RFC 9460 §2.5.2)',
  );
});

t.test('hints, ech and the port come from the record; compatibility by mandatory keys (RFC 9460 §8)', async (t) => {
  const plan = planEndpoints(
    answer(['1 . ipv4hint=192.0.2.1 ipv6hint=::1 ech=AAIAAA== port=8443 mandatory=port', '2 . key65000=x mandatory=key65000']),
    'www.test',
    443,
    ['http/1.1'],
  );
  t.same(plan.endpoints, [
    { group: 0, priority: 1, target: 'www.test', port: 8443, alpn: ['http/1.1'], ech: Buffer.from([0, 2, 0, 0]), ipv4hint: ['192.0.2.1'], ipv6hint: ['::1'] },
  ]);
});

t.test('the SVCB ALPN set: alpn plus http/1.1 unless no-default-alpn', async (t) => {
  t.same(alpnSet({ params: {} }), ['http/1.1']);
  t.same(alpnSet({ params: { alpn: ['h2'] } }), ['h2', 'http/1.1']);
  t.same(alpnSet({ params: { alpn: ['http/1.1', 'h2'] } }), ['http/1.1', 'h2']);
  t.same(alpnSet({ params: { alpn: ['h3'], noDefaultAlpn: true } }), ['h3']);
});

t.test('what the client offers: ALPNProtocols as strings, byte arrays or one wire-format list; none is http/1.1', async (t) => {
  t.same(offeredAlpn(undefined), ['http/1.1']);
  t.same(offeredAlpn({}), ['http/1.1']);
  t.same(offeredAlpn({ ALPNProtocols: [] }), ['http/1.1']);
  t.same(offeredAlpn({ ALPNProtocols: ['h2', 'http/1.1'] }), ['h2', 'http/1.1']);
  t.same(offeredAlpn({ ALPNProtocols: [Buffer.from('h2'), new Uint8Array([0x68, 0x33])] }), ['h2', 'h3']);
  t.same(offeredAlpn({ ALPNProtocols: Buffer.from('\x02h2\x08http/1.1', 'latin1') }), ['h2', 'http/1.1']);
});
