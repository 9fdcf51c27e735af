/**
 * The race with a connection history (RFC 8305 §4, §5), on a fake clock, resolver and
 * attempts, with the real RFC 6724 sort and an injected network: what each outcome records,
 * how the next race orders and times its attempts, and how a healed path comes back.
 */
import t from 'tap';
import { createOrder, type OrderSteps } from '../../lib/address/default-order.js';
import { History } from '../../lib/address/history.js';
import { interleave } from '../../lib/address/interleave.js';
import { sortDestinations } from '../../lib/address/rfc6724.js';
import { AUTO_DELAY, autoAttemptDelay, RaceHistory } from '../../lib/racer/race-history.js';
import { NetworkMonitor } from '../../lib/system/network.js';
import type { RaceEvent } from '../../lib/racer/timeline.js';
import { A4, A6, B4, B6, C6, eventsOf, runRace, starts, type RaceSetup } from '../helpers/race-harness.js';
import { HttpsScriptedResolver, type NameScript } from '../helpers/race-https.js';
import { RaceClock } from '../helpers/race-clock.js';
import { plan } from '../helpers/race-fakes.js';

const iface = (address: string) =>
  ({ address, family: address.includes(':') ? 'IPv6' : 'IPv4', internal: false, netmask: '', mac: '', cidr: `${address}/64` }) as never;

/** Every destination is usable, from a source of its own family (no I/O). */
const steps: OrderSteps = {
  findSources: async (addresses) => sourcesOf(addresses),
  knownSources: (addresses) => sourcesOf(addresses),
  sort: sortDestinations,
  interleave,
};
const sourcesOf = (addresses: readonly string[]) => new Map(addresses.map((a) => [a, a.includes(':') ? '2001:db8::100' : '192.0.2.100'] as [string, string]));

function world(ttl = 600_000) {
  const clock = new RaceClock();
  const net = { current: { eth0: [iface('2001:db8::100'), iface('192.0.2.100')] } as Record<string, never[]> };
  const network = new NetworkMonitor({ clock, interfaces: () => net.current, checkIntervalMs: 0 });
  const history = new History({ clock, network, ttl });
  /** One race on this world's clock and history, with the real order. */
  const race = async (setup: RaceSetup & { run?: number }) => {
    const raceHistory = new RaceHistory(history);
    const run = runRace({ clock, order: createOrder(1, steps, undefined, raceHistory), history: raceHistory, ...setup });
    await clock.advance(setup.run ?? 5000);
    return run;
  };
  return { clock, net, history, race };
}

const dual: RaceSetup['dns'] = { AAAA: { at: 10, addresses: [A6] }, A: { at: 10, addresses: [A4] } };

t.test('R8: IPv6 black-holed once, the next race starts on IPv4 and wins on its first attempt', async (t) => {
  const { history, race } = world();
  const first = await race({ dns: dual, attempts: { [A6]: plan.hang, [A4]: plan.ok(20) } });
  t.same(
    starts(first.events),
    [
      [A6, 10],
      [A4, 260],
    ],
    'first race: IPv6 first, IPv4 after the 250 ms delay',
  );
  t.equal(first.outcome.value?.winner.address, A4);
  t.match(history.get(A6), { outcome: 'black-holed', usedBefore: false }, 'abandoned after its timer fired: black-holed');
  t.match(history.get(A4), { outcome: 'connected', rttMs: 20, usedBefore: true });

  const second = await race({ dns: dual, attempts: { [A6]: plan.hang, [A4]: plan.ok(20) } });
  t.same(starts(second.events), [[A4, 10]], 'the demoted IPv6 address goes last; IPv4 wins at once');
  t.equal(eventsOf(second.events, 'race:end')[0]?.ms, 30, '10 ms DNS + 20 ms RTT, no 250 ms');
  const [start] = eventsOf(second.events, 'attempt:start');
  t.same(start?.history, { outcome: 'connected', rttMs: 20 }, 'attempt:start says history moved it, and why');
  t.same(history.stats(), { entries: 2, recorded: 3, reordered: 1 });
});

