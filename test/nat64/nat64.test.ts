/** The NAT64 state per network (R19, R20, V8): detection, discovery, caching, synthesis. */
import t from 'tap';
import type { AddressResolver, Answer } from '../../lib/dns/types.js';
import { DnsError } from '../../lib/errors.js';
import { defaultNat64, Nat64, synthesize } from '../../lib/nat64/nat64.js';
import type { NetworkProbe } from '../../lib/nat64/detect.js';
import { WELL_KNOWN_ADDRESSES } from '../../lib/nat64/discovery.js';
import { embedIPv4, parseNat64Prefix, type Nat64Prefix } from '../../lib/nat64/prefix.js';
import { NetworkMonitor } from '../../lib/system/network.js';
import { ManualClock } from '../helpers/manual-clock.js';

const iface = (address: string) =>
  ({ address, family: address.includes(':') ? 'IPv6' : 'IPv4', internal: false, netmask: '', mac: '', cidr: `${address}/64` }) as never;
const NSP = parseNat64Prefix('2001:db8:64::/96')!;
const texts = (prefixes: Nat64Prefix[]) => prefixes.map((p) => p.text);

/** An injected network: its interfaces, its routes (per family) and what the DNS64 answers. */
function world(options: { v4Route?: boolean; dns64?: Answer | Error } = {}) {
  const clock = new ManualClock();
  const net = { interfaces: { eth0: [iface('2001:db8:6::2')] } as Record<string, never[]>, v4Route: options.v4Route ?? false, probes: 0 };
  const probe: NetworkProbe = {
    interfaces: () => net.interfaces,
    source: async (address) => {
      net.probes++;
      return address.includes(':') ? '2001:db8:6::2' : net.v4Route ? '192.0.2.2' : undefined;
    },
  };
  const network = new NetworkMonitor({ clock, interfaces: () => net.interfaces, checkIntervalMs: 0 });
  const nat64 = new Nat64({ network, probe, clock });
  const queries: string[] = [];
  const dns64 =
    options.dns64 ??
    answer(
      WELL_KNOWN_ADDRESSES.map((a) => embedIPv4(NSP, a)!),
      60,
    );
  const resolver: AddressResolver = {
    query: async (name, type) => {
      queries.push(`${name} ${type}`);
      if (dns64 instanceof Error) throw dns64;
      return dns64;
    },
  };
  return { clock, net, nat64, queries, resolver, of: () => resolver };
}
const answer = (addresses: string[], ttl: number): Answer => ({
  name: 'ipv4only.arpa',
  type: 'AAAA',
  records: addresses.map((address) => ({ address, ttl })),
  ttl,
  cnames: [],
  source: 'dns',
});

t.test('R19: not IPv6-only: no prefix and no DNS query; known at once afterwards', async (t) => {
  const { nat64, queries, of, net } = world({ v4Route: true });
  const first = nat64.prefixes(of);
  t.ok(first instanceof Promise, 'the first use probes');
  t.same(await first, []);
  t.same(nat64.prefixes(of), [], 'then at once, without a promise');
  t.equal(net.probes, 2, 'probed once per family, once');
  t.same(queries, [], 'ipv4only.arpa is never asked off an IPv6-only network');
});

t.test('R20: IPv6-only: RFC 7050 discovery through the resolver, once, then known at once until its TTL', async (t) => {
  const { nat64, queries, of, clock } = world();
  t.same(texts(await nat64.prefixes(of)), ['2001:db8:64::/96']);
  t.same(texts(nat64.prefixes(of) as Nat64Prefix[]), ['2001:db8:64::/96'], 'cached: no promise');
  t.same(queries, ['ipv4only.arpa. AAAA']);
  clock.advance(60_000);
  t.same(texts(nat64.prefixes(of) as Nat64Prefix[]), ['2001:db8:64::/96'], 'TTL over: the old finding at once, while it is asked again');
  t.same(texts(nat64.prefixes(of) as Nat64Prefix[]), ['2001:db8:64::/96'], 'one question at a time');
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(queries.length, 2);
  t.same(texts(nat64.prefixes(of) as Nat64Prefix[]), ['2001:db8:64::/96'], 'and the new answer held again');
  t.equal(queries.length, 2);
});

