/**
 * NAT64 in the race (RFC 8305 §7) on a fake clock, resolver and attempts: IPv4 literals and
 * names without AAAA synthesized and raced (R20), the Last Resort Local Synthesis after
 * broken AAAA (R21), nothing at all off an IPv6-only network (R19), never 127/8 and kin (V8).
 */
import t from 'tap';
import { literalResolver } from '../../lib/racer/candidates.js';
import { LAST_RESORT_DELAY, type RaceNat64 } from '../../lib/racer/synthesis.js';
import { parseNat64Prefix, type Nat64Prefix } from '../../lib/nat64/prefix.js';
import { A4, A6, B4, B6, eventsOf, runRace, starts } from '../helpers/race-harness.js';
import { RaceClock } from '../helpers/race-clock.js';
import { answer, plan } from '../helpers/race-fakes.js';
import { HttpsScriptedResolver } from '../helpers/race-https.js';
import type { RaceEvent } from '../../lib/racer/timeline.js';

const NSP = parseNat64Prefix('2001:db8:64::/96')!;
const S4 = '2001:db8:64::c000:201'; // A4 under NSP
const SB4 = '2001:db8:64::c000:202'; // B4 under NSP

const known = (prefixes: Nat64Prefix[]): RaceNat64 => ({ prefixes: () => prefixes, lastResortDelay: LAST_RESORT_DELAY });
/** Prefixes found `at` ms after the race starts (detection and discovery take time). */
function later(at: number, prefixes: Nat64Prefix[]): (clock: RaceClock) => RaceNat64 {
  return (clock) => {
    let found: Promise<Nat64Prefix[]> | undefined;
    return { prefixes: () => (found ??= new Promise((resolve) => clock.setTimeout(() => resolve(prefixes), at))), lastResortDelay: LAST_RESORT_DELAY };
  };
}
const unreachable = [{ at: 0, event: 'failed' as const, code: 'ENETUNREACH', phase: 'tcp' as const }];

t.test('R20: an IPv4 literal on an IPv6-only network is synthesized and raced', async (t) => {
  await t.test('prefix known: the synthesized address joins the literal in one batch', async (t) => {
    const run = runRace({ host: A4, families: [4], resolver: () => literalResolver(A4), nat64: known([NSP]), attempts: { [S4]: plan.ok(10) } });
    await run.clock.advance(100);
    t.same(starts(run.events), [[S4, 0]]);
    t.equal(run.outcome.value?.winner.address, S4);
    t.same(
      eventsOf(run.events, 'nat64').map(({ from, addresses, prefixes, lastResort }) => ({ from, addresses, prefixes, lastResort })),
      [{ from: [A4], addresses: [S4], prefixes: ['2001:db8:64::/96'], lastResort: false }],
    );
  });
  await t.test('prefix found 5 ms later: the literal fails at once (no route), the synthesized address follows', async (t) => {
    const c = new RaceClock();
    const run = runRace({
      clock: c,
      host: A4,
      families: [4],
      resolver: () => literalResolver(A4),
      nat64: later(5, [NSP])(c),
      attempts: { [A4]: unreachable, [S4]: plan.ok(10) },
    });
    await c.advance(100);
    t.same(starts(run.events), [
      [A4, 0],
      [S4, 5],
    ]);
    t.equal(run.outcome.at, 15);
  });
  await t.test('the literal connects before the prefix is known: nothing synthesized after the race', async (t) => {
    const c = new RaceClock();
    const run = runRace({
      clock: c,
      host: A4,
      families: [4],
      resolver: () => literalResolver(A4),
      nat64: later(50, [NSP])(c),
      attempts: { [A4]: plan.ok(10) },
    });
    await c.advance(100);
    t.equal(run.outcome.value?.winner.address, A4);
    t.equal(eventsOf(run.events, 'nat64').length, 0);
    t.equal(c.pending, 0);
  });
});

