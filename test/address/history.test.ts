/** The connection history (RFC 8305 §4): outcomes, smoothed RTT, age, bound, per network. */
import t from 'tap';
import { defaultHistory, History, HISTORY_DEFAULTS } from '../../lib/address/history.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { NetworkMonitor } from '../../lib/system/network.js';
import { ManualClock } from '../helpers/manual-clock.js';

const iface = (address: string) =>
  ({ address, family: address.includes(':') ? 'IPv6' : 'IPv4', internal: false, netmask: '', mac: '', cidr: `${address}/64` }) as never;

/** A history on a manual clock and a network the test switches. */
function setup(options: { maxEntries?: number; ttl?: number } = {}) {
  const clock = new ManualClock();
  const net = { current: { eth0: [iface('2001:db8::2'), iface('192.0.2.2')] } as Record<string, never[]> };
  const network = new NetworkMonitor({ clock, interfaces: () => net.current, checkIntervalMs: 0 });
  const history = new History({ ...options, clock, network });
  return { clock, net, history };
}

t.test('R8: an outcome is remembered per address, with the smoothed handshake RTT (RFC 6298, gain 1/8)', async (t) => {
  const { history } = setup();
  t.equal(history.get('2001:db8::1'), undefined, 'nothing known at first');
  history.record('2001:db8::1', 'connected', 80);
  t.match(history.get('2001:db8::1'), { outcome: 'connected', rttMs: 80, usedBefore: true });
  history.record('2001:db8::1', 'connected', 160);
  t.equal(history.get('2001:db8::1')!.rttMs, 90, '80 + (160 - 80) / 8');
  history.record('2001:db8::1', 'black-holed');
  t.match(history.get('2001:db8::1'), { outcome: 'black-holed', rttMs: 90, usedBefore: true }, 'a failure keeps what was measured and that it was used');
  history.record('192.0.2.1', 'failed');
  t.match(history.get('192.0.2.1'), { outcome: 'failed', rttMs: undefined, usedBefore: false });
  history.record('192.0.2.9', 'connected', Number.NaN);
  t.equal(history.get('192.0.2.9')!.rttMs, undefined, 'a non-finite sample is no sample');
  t.same(history.stats(), { entries: 3, recorded: 5, reordered: 0 });
});

t.test('R8: the view gives the sort what it compares; undefined when nothing is known', async (t) => {
  const { history } = setup();
  t.equal(history.view(['2001:db8::1']), undefined, 'empty history');
  history.record('2001:db8::1', 'connected', 20);
  history.record('192.0.2.1', 'black-holed');
  t.equal(history.view(['2001:db8::7']), undefined, 'none of these has a record');
  const view = history.view(['2001:db8::1', '192.0.2.1', '2001:db8::7'])!;
  t.same([...view.keys()], ['2001:db8::1', '192.0.2.1']);
  t.match(view.get('2001:db8::1'), { rttMs: 20, usedBefore: true, demoted: false });
  t.match(view.get('192.0.2.1'), { usedBefore: false, demoted: true });
  t.ok(Number.isNaN(view.get('192.0.2.1')!.rttMs), 'no RTT: unknown to the sort');
});

t.test('a record ages out after ttl (compared with the clock when read, no timer)', async (t) => {
  const { clock, history } = setup({ ttl: 1000 });
  history.record('2001:db8::1', 'black-holed');
  t.same(clock.pending, [], 'no timer per entry');
  clock.advance(999);
  t.ok(history.get('2001:db8::1'), 'still there at ttl - 1 ms');
  history.record('192.0.2.1', 'connected', 5);
  clock.advance(1);
  t.equal(history.get('2001:db8::1'), undefined, 'gone at ttl');
  t.equal(history.stats().entries, 1, 'and dropped when found old');
  t.ok(history.view(['192.0.2.1']), 'a younger record stays');
  clock.advance(1000);
  t.equal(history.view(['192.0.2.1']), undefined);
  t.equal(HISTORY_DEFAULTS.ttl, 600_000, 'the default is 10 minutes');
});

t.test('bounded: past maxEntries the least recently recorded goes', async (t) => {
  const { history } = setup({ maxEntries: 2 });
  history.record('192.0.2.1', 'connected', 1);
  history.record('192.0.2.2', 'connected', 1);
  history.record('192.0.2.1', 'connected', 1); // recorded again: now the newest
  history.record('192.0.2.3', 'connected', 1);
  t.equal(history.stats().entries, 2);
  t.equal(history.get('192.0.2.2'), undefined, 'the least recently recorded went');
  t.ok(history.get('192.0.2.1'));
  t.ok(history.get('192.0.2.3'));
});

t.test('R9: a new network starts with an empty history; the old one is not used again', async (t) => {
  const { net, history } = setup();
  history.record('2001:db8::1', 'black-holed');
  history.record('192.0.2.1', 'connected', 20);
  net.current = { wlan0: [iface('2001:db8:ffff::5')] };
  t.equal(history.get('2001:db8::1'), undefined, 'another network: nothing known');
  t.equal(history.view(['2001:db8::1', '192.0.2.1']), undefined);
  t.equal(history.stats().entries, 0, 'the old records are dropped');
  history.record('2001:db8::1', 'connected', 7);
  net.current = { eth0: [iface('2001:db8::2'), iface('192.0.2.2')] };
  t.equal(history.get('2001:db8::1'), undefined, 'and coming back does not bring them back');
});

t.test('clear() forgets at once; loopback destinations are never recorded', async (t) => {
  const { history } = setup();
  history.record('2001:db8::1', 'failed');
  history.noteReordered();
  history.clear();
  t.same(history.stats(), { entries: 0, recorded: 0, reordered: 0 });
  t.equal(history.get('2001:db8::1'), undefined);
  history.record('127.0.0.1', 'failed');
  history.record('::1', 'black-holed');
  history.record('127.5.6.7', 'connected', 1);
  t.same(history.stats(), { entries: 0, recorded: 0, reordered: 0 }, 'no path behind loopback');
});

t.test('options are checked up front, each error naming its option', async (t) => {
  const bad: Array<[unknown, string]> = [
    [null, 'options'],
    [{ maxEntries: 0 }, 'maxEntries'],
    [{ maxEntries: 1.5 }, 'maxEntries'],
    [{ ttl: 0 }, 'ttl'],
    [{ ttl: Infinity }, 'ttl'],
    [{ ttl: '5' }, 'ttl'],
    [{ clock: {} }, 'clock'],
    [{ network: {} }, 'network'],
  ];
  for (const [options, name] of bad) {
    t.throws(() => new History(options as never), InvalidArgumentError, name);
    t.throws(() => new History(options as never), { option: name } as never, `${JSON.stringify(options)} names ${name}`);
  }
  t.ok(defaultHistory instanceof History, 'the process-wide history');
  t.ok(new History(), 'the defaults are valid');
});