t.test('a failed re-ask keeps the older finding; on a new network nothing old is used', async (t) => {
  const w = world();
  t.same(texts(await w.nat64.prefixes(w.of)), ['2001:db8:64::/96']);
  const failing = {
    query: async () => {
      throw new DnsError('ETIMEOUT', { hostname: 'ipv4only.arpa' });
    },
  };
  const of = () => w.resolver;
  w.clock.advance(60_000);
  (w.resolver as { query: AddressResolver['query'] }).query = failing.query;
  t.same(texts(w.nat64.prefixes(of) as Nat64Prefix[]), ['2001:db8:64::/96'], 'stale, at once');
  await new Promise((resolve) => setImmediate(resolve));
  t.same(texts(w.nat64.prefixes(of) as Nat64Prefix[]), ['2001:db8:64::/96'], 'the timeout changed nothing');
});

t.test('concurrent users share one discovery; a configured prefix replaces it', async (t) => {
  const { nat64, queries, of } = world();
  const [a, b] = await Promise.all([nat64.prefixes(of), nat64.prefixes(of)]);
  t.same(texts(a), texts(b));
  t.equal(queries.length, 1, 'one query for both');
  const other = world();
  const configured = parseNat64Prefix('64:ff9b::/96')!;
  t.same(texts(await other.nat64.prefixes(other.of, configured)), ['64:ff9b::/96']);
  t.same(other.queries, [], 'nat64Prefix given: no discovery');
  const dual = world({ v4Route: true });
  t.same(await dual.nat64.prefixes(dual.of, configured), [], 'the configured prefix too is for IPv6-only networks only');
});

t.test('no DNS64: no prefix, held; a failed query is not held', async (t) => {
  const none = world({ dns64: new DnsError('ENODATA', { hostname: 'ipv4only.arpa' }) });
  t.same(await none.nat64.prefixes(none.of), []);
  t.same(none.nat64.prefixes(none.of), [], 'held: at once');
  t.equal(none.queries.length, 1);
  const broken = world({ dns64: new DnsError('ETIMEOUT', { hostname: 'ipv4only.arpa' }) });
  t.same(await broken.nat64.prefixes(broken.of), []);
  t.ok(broken.nat64.prefixes(broken.of) instanceof Promise, 'a timeout proves nothing: asked again');
  t.equal(broken.queries.length, 2);
});

t.test('R9: a new network is probed and asked again; clear() forgets', async (t) => {
  const { nat64, queries, of, net } = world();
  await nat64.prefixes(of);
  net.interfaces = { wlan0: [iface('2001:db8:7::2')] };
  net.v4Route = true;
  t.ok(nat64.prefixes(of) instanceof Promise, 'new network: unknown');
  t.same(await nat64.prefixes(of), [], 'and this one has IPv4');
  net.v4Route = false;
  nat64.clear();
  t.same(texts(await nat64.prefixes(of)), ['2001:db8:64::/96']);
  t.equal(queries.length, 2);
});

t.test('a probe that throws: no synthesis this time, probed again next time', async (t) => {
  const clock = new ManualClock();
  let calls = 0;
  const nat64 = new Nat64({
    clock,
    network: new NetworkMonitor({ clock, interfaces: () => ({}) }),
    probe: {
      interfaces: () => {
        calls++;
        throw new Error('no interfaces here');
      },
      source: async () => undefined,
    },
  });
  const of = (): AddressResolver => ({
    query: async () => {
      throw new Error('never asked');
    },
  });
  t.same(await nat64.prefixes(of), []);
  t.same(await nat64.prefixes(of), []);
  t.equal(calls, 2);
  t.ok(defaultNat64 instanceof Nat64);
});

t.test('V8, RFC 6052 §3.1: synthesize() leaves out what may not be synthesized, per prefix', async (t) => {
  const wkp = parseNat64Prefix('64:ff9b::/96')!;
  t.same(synthesize(['192.0.2.33', '8.8.8.8', '127.0.0.1', '169.254.1.1', 'x'], [NSP, wkp]), [
    { address: '2001:db8:64::c000:221', from: '192.0.2.33' },
    { address: '2001:db8:64::808:808', from: '8.8.8.8' },
    { address: '64:ff9b::808:808', from: '8.8.8.8' },
  ]);
  t.same(
    synthesize(['192.0.2.33', '192.0.2.33'], [NSP]).map((s) => s.address),
    ['2001:db8:64::c000:221'],
    'no duplicates',
  );
  t.same(synthesize(['192.0.2.33'], []), [], 'no prefix, nothing');
});