t.test('R19: not an IPv6-only network: nothing synthesized, the race ends once that is known', async (t) => {
  const now = runRace({ host: A4, families: [4], resolver: () => literalResolver(A4), nat64: known([]), attempts: { [A4]: unreachable } });
  await now.clock.advance(3000);
  t.equal(now.outcome.at, 0);
  t.match(now.outcome.error, { code: 'ERR_HE_ALL_ATTEMPTS_FAILED' });
  const clock = new RaceClock();
  const soon = runRace({ clock, host: A4, families: [4], resolver: () => literalResolver(A4), nat64: later(5, [])(clock), attempts: { [A4]: unreachable } });
  await clock.advance(3000);
  t.equal(soon.outcome.at, 5, 'waits for the verdict, no longer');
  t.equal(eventsOf(soon.events, 'nat64').length, 0);
  const broken = runRace({
    dns: { AAAA: { at: 0, addresses: [A6] }, A: { at: 0, addresses: [A4] } },
    nat64: known([]),
    attempts: { [A6]: plan.refused(5), [A4]: unreachable },
  });
  await broken.clock.advance(3000);
  t.equal(broken.outcome.at, 5, 'no last resort either: failed when the last attempt failed');
});

t.test('R20: a name without AAAA: its A answer synthesized', async (t) => {
  await t.test('AAAA negative first', async (t) => {
    const run = runRace({
      dns: { AAAA: { at: 10, error: 'ENODATA' }, A: { at: 20, addresses: [A4, B4] } },
      nat64: known([NSP]),
      attempts: { [SB4]: plan.ok(10) },
    });
    await run.clock.advance(1000);
    t.same(
      starts(run.events).slice(0, 2),
      [
        [S4, 20],
        [A4, 270],
      ],
      'one batch: synthesized and IPv4 ordered together',
    );
    t.equal(run.outcome.value?.winner.address, SB4);
  });
  await t.test('A first: held the Resolution Delay; AAAA negative within it', async (t) => {
    const run = runRace({ dns: { AAAA: { at: 30, error: 'ENODATA' }, A: { at: 10, addresses: [A4] } }, nat64: known([NSP]), attempts: { [S4]: plan.ok(10) } });
    await run.clock.advance(1000);
    t.same(starts(run.events), [[S4, 30]]);
  });
  await t.test('AAAA negative after the Resolution Delay: IPv4 first, then the synthesized address', async (t) => {
    const run = runRace({
      dns: { AAAA: { at: 100, error: 'ENODATA' }, A: { at: 10, addresses: [A4] } },
      nat64: known([NSP]),
      attempts: { [A4]: unreachable, [S4]: plan.ok(10) },
    });
    await run.clock.advance(1000);
    t.same(starts(run.events), [
      [A4, 60],
      [S4, 100],
    ]);
  });
  await t.test('prefixes known later than the answers', async (t) => {
    const clock = new RaceClock();
    const run = runRace({
      clock,
      dns: { AAAA: { at: 0, error: 'ENODATA' }, A: { at: 0, addresses: [A4] } },
      nat64: later(40, [NSP])(clock),
      attempts: { [A4]: unreachable, [S4]: plan.ok(10) },
    });
    await clock.advance(1000);
    t.same(starts(run.events), [
      [A4, 0],
      [S4, 40],
    ]);
  });
  await t.test('V8: loopback, link-local, this-network A records are not synthesized', async (t) => {
    const run = runRace({
      dns: { AAAA: { at: 0, error: 'ENODATA' }, A: { at: 0, addresses: ['127.0.0.1', '169.254.1.1', '0.1.2.3'] } },
      nat64: known([NSP]),
      attempts: {},
    });
    await run.clock.advance(1000);
    t.same(
      starts(run.events).map(([a]) => a),
      ['127.0.0.1', '169.254.1.1', '0.1.2.3'],
    );
    t.equal(eventsOf(run.events, 'nat64').length, 0);
  });
});

