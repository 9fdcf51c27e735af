/** The network's identity and its change, read at most once per interval, on a manual clock. */
import t from 'tap';
import { InvalidArgumentError } from '../../lib/errors.js';
import { defaultNetworkMonitor, NetworkMonitor, networkKey } from '../../lib/system/network.js';
import { ManualClock } from '../helpers/manual-clock.js';

type Interfaces = ReturnType<Parameters<typeof networkKey>[0] extends infer I ? () => I : never>;
const iface = (address: string, cidr: string | null, internal = false) =>
  ({ address, family: address.includes(':') ? 'IPv6' : 'IPv4', internal, netmask: '', mac: '', cidr }) as never;

t.test('the key is the set of non-loopback addresses, in any order and across interfaces', async (t) => {
  const a = { lo: [iface('127.0.0.1', '127.0.0.1/8', true)], eth0: [iface('192.0.2.2', '192.0.2.2/24'), iface('2001:db8::2', '2001:db8::2/64')] };
  const b = { wlan0: [iface('2001:db8::2', '2001:db8::2/64')], eth1: [iface('192.0.2.2', '192.0.2.2/24')], down: undefined };
  t.equal(networkKey(a), '192.0.2.2/24 2001:db8::2/64');
  t.equal(networkKey(b), networkKey(a), 'interface names and order do not matter');
  t.equal(networkKey({ eth0: [iface('198.51.100.7', null)] }), '198.51.100.7', 'no cidr: the address alone');
  t.equal(networkKey({ lo: [iface('::1', '::1/128', true)] }), '', 'loopback only: the empty network');
  t.not(
    networkKey({ eth0: [iface('192.0.2.2', '192.0.2.2/25')] }),
    networkKey({ eth0: [iface('192.0.2.2', '192.0.2.2/24')] }),
    'another prefix is another network',
  );
});

t.test('read at most once per interval; listeners hear a change once, with both keys', async (t) => {
  const clock = new ManualClock();
  let current: Interfaces = { eth0: [iface('192.0.2.2', '192.0.2.2/24')] } as never;
  let reads = 0;
  const monitor = new NetworkMonitor({ clock, interfaces: () => (reads++, current as never) });
  const heard: string[][] = [];
  const off = monitor.onChange((now, before) => heard.push([now, before]));
  t.equal(monitor.key(), '192.0.2.2/24');
  current = { eth0: [iface('2001:db8::9', '2001:db8::9/64')] } as never;
  clock.advance(999);
  t.equal(monitor.key(), '192.0.2.2/24', 'within the interval the last read stands');
  t.equal(reads, 1);
  clock.advance(1);
  t.equal(monitor.key(), '2001:db8::9/64');
  t.equal(reads, 2);
  t.same(heard, [['2001:db8::9/64', '192.0.2.2/24']]);
  clock.advance(1000);
  monitor.key();
  t.equal(heard.length, 1, 'the same network again: no event');
  off();
  current = {} as never;
  clock.advance(1000);
  t.equal(monitor.key(), '');
  t.equal(heard.length, 1, 'unsubscribed');
});

t.test('the first read is no change; interval 0 reads every time; bad options are typed errors', async (t) => {
  const heard: string[] = [];
  let n = 0;
  const monitor = new NetworkMonitor({ clock: new ManualClock(), checkIntervalMs: 0, interfaces: () => ({ eth0: [iface(`192.0.2.${++n}`, null)] }) as never });
  monitor.onChange((now) => heard.push(now));
  monitor.key();
  t.same(heard, [], 'learning the network is not a change');
  monitor.key();
  t.same(heard, ['192.0.2.2']);
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '1000'] as unknown[]) {
    t.throws(() => new NetworkMonitor({ checkIntervalMs: bad as number }), InvalidArgumentError, String(bad));
  }
  t.type(defaultNetworkMonitor.key(), 'string', 'the process-wide monitor reads the real interfaces');
});