t.test('R8: lower RTT first, then used before, between RFC 6724 rules 8 and 9', async (t) => {
  const { history, race } = world();
  history.record(B6, 'connected', 40);
  history.record(A6, 'connected', 90);
  const run = await race({ dns: { AAAA: { at: 0, addresses: [A6, B6] } }, families: [6], attempts: { [B6]: plan.ok(40) } });
  t.same(starts(run.events), [[B6, 0]], 'the lower RTT leads');
  t.same(eventsOf(run.events, 'attempt:start')[0]?.history, { outcome: 'connected', rttMs: 40 });
  const fresh = world();
  fresh.history.record(B6, 'failed');
  fresh.history.record(B6, 'connected');
  const used = await fresh.race({ dns: { AAAA: { at: 0, addresses: [A6, B6] } }, families: [6], attempts: { [B6]: plan.ok(5) } });
  t.same(starts(used.events), [[B6, 0]], 'no RTT on either: the one used before leads');
  const twice = world();
  twice.history.record(A6, 'failed');
  const late = await twice.race({ dns: { AAAA: { at: 0, addresses: [A6, B6] }, A: { at: 5, addresses: [A4] } }, attempts: { [A4]: plan.ok(5) } });
  t.same(
    starts(late.events),
    [
      [B6, 0],
      [A4, 250],
    ],
    'B6 (no record) moves ahead of the failed A6; A joins later',
  );
  t.equal(eventsOf(late.events, 'attempt:start')[0]?.history, undefined, 'B6 moved only because A6 went back: no record to tell');
  t.equal(twice.history.stats().reordered, 1, 'two reordered merges, one race counted');
});

t.test('only demoted addresses in hand: wait up to the Resolution Delay for A', async (t) => {
  const cases: Array<[string, RaceSetup['dns'], Array<[string, number]>]> = [
    ['A comes 30 ms later: IPv4 first', { AAAA: { at: 10, addresses: [A6] }, A: { at: 40, addresses: [A4] } }, [[A4, 40]]],
    ['A never comes: IPv6 after 50 ms', { AAAA: { at: 10, addresses: [A6] }, A: 'never' }, [[A6, 60]]],
    ['A is negative: IPv6 at once', { AAAA: { at: 10, addresses: [A6] }, A: { at: 20, error: 'ENODATA' } }, [[A6, 20]]],
  ];
  for (const [name, dns, expected] of cases) {
    const { history, race } = world();
    history.record(A6, 'black-holed');
    const run = await race({ dns, attempts: { [A6]: plan.ok(5), [A4]: plan.ok(5) }, run: 500 });
    t.same(starts(run.events), expected, name);
    t.same(
      eventsOf(run.events, 'dns:wait').map((e) => [e.ms, e.family]),
      [[10, 4]],
      `${name}: the wait is announced`,
    );
  }
  const { history, race } = world();
  history.record(A6, 'black-holed');
  const run = await race({ dns: { AAAA: { at: 10, addresses: [A6, B6] }, A: { at: 40, addresses: [A4] } }, attempts: { [B6]: plan.ok(5) } });
  t.same(starts(run.events), [[B6, 10]], 'one IPv6 address without a failure: no wait');
  const zero = world();
  zero.history.record(A6, 'black-holed');
  const noDelay = await zero.race({ dns: { AAAA: { at: 10, addresses: [A6] }, A: 'never' }, resolutionDelay: 0, attempts: { [A6]: plan.ok(5) } });
  t.same(starts(noDelay.events), [[A6, 10]], 'Resolution Delay 0: no wait');
});

