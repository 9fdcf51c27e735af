import t from 'tap';
import { configuredFamilies, currentConfiguredFamilies } from '../../lib/system/interfaces.js';
import { NetworkMonitor } from '../../lib/system/network.js';
import { ManualClock } from '../helpers/manual-clock.js';

const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false) => ({ address, family, internal, netmask: '', mac: '', cidr: null }) as any;

t.test('ADDRCONFIG families as glibc counts them: only 127.0.0.1 and ::1 do not count', async (t) => {
  const cases: Array<{ name: string; interfaces: Record<string, any[] | undefined>; want: number[] }> = [
    { name: 'loopback only', interfaces: { lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)] }, want: [] },
    { name: 'v4 global + v6 link-local: link-local counts', interfaces: { eth0: [iface('192.0.2.2', 'IPv4'), iface('fe80::1', 'IPv6')] }, want: [4, 6] },
    { name: 'v4 only', interfaces: { eth0: [iface('192.0.2.2', 'IPv4')] }, want: [4] },
    { name: 'dual stack', interfaces: { eth0: [iface('192.0.2.2', 'IPv4'), iface('2001:db8::2', 'IPv6')] }, want: [4, 6] },
    { name: 'v6 only (ULA)', interfaces: { eth0: [iface('FD00::2', 'IPv6')], down: undefined }, want: [6] },
    { name: 'another loopback address on lo counts', interfaces: { lo: [iface('127.0.0.1', 'IPv4', true), iface('127.0.0.2', 'IPv4', true)] }, want: [4] },
  ];
  for (const c of cases) t.same([...configuredFamilies(c.interfaces)].sort(), c.want, c.name);
  t.type(configuredFamilies(), Set, 'reads the real interfaces by default');
});

t.test('currentConfiguredFamilies: from the interfaces the network monitor read last, computed once per read', async (t) => {
  const clock = new ManualClock();
  let reads = 0;
  let current: Record<string, any[]> = { eth0: [iface('192.0.2.2', 'IPv4')] };
  const network = new NetworkMonitor({ clock, interfaces: () => (reads++, current) as never, checkIntervalMs: 1000 });
  const first = currentConfiguredFamilies(network);
  t.same([...first], [4]);
  t.equal(currentConfiguredFamilies(network), first, 'the same set while the read is the same');
  current = { eth0: [iface('192.0.2.2', 'IPv4'), iface('2001:db8::2', 'IPv6')] };
  t.same([...currentConfiguredFamilies(network)], [4], 'not read again within the interval');
  clock.advance(1000);
  t.same([...currentConfiguredFamilies(network)].sort(), [4, 6], 'read again after it');
  t.equal(reads, 2);
  t.type(currentConfiguredFamilies(), Set, 'the process-wide monitor by default');
});