t.test('R21: broken AAAA: 2 s after the last attempt started, the A addresses are synthesized', async (t) => {
  await t.test('A in hand: used as it is', async (t) => {
    const run = runRace({
      dns: { AAAA: { at: 10, addresses: [A6] }, A: { at: 10, addresses: [A4] } },
      nat64: known([NSP]),
      attempts: { [A6]: plan.hang, [A4]: unreachable, [S4]: plan.ok(10) },
    });
    await run.clock.advance(5000);
    t.same(
      starts(run.events),
      [
        [A6, 10],
        [A4, 260],
        [S4, 2260],
      ],
      'last attempt at 260; synthesis at 260 + 2000',
    );
    t.equal(run.outcome.value?.winner.address, S4);
    t.same(
      eventsOf(run.events, 'nat64').map((e) => [e.ms, e.lastResort]),
      [[2260, true]],
    );
    t.equal(run.clock.pending, 0, 'no timer left');
  });
  await t.test('no A in hand: A is asked again when the timer fires', async (t) => {
    const run = runRace({
      dns: { AAAA: { at: 0, addresses: [A6] }, A: { at: 0, error: 'ENODATA' } },
      nat64: known([NSP]),
      attempts: { [A6]: plan.refused(5) },
    });
    await run.clock.advance(5000);
    const calls = (run.resolver as unknown as { calls: Array<{ type: string; at: number }> }).calls.map((c) => [c.type, c.at]);
    t.same(
      calls,
      [
        ['AAAA', 0],
        ['A', 0],
        ['A', 2000],
      ],
      'A again at 0 + 2000',
    );
    t.equal(run.outcome.at, 2000, 'still no A: the race fails then');
    t.match(run.outcome.error, { code: 'ERR_HE_ALL_ATTEMPTS_FAILED' });
  });
  await t.test('A failed at first and answers when asked again', async (t) => {
    let asked = 0;
    const resolver = () => ({
      query: async (name: string, type: string) => {
        if (type === 'AAAA') return answer(name, 'AAAA', [A6]);
        if (asked++ === 0) throw Object.assign(new Error('timed out'), { code: 'ETIMEOUT' });
        return answer(name, 'A', [A4]);
      },
    });
    const run = runRace({ resolver, nat64: known([NSP]), attempts: { [A6]: plan.refused(5), [S4]: plan.ok(1) } });
    await run.clock.advance(5000);
    t.same(starts(run.events), [
      [A6, 0],
      [S4, 2000],
    ]);
    t.equal(asked, 2);
  });
  await t.test('a later attempt restarts the delay', async (t) => {
    const run = runRace({
      dns: { AAAA: { at: 0, addresses: [A6, B6] }, A: { at: 100, addresses: [A4] } },
      nat64: known([NSP]),
      attempts: { [S4]: plan.ok(1) },
    });
    await run.clock.advance(5000);
    t.same(starts(run.events), [
      [A6, 0],
      [A4, 250],
      [B6, 500],
      [S4, 2500],
    ]);
  });
  await t.test('a winner first: no synthesis, nothing left behind', async (t) => {
    const run = runRace({
      dns: { AAAA: { at: 0, addresses: [A6] }, A: { at: 0, addresses: [A4] } },
      nat64: known([NSP]),
      attempts: { [A4]: unreachable, [A6]: plan.ok(1000) },
    });
    await run.clock.advance(5000);
    t.equal(run.outcome.value?.winner.address, A6);
    t.equal(eventsOf(run.events, 'nat64').length, 0);
    t.equal(run.clock.pending, 0);
  });
  await t.test('cancelled while waiting: no timer, no query', async (t) => {
    const run = runRace({
      dns: { AAAA: { at: 0, addresses: [A6] }, A: { at: 0, error: 'ENODATA' } },
      nat64: known([NSP]),
      attempts: { [A6]: plan.refused(1) },
    });
    await run.clock.advance(1000);
    run.control.cancel();
    await run.clock.advance(5000);
    t.match(run.outcome.error, { name: 'CancelError' });
    t.equal(run.clock.pending, 0);
    t.equal((run.resolver as unknown as { calls: unknown[] }).calls.length, 2, 'A not asked again');
  });
  await t.test('prefixes still unknown when the last attempt starts: the timer runs, synthesis once they are', async (t) => {
    const clock = new RaceClock();
    const run = runRace({
      clock,
      dns: { AAAA: { at: 0, addresses: [A6] }, A: { at: 0, addresses: [A4] } },
      families: [6, 4],
      nat64: later(2500, [NSP])(clock),
      attempts: { [A4]: unreachable, [S4]: plan.ok(1) },
    });
    await clock.advance(5000);
    t.same(starts(run.events), [
      [A6, 0],
      [A4, 250],
      [S4, 2500],
    ]);
  });
  await t.test('the race ends while the A query is out: its answer is ignored', async (t) => {
    const run = runRace({
      dns: { AAAA: { at: 0, addresses: [A6] }, A: { at: 0, error: 'ENODATA' } },
      timeout: 2005,
      nat64: known([NSP]),
      attempts: { [A6]: plan.hang },
    });
    await run.clock.advance(5000);
    t.match(run.outcome.error, { code: 'ERR_HE_TIMEOUT' });
    t.equal(eventsOf(run.events, 'nat64').length, 0);
    t.equal(run.clock.pending, 0);
  });
});