t.test('what each outcome records', async (t) => {
  await t.test('refused: failed', async (t) => {
    const { history, race } = world();
    await race({ dns: dual, attempts: { [A6]: plan.refused(3), [A4]: plan.ok(7) } });
    t.match(history.get(A6), { outcome: 'failed' });
    t.match(history.get(A4), { outcome: 'connected', rttMs: 7 });
  });
  await t.test("the race's timeout cuts an attempt: black-holed", async (t) => {
    const { history, race } = world();
    const run = await race({ dns: { AAAA: { at: 0, addresses: [A6] } }, families: [6], timeout: 100, attempts: {} });
    t.match(run.outcome.error, { code: 'ERR_HE_TIMEOUT' });
    t.match(history.get(A6), { outcome: 'black-holed' });
  });
  await t.test('lost before its timer fired, cancelled, aborted: nothing known, nothing recorded', async (t) => {
    const { history, race } = world();
    // A6 started at 0 and answers at 260; B6 started at 250 had not had its 250 ms.
    await race({ dns: { AAAA: { at: 0, addresses: [A6, B6] } }, families: [6], attempts: { [A6]: plan.ok(260) } });
    t.match(history.get(A6), { outcome: 'connected', rttMs: 260 });
    t.equal(history.get(B6), undefined, 'B6 lost early: no verdict');
    const cancelled = world();
    const run = runRace({ clock: cancelled.clock, dns: { AAAA: { at: 0, addresses: [A6] } }, families: [6], history: new RaceHistory(cancelled.history) });
    await cancelled.clock.advance(400);
    run.control.cancel();
    t.equal(cancelled.history.get(A6), undefined, 'cancelled by the caller');
    const controller = new AbortController();
    const aborted = runRace({
      clock: cancelled.clock,
      dns: { AAAA: { at: 0, addresses: [B6] } },
      families: [6],
      signal: controller.signal,
      history: new RaceHistory(cancelled.history),
    });
    await cancelled.clock.advance(400);
    controller.abort();
    await cancelled.clock.advance(1);
    t.match(aborted.outcome.error, { name: 'AbortError' });
    t.equal(cancelled.history.get(B6), undefined, 'aborted by the caller');
  });
  await t.test('TLS: the RTT is the TCP handshake; a TLS failure records nothing', async (t) => {
    const { history, race } = world();
    await race({ dns: { AAAA: { at: 0, addresses: [A6, B6] } }, families: [6], attempts: { [A6]: plan.tlsFail(10, 30), [B6]: plan.tls(15, 60) } });
    t.equal(history.get(A6), undefined, 'the path carried TCP: not its fault');
    t.match(history.get(B6), { outcome: 'connected', rttMs: 15 }, 'TCP up 15 ms after the start');
  });
  await t.test('a factory that throws records nothing', async (t) => {
    const { history, race } = world();
    await race({ dns: { AAAA: { at: 0, addresses: [A6, B6] } }, families: [6], attempts: { [A6]: 'throw', [B6]: plan.ok(5) } });
    t.equal(history.get(A6), undefined);
  });
});

t.test("R12-R14: connectionAttemptDelay 'auto' is twice the address's smoothed RTT, within 100 ms - 2 s", async (t) => {
  t.equal(autoAttemptDelay(undefined), 250, 'no RTT: 250 ms');
  t.equal(autoAttemptDelay(30), 100, 'floor 100 ms');
  t.equal(autoAttemptDelay(400), 800);
  t.equal(autoAttemptDelay(1500), 2000, 'ceiling 2 s');
  t.same(AUTO_DELAY, { factor: 2, min: 100, max: 2000, fallback: 250 });
  for (const [rtt, next] of [
    [undefined, 250],
    [30, 100],
    [400, 800],
    [1500, 2000],
  ] as const) {
    const { history, race } = world();
    if (rtt !== undefined) history.record(A6, 'connected', rtt);
    const run = await race({ dns: { AAAA: { at: 0, addresses: [A6, B6] } }, families: [6], delay: 'auto', attempts: { [B6]: plan.ok(1) } });
    t.same(
      starts(run.events),
      [
        [A6, 0],
        [B6, next],
      ],
      `RTT ${rtt ?? 'unknown'}: next attempt after ${next} ms`,
    );
  }
  const clock = new RaceClock();
  const bare = runRace({ clock, dns: { AAAA: { at: 0, addresses: [A6, B6] } }, families: [6], delay: 'auto', attempts: { [B6]: plan.ok(1) } });
  await clock.advance(1000);
  t.same(
    starts(bare.events),
    [
      [A6, 0],
      [B6, 250],
    ],
    "'auto' without a history: 250 ms",
  );
  const extended = world();
  extended.history.record(A6, 'connected', 60);
  const tls = await extended.race({
    dns: { AAAA: { at: 0, addresses: [A6, B6] } },
    families: [6],
    delay: 'auto',
    attempts: { [A6]: plan.tls(50), [B6]: plan.tls(1, 2) },
  });
  t.same(
    eventsOf(tls.events, 'attempt:delay-extended').map((e) => [e.ms, e.delay]),
    [[120, 120]],
    'the TLS extension uses the same delay',
  );
  t.same(starts(tls.events), [
    [A6, 0],
    [B6, 240],
  ]);
});

