/** R19: an IPv6-only network is one with an IPv6 route, no IPv4 route and no CLAT. */
import t from 'tap';
import { hasClatAddress, isIPv6Only, PROBE_DESTINATIONS, type NetworkProbe } from '../../lib/nat64/detect.js';

const iface = (address: string, internal = false) =>
  ({ address, family: address.includes(':') ? 'IPv6' : 'IPv4', internal, netmask: '', mac: '', cidr: null }) as never;

function probe(interfaces: Record<string, never[]>, routes: { v4?: string; v6?: string }, asked: string[] = []): NetworkProbe {
  return {
    interfaces: () => interfaces,
    source: async (address) => {
      asked.push(address);
      return address.includes(':') ? routes.v6 : routes.v4;
    },
  };
}

t.test('R19: IPv6 route and no IPv4 route: IPv6-only', async (t) => {
  const asked: string[] = [];
  t.equal(await isIPv6Only(probe({ eth0: [iface('2001:db8:6::2')] }, { v6: '2001:db8:6::2' }, asked)), true);
  t.same(asked.sort(), [PROBE_DESTINATIONS.ipv4, PROBE_DESTINATIONS.ipv6].sort(), 'one route lookup per family');
});

t.test('R19: dual-stack, IPv4-only, or nothing routed: not IPv6-only', async (t) => {
  t.equal(await isIPv6Only(probe({}, { v4: '192.0.2.2', v6: '2001:db8::2' })), false, 'dual-stack');
  t.equal(await isIPv6Only(probe({}, { v4: '192.0.2.2' })), false, 'IPv4 only');
  t.equal(await isIPv6Only(probe({}, {})), false, 'no route at all (loopback only)');
});

t.test('R19: 464XLAT: an IPv4 address in 192.0.0.0/29 means the CLAT translates, even with no IPv4 route seen', async (t) => {
  const clat = { v4clat: [iface('192.0.0.4')], eth0: [iface('2001:db8::2')] };
  t.equal(hasClatAddress(clat), true);
  t.equal(await isIPv6Only(probe(clat, { v6: '2001:db8::2' })), false);
  t.equal(hasClatAddress({ eth0: [iface('192.0.0.8'), iface('192.0.1.2'), iface('10.0.0.4')] }), false, '192.0.0.8 is outside the /29');
  t.equal(hasClatAddress({ lo: [iface('192.0.0.2', true)], down: undefined as never }), false, 'loopback-internal addresses do not count');
  t.equal(hasClatAddress({ eth0: [iface('192.0.0.0'), iface('192.0.0.7')] }), true, 'both ends of the /29');
});
