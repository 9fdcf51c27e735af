/**
 * Every address on its own (RFC 8305 §9.3): bounded concurrency, a time limit per
 * check, nothing left open; and how the checks make each family's report.
 */
import t from 'tap';
import { checkAll, checkOne, familyReports, type CheckOptions } from '../../lib/cli/families.js';
import type { DnsFamilyReport } from '../../lib/cli/probe-report.js';
import type { AttemptCallbacks, AttemptFactory, AttemptTarget } from '../../lib/racer/attempt.js';
import { FakeClock } from '../helpers/fake-clock.js';

/** A scripted factory: each address succeeds or fails after its delay, or never answers. */
function scripted(clock: FakeClock, plan: Record<string, { after: number; fail?: string; phase?: 'tcp' | 'tls'; tls?: boolean } | 'hang' | 'throw'>) {
  const log = { running: 0, maxRunning: 0, destroyed: [] as string[], started: [] as string[] };
  const factory: AttemptFactory<unknown> = (target: AttemptTarget, callbacks: AttemptCallbacks) => {
    const step = plan[target.address];
    if (step === 'throw') throw Object.assign(new Error('bad option'), { code: 'ERR_INVALID_ARG_VALUE' });
    log.started.push(target.address);
    log.running++;
    log.maxRunning = Math.max(log.maxRunning, log.running);
    if (step !== 'hang' && step !== undefined) {
      if (step.tls) clock.setTimeout(() => callbacks.connected(), step.after / 2);
      clock.setTimeout(() => {
        if (step.fail) callbacks.failed(Object.assign(new Error(step.fail), { code: step.fail }), step.phase ?? 'tcp');
        else callbacks.succeeded();
      }, step.after);
    }
    return {
      socket: undefined,
      detach: () => {},
      destroy: () => {
        log.running--;
        log.destroyed.push(target.address);
      },
    };
  };
  return { factory, log };
}

const target = (address: string, family: 4 | 6 = 4): AttemptTarget => ({ address, family, port: 80 });
const options = (clock: FakeClock, connect: AttemptFactory<unknown>, extra: Partial<CheckOptions> = {}): CheckOptions => ({
  connect,
  clock,
  concurrency: 2,
  timeoutMs: () => 1000,
  probeTimeout: 10_000,
  ...extra,
});

t.test('at most `concurrency` checks at once; results in target order; every attempt destroyed', async (t) => {
  const clock = new FakeClock();
  const { factory, log } = scripted(clock, {
    '192.0.2.1': { after: 30 },
    '192.0.2.2': { after: 10, fail: 'ECONNREFUSED' },
    '192.0.2.3': { after: 5 },
    '192.0.2.4': { after: 50, fail: 'ECONNRESET', phase: 'tls' },
    '192.0.2.5': { after: 1, tls: true },
  });
  const addresses = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5'];
  const done = checkAll(
    addresses.map((a) => target(a)),
    options(clock, factory),
  );
  await clock.advanceAsync(200);
  const results = await done;
  t.equal(log.maxRunning, 2);
  t.same(log.destroyed.sort(), [...addresses].sort(), 'every attempt destroyed, successes too');
  t.same(
    results.map((r) => [r.address, r.ok, r.ms]),
    [
      ['192.0.2.1', true, 30],
      ['192.0.2.2', false, 10],
      ['192.0.2.3', true, 5],
      ['192.0.2.4', false, 50],
      ['192.0.2.5', true, 1],
    ],
  );
  t.match(results[1]?.error, { name: 'AttemptError', code: 'ECONNREFUSED', address: '192.0.2.2', phase: 'tcp', durationMs: 10 });
  t.match(results[3]?.error, { code: 'ECONNRESET', phase: 'tls' });
  t.equal(results[0]?.error, undefined);
  t.equal(clock.pending(), 0, 'no timer left');
});