t.test('an HTTPS race (TLS, httpsRecords) synthesizes the origin A answer as the plain race does', async (t) => {
  const https = { alpn: ['http/1.1'] };
  const portsOf = (events: RaceEvent[]) => eventsOf(events, 'attempt:start').map((e) => [`${e.address}:${e.port}`, e.ms, e.endpoint === undefined]);
  await t.test('R20: a name without AAAA: its synthesized addresses join the origin’s own, at the origin’s port', async (t) => {
    const resolver = (clock: RaceClock) =>
      new HttpsScriptedResolver(clock, {
        'dual.test': { HTTPS: { at: 0, records: ['1 . port=8443'] }, AAAA: { at: 10, error: 'ENODATA' }, A: { at: 20, addresses: [A4] } },
      });
    const run = runRace({ https, resolver, nat64: known([NSP]), attempts: { [A4]: unreachable, [S4]: plan.ok(10) } });
    await run.clock.advance(1000);
    t.same(
      portsOf(run.events),
      [
        [`${A4}:8443`, 20, false],
        [`${S4}:443`, 20, true],
      ],
      'the endpoint first; then the origin group, the synthesized address leading it',
    );
    t.equal(run.outcome.value?.winner.address, S4);
    t.same(
      eventsOf(run.events, 'nat64').map((e) => e.addresses),
      [[S4]],
    );
  });
  await t.test('prefixes found later: the synthesized addresses follow', async (t) => {
    const clock = new RaceClock();
    const resolver = (c: RaceClock) =>
      new HttpsScriptedResolver(c, { 'dual.test': { HTTPS: { at: 0, error: 'ENODATA' }, AAAA: { at: 0, error: 'ENODATA' }, A: { at: 0, addresses: [A4] } } });
    const run = runRace({ clock, https, resolver, nat64: later(40, [NSP])(clock), attempts: { [A4]: unreachable, [S4]: plan.ok(10) } });
    await clock.advance(1000);
    t.same(starts(run.events), [
      [A4, 0],
      [S4, 40],
    ]);
    t.equal(run.outcome.at, 50);
  });
  await t.test('R21: broken AAAA: the last resort, 2 s after the last attempt started', async (t) => {
    const resolver = (clock: RaceClock) =>
      new HttpsScriptedResolver(clock, {
        'dual.test': { HTTPS: { at: 0, error: 'ENODATA' }, AAAA: { at: 0, addresses: [A6] }, A: { at: 0, addresses: [A4] } },
      });
    const run = runRace({ https, resolver, nat64: known([NSP]), attempts: { [A6]: plan.refused(5), [A4]: unreachable, [S4]: plan.ok(1) } });
    await run.clock.advance(5000);
    t.same(starts(run.events), [
      [A6, 0],
      [A4, 5],
      [S4, 2005],
    ]);
    t.equal(run.outcome.value?.winner.address, S4);
    t.equal(run.clock.pending, 0, 'no timer left');
  });
  await t.test('not an IPv6-only network: nothing synthesized, the race fails when the last attempt fails', async (t) => {
    const resolver = (clock: RaceClock) =>
      new HttpsScriptedResolver(clock, {
        'dual.test': { HTTPS: { at: 0, error: 'ENODATA' }, AAAA: { at: 0, addresses: [A6] }, A: { at: 0, addresses: [A4] } },
      });
    const run = runRace({ https, resolver, nat64: known([]), attempts: { [A6]: plan.refused(5), [A4]: unreachable } });
    await run.clock.advance(5000);
    t.equal(run.outcome.at, 5);
    t.match(run.outcome.error, { code: 'ERR_HE_ALL_ATTEMPTS_FAILED' });
  });
  await t.test('closed while synthesis is pending: nothing left behind', async (t) => {
    const resolver = (clock: RaceClock) =>
      new HttpsScriptedResolver(clock, {
        'dual.test': { HTTPS: { at: 0, error: 'ENODATA' }, AAAA: { at: 0, addresses: [A6] }, A: { at: 0, addresses: [A4] } },
      });
    const run = runRace({ https, resolver, nat64: known([NSP]), attempts: { [A6]: plan.refused(5), [A4]: unreachable } });
    await run.clock.advance(1000);
    run.control.cancel();
    await run.clock.advance(5000);
    t.match(run.outcome.error, { name: 'CancelError' });
    t.equal(run.clock.pending, 0);
  });
});
