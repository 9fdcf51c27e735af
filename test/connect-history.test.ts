/** connect()'s `history` and `connectionAttemptDelay: 'auto'` options, on fake time, DNS and sockets. */
import t from 'tap';
import { defaultHistory, History } from '../lib/address/history.js';
import { connect } from '../lib/connect.js';
import { checkRaceOptions } from '../lib/adapters/race-options.js';
import { InvalidArgumentError } from '../lib/errors.js';
import type { RaceEvent } from '../lib/racer/timeline.js';
import { NetworkMonitor } from '../lib/system/network.js';
import { RaceClock } from './helpers/race-clock.js';
import { FakeAttempts, plan, ScriptedResolver, simpleOrder } from './helpers/race-fakes.js';

const A6 = '2001:db8::1';
const A4 = '192.0.2.1';
const iface = (address: string) => ({ address, family: 'IPv6', internal: false, netmask: '', mac: '', cidr: `${address}/64` }) as never;

async function once(options: { history?: History | false; delay?: number | 'auto' }) {
  const clock = new RaceClock();
  const resolver = new ScriptedResolver(clock, { AAAA: { at: 5, addresses: [A6] }, A: { at: 5, addresses: [A4] } });
  const attempts = new FakeAttempts(clock, { [A6]: plan.hang, [A4]: plan.ok(10) });
  const events: RaceEvent[] = [];
  const pending = connect({
    host: 'dual.test',
    port: 443,
    resolver,
    clock,
    connectAttempt: attempts.factory as never,
    order: simpleOrder,
    onEvent: (e) => events.push(e),
    ...(options.history === undefined ? {} : { history: options.history }),
    ...(options.delay === undefined ? {} : { connectionAttemptDelay: options.delay }),
  });
  await clock.advance(3000);
  await pending;
  return events.flatMap((e) => (e.type === 'attempt:start' ? [[e.address, e.ms]] : []));
}

t.test('R8: connect() records each outcome in the history it is given', async (t) => {
  const clock = new RaceClock();
  const network = new NetworkMonitor({ clock, interfaces: () => ({ eth0: [iface('2001:db8::100')] }) });
  const history = new History({ network });
  await once({ history });
  t.match(history.get(A6), { outcome: 'black-holed' });
  t.match(history.get(A4), { outcome: 'connected', rttMs: 10 });
});

t.test('history: false neither reads nor writes; the default history is the process-wide one', async (t) => {
  defaultHistory.clear();
  await once({ history: false });
  t.equal(defaultHistory.stats().recorded, 0, 'nothing written');
  await once({});
  t.equal(defaultHistory.stats().recorded, 2, 'by default: the process-wide history');
  defaultHistory.clear();
});

t.test("connectionAttemptDelay: 'auto' starts the next attempt after 250 ms while no RTT is known", async (t) => {
  t.same(await once({ history: false, delay: 'auto' }), [
    [A6, 5],
    [A4, 255],
  ]);
});

t.test('bad values are refused up front, naming the option (connect and every adapter)', async (t) => {
  for (const [option, value] of [
    ['history', true],
    ['history', {}],
    ['history', 'default'],
    ['connectionAttemptDelay', 'fast'],
  ] as const) {
    await t.rejects(
      connect({ host: 'x.test', port: 1, [option]: value } as never),
      { code: 'ERR_HE_INVALID_ARGUMENT', option } as never,
      `${option}: ${JSON.stringify(value)}`,
    );
    t.throws(() => checkRaceOptions({ [option]: value }), InvalidArgumentError);
  }
  t.doesNotThrow(() => checkRaceOptions({ history: false, connectionAttemptDelay: 'auto' }));
  t.doesNotThrow(() => checkRaceOptions({ history: new History() }));
});