t.test('it comes back: after ttl the healed IPv6 leads again; clear() brings it back at once', async (t) => {
  const { clock, history, race } = world(3000);
  await race({ dns: dual, attempts: { [A6]: plan.hang, [A4]: plan.ok(20) }, run: 1000 });
  const broken = await race({ dns: dual, attempts: { [A6]: plan.ok(20), [A4]: plan.ok(20) }, run: 1000 });
  t.same(starts(broken.events), [[A4, 10]], 'within ttl: IPv4 first, even though IPv6 healed');
  // The black hole was recorded when the first race ended, at 280 ms: ttl later it is gone.
  await clock.advance(280 + 3000 - clock.now());
  const healed = await race({ dns: dual, attempts: { [A6]: plan.ok(20), [A4]: plan.ok(20) }, run: 1000 });
  t.same(starts(healed.events), [[A6, 10]], 'ttl after the black hole: IPv6 first again');
  t.equal(eventsOf(healed.events, 'attempt:start')[0]?.history, undefined, 'nothing moved by history');
  history.record(A6, 'black-holed');
  history.clear();
  const cleared = await race({ dns: dual, attempts: { [A6]: plan.ok(20) }, run: 1000 });
  t.same(starts(cleared.events), [[A6, 10]], 'clear(): IPv6 first at once');
});

t.test('R9: on another network the history is not used', async (t) => {
  const { net, race } = world();
  await race({ dns: dual, attempts: { [A6]: plan.hang, [A4]: plan.ok(20) } });
  net.current = { wlan0: [iface('2001:db8:aaaa::9'), iface('198.51.100.9')] };
  const moved = await race({ dns: dual, attempts: { [A6]: plan.ok(20) } });
  t.same(starts(moved.events), [[A6, 10]], 'new network: IPv6 first, no wait for A');
  t.equal(eventsOf(moved.events, 'dns:wait').length, 0);
});

t.test('a race without history records nothing and orders as before', async (t) => {
  const clock = new RaceClock();
  const run = runRace({ clock, dns: dual, attempts: { [A6]: plan.hang, [A4]: plan.ok(20) } });
  await clock.advance(1000);
  t.same(starts(run.events), [
    [A6, 10],
    [A4, 260],
  ]);
  t.equal(
    eventsOf(run.events, 'attempt:start').some((e) => 'history' in e),
    false,
  );
  t.ok(B4, 'fixtures');
});

t.test('the mirrored wait: gai.conf prefers IPv4 and every A address failed last time, so A waits up to the Resolution Delay for AAAA', async (t) => {
  const cases: Array<[string, RaceSetup['dns'], Array<[string, number]>]> = [
    ['AAAA comes 30 ms later: IPv6 first', { A: { at: 10, addresses: [A4] }, AAAA: { at: 40, addresses: [A6] } }, [[A6, 40]]],
    ['AAAA never comes: IPv4 after 50 ms', { A: { at: 10, addresses: [A4] }, AAAA: 'never' }, [[A4, 60]]],
    ['AAAA is negative: IPv4 at once', { A: { at: 10, addresses: [A4] }, AAAA: { at: 20, error: 'ENODATA' } }, [[A4, 20]]],
  ];
  for (const [name, dns, expected] of cases) {
    const { history, race } = world();
    history.record(A4, 'black-holed');
    const run = await race({ dns, preferredFamily: () => 4, attempts: { [A6]: plan.ok(5), [A4]: plan.ok(5) }, run: 500 });
    t.same(starts(run.events), expected, name);
    t.same(
      eventsOf(run.events, 'dns:wait').map((e) => [e.ms, e.family]),
      [[10, 6]],
      `${name}: the wait names the family waited for`,
    );
  }
  const { race } = world();
  const plain = await race({
    dns: { A: { at: 10, addresses: [A4] }, AAAA: { at: 40, addresses: [A6] } },
    preferredFamily: () => 4,
    attempts: { [A4]: plan.ok(5) },
    run: 500,
  });
  t.same(starts(plain.events), [[A4, 10]], 'without history the preferred IPv4 goes at once (i13)');
});