t.test('a check that never answers times out at its limit and is destroyed', async (t) => {
  const clock = new FakeClock();
  const { factory, log } = scripted(clock, { '2001:db8::1': 'hang' });
  const result = checkOne(target('2001:db8::1', 6), options(clock, factory, { timeoutMs: () => 700 }));
  await clock.advanceAsync(699);
  t.same(log.destroyed, [], 'still waiting at 699 ms');
  await clock.advanceAsync(1);
  t.match(await result, { ok: false, ms: 700, error: { code: 'ERR_HE_TIMEOUT', message: '[2001:db8::1]:80 ERR_HE_TIMEOUT after 700 ms' } });
  t.same(log.destroyed, ['2001:db8::1']);
  t.equal(clock.pending(), 0);
});

t.test('a connection that comes after the limit changes nothing: the check already timed out', async (t) => {
  const clock = new FakeClock();
  const { factory } = scripted(clock, { '192.0.2.9': { after: 900 } });
  const result = checkOne(target('192.0.2.9'), options(clock, factory, { timeoutMs: () => 700 }));
  await clock.advanceAsync(1000);
  t.match(await result, { ok: false, ms: 700, error: { code: 'ERR_HE_TIMEOUT' } });
});

t.test('no time left in the probe: the address is not dialled, and the error names the probe timeout', async (t) => {
  const clock = new FakeClock();
  const { factory, log } = scripted(clock, { '192.0.2.1': { after: 1 } });
  for (const left of [0, -5]) {
    const result = await checkOne(target('192.0.2.1'), options(clock, factory, { timeoutMs: () => left, probeTimeout: 3000 }));
    t.match(result, { ok: false, ms: 0, error: { name: 'TimeoutError', code: 'ERR_HE_TIMEOUT', message: 'probe timed out after 3000 ms' } });
  }
  t.same(log.started, []);
  t.equal(clock.pending(), 0);
});

t.test('a factory that throws is that address failing, and the others still run', async (t) => {
  const clock = new FakeClock();
  const { factory } = scripted(clock, { '192.0.2.1': 'throw', '192.0.2.2': { after: 2 } });
  const done = checkAll([target('192.0.2.1'), target('192.0.2.2')], options(clock, factory));
  await clock.advanceAsync(10);
  const [thrown, fine] = await done;
  t.match(thrown, { ok: false, error: { code: 'ERR_INVALID_ARG_VALUE', phase: 'tcp' } });
  t.match(fine, { ok: true, ms: 2 });
  t.same(await checkAll([], options(clock, factory)), [], 'no targets, no checks');
});

t.test('familyReports: reachable with the fastest connect; else the last error; else the DNS error', async (t) => {
  const dns = (error: DnsFamilyReport['error'] = null): DnsFamilyReport => ({ addresses: [], ms: 1, error });
  const ok = (address: string, family: 4 | 6, ms: number) => ({ address, family, port: 80, ok: true, ms, error: undefined });
  const clock = new FakeClock();
  const { factory } = scripted(clock, { '2001:db8::1': { after: 5, fail: 'EHOSTUNREACH' }, '2001:db8::2': { after: 9, fail: 'ETIMEDOUT' } });
  const pending = checkAll([target('2001:db8::1', 6), target('2001:db8::2', 6)], options(clock, factory));
  await clock.advanceAsync(20);
  const failures = await pending;
  t.same(familyReports({ ipv6: dns(), ipv4: dns() }, [...failures, ok('192.0.2.1', 4, 7.5), ok('192.0.2.2', 4, 3.25)]), {
    ipv6: { reachable: false, ms: null, error: { code: 'ETIMEDOUT', message: '[2001:db8::2]:80 ETIMEDOUT after 9 ms' } },
    ipv4: { reachable: true, ms: 3.25, error: null },
  });
  const nodata = { code: 'ENODATA', message: 'queryAaaa ENODATA x' };
  t.same(familyReports({ ipv6: dns(nodata), ipv4: dns() }, []), {
    ipv6: { reachable: false, ms: null, error: nodata },
    ipv4: { reachable: false, ms: null, error: null },
  });
});