t.test('V2 with history: an HTTPS race whose preferred-family candidates all failed last time waits in the same gate for the other family', async (t) => {
  const https = { alpn: ['http/1.1'] };
  const script = (a: NameScript['A']): Record<string, NameScript> => ({
    'dual.test': { HTTPS: { at: 0, records: ['1 .'] }, AAAA: { at: 10, addresses: [A6] }, A: a },
  });
  const cases: Array<[string, NameScript['A'], Array<[string, number]>]> = [
    ['A at 40: IPv4 first', { at: 40, addresses: [A4] }, [[A4, 40]]],
    ['A never: IPv6 at the Resolution Delay', 'never', [[A6, 60]]],
  ];
  for (const [name, a, expected] of cases) {
    const { history, race } = world();
    history.record(A6, 'failed');
    const run = await race({
      https,
      resolver: (clock) => new HttpsScriptedResolver(clock, script(a)),
      attempts: { [A6]: plan.ok(5), [A4]: plan.ok(5) },
      run: 500,
    });
    t.same(starts(run.events), expected, name);
    t.same(
      eventsOf(run.events, 'dns:wait').map((e) => [e.ms, e.family]),
      [[10, 4]],
      `${name}: the wait is announced with the family waited for`,
    );
  }
  const { race } = world();
  const plain = await race({
    https,
    resolver: (clock) => new HttpsScriptedResolver(clock, script({ at: 40, addresses: [A4] })),
    attempts: { [A6]: plan.ok(5) },
    run: 500,
  });
  t.same(starts(plain.events), [[A6, 10]], 'without history: AAAA and the HTTPS answer open the gate');
  const { history: h1, race: race1 } = world();
  h1.record(A6, 'failed');
  const one = await race1({
    https,
    families: [6],
    resolver: (clock) => new HttpsScriptedResolver(clock, script('never')),
    attempts: { [A6]: plan.ok(5) },
    run: 500,
  });
  t.same(starts(one.events), [[A6, 10]], 'one family asked: nothing else to wait for');
  const { history: h2, race: race2 } = world();
  h2.record(A6, 'failed');
  const aFirst = await race2({
    https,
    resolver: (clock) => new HttpsScriptedResolver(clock, script({ at: 5, addresses: [A4] })),
    attempts: { [A4]: plan.ok(5) },
    run: 500,
  });
  const { history: h3, race: race3 } = world();
  h3.record(A4, 'failed');
  const v4Script = { 'dual.test': { HTTPS: { at: 0, records: ['1 .'] }, A: { at: 10, addresses: [A4] }, AAAA: { at: 40, addresses: [A6] } } };
  const mirrored = await race3({
    https,
    preferredFamily: () => 4,
    resolver: (clock) => new HttpsScriptedResolver(clock, v4Script),
    attempts: { [A6]: plan.ok(5) },
    run: 500,
  });
  t.same(starts(mirrored.events), [[A6, 40]], 'gai.conf prefers IPv4 and the A addresses failed last time: the gate waits for AAAA');
  t.same(
    eventsOf(mirrored.events, 'dns:wait').map((e) => [e.ms, e.family]),
    [[10, 6]],
  );
  t.same(starts(aFirst.events), [[A4, 10]], 'A came first: AAAA opens the gate, the demoted IPv6 after IPv4');
  t.same(
    eventsOf(aFirst.events, 'dns:wait').map((e) => [e.ms, e.family]),
    [[5, undefined]],
    'the wait was for the preferred family, not for history',
  );
});

t.test('V4 with history: history sorts inside an endpoint group, never across groups, and records endpoint attempts per address', async (t) => {
  const { history, race } = world();
  const script: Record<string, NameScript> = {
    'dual.test': {
      HTTPS: { at: 0, records: [`1 svc.test. port=8443 ipv6hint=${A6},${C6}`, '2 . port=9443'] },
      AAAA: { at: 0, addresses: [B6] },
      A: { at: 0, error: 'ENODATA' },
    },
    'svc.test': { AAAA: 'never', A: 'never' },
  };
  const setup = { https: { alpn: ['http/1.1'] }, resolver: (clock: RaceClock) => new HttpsScriptedResolver(clock, script) };
  const first = await race({ ...setup, attempts: { [A6]: plan.refused(2), [C6]: plan.ok(7) } });
  t.same(startsWithPort(first), [
    [`${A6}:8443`, 0],
    [`${C6}:8443`, 2],
  ]);
  t.match(history.get(A6), { outcome: 'failed' }, 'the endpoint attempt that failed is recorded for its address');
  t.match(history.get(C6), { outcome: 'connected', rttMs: 7 }, 'and the one that won, with its RTT');
  history.record(B6, 'connected', 1);
  const second = await race({ ...setup, attempts: { [A6]: plan.refused(2), [C6]: plan.ok(7) } });
  t.same(startsWithPort(second), [[`${C6}:8443`, 0]], 'C6 before the failed A6 inside group 1; B6 (group 2, 1 ms) stays behind the group');
  t.same(eventsOf(second.events, 'attempt:start')[0]?.history, { outcome: 'connected', rttMs: 7 });
});

function startsWithPort(run: { events: RaceEvent[] }): Array<[string, number]> {
  return eventsOf(run.events, 'attempt:start').map((e) => [`${e.address}:${e.port}`, e.ms]);
}
