import t from 'tap';
import type { Answer } from '../../lib/dns/types.js';
import { DnsError, type DnsErrorCode } from '../../lib/errors.js';
import { literalResolver, pickDnsError } from '../../lib/racer/candidates.js';
import { answer, plan } from '../helpers/race-fakes.js';
import { A4, A6, B4, eventsOf, runRace, starts } from '../helpers/race-harness.js';

const codes: Array<[DnsErrorCode, DnsErrorCode, DnsErrorCode, 'A' | 'AAAA']> = [
  ['ENOTFOUND', 'ENODATA', 'ENOTFOUND', 'AAAA'],
  ['ENODATA', 'ENOTFOUND', 'ENOTFOUND', 'A'],
  ['ENODATA', 'ENODATA', 'ENODATA', 'A'],
  ['ETIMEOUT', 'ENODATA', 'ETIMEOUT', 'AAAA'],
  ['ENODATA', 'ESERVFAIL', 'ESERVFAIL', 'A'],
  ['ETIMEOUT', 'ESERVFAIL', 'ESERVFAIL', 'A'],
  ['ENOTFOUND', 'ETIMEOUT', 'ENOTFOUND', 'AAAA'],
  ['EREFUSED', 'ENOTFOUND', 'ENOTFOUND', 'A'],
];

for (const [aaaa, a, code, rrtype] of codes) {
  t.test(`no address: AAAA ${aaaa} + A ${a} -> ${code} (${rrtype})`, async (t) => {
    const run = runRace({ dns: { AAAA: { at: 5, error: aaaa }, A: { at: 10, error: a } } });
    await run.clock.advance(100);
    t.type(run.outcome.error, DnsError);
    t.match(run.outcome.error, { code, rrtype, hostname: 'dual.test' });
    t.equal(run.outcome.at, 10);
    t.same(run.attempts.sockets, []);
    t.same(
      eventsOf(run.events, 'dns').map((e) => [e.family, e.error?.message]),
      [
        [6, `queryAaaa ${aaaa} AAAA dual.test`],
        [4, `queryA ${a} A dual.test`],
      ],
    );
    t.match(eventsOf(run.events, 'race:end'), [{ outcome: 'failed', error: run.outcome.error }]);
  });
}

t.test('pickDnsError with no error at all still gives a DnsError', async (t) => {
  t.match(pickDnsError([], 'x.test'), { code: 'ENOTFOUND', hostname: 'x.test' });
});

t.test('R1: AAAA is asked before A, both at once, with one abort signal', async (t) => {
  const run = runRace({ dns: { AAAA: { at: 20, addresses: [A6] }, A: { at: 10, addresses: [A4] } }, attempts: { [A6]: plan.ok(1) } });
  const calls = (run.resolver as unknown as { calls: Array<{ type: string; at: number; signal: AbortSignal }> }).calls;
  t.same(
    calls.map((c) => [c.type, c.at]),
    [
      ['AAAA', 0],
      ['A', 0],
    ],
  );
  await run.clock.advance(100);
  t.equal(calls[0]?.signal, calls[1]?.signal);
  t.equal(calls[0]?.signal.aborted, false, 'both answered before the win: nothing to release');
});

t.test('R1: both families are asked together (QueryOptions.both); one family alone, alone', async (t) => {
  const both = runRace({ dns: { AAAA: { at: 1, addresses: [A6] }, A: { at: 1, addresses: [A4] } }, attempts: { [A6]: plan.ok(1) } });
  t.same(
    (both.resolver as unknown as { calls: Array<{ both: boolean }> }).calls.map((c) => c.both),
    [true, true],
  );
  await both.clock.advance(10);
  const alone = runRace({ families: [4], dns: { A: { at: 1, addresses: [A4] } }, attempts: { [A4]: plan.ok(1) } });
  t.same(
    (alone.resolver as unknown as { calls: Array<{ both: boolean }> }).calls.map((c) => c.both),
    [false],
  );
  await alone.clock.advance(10);
});

t.test('R4 turned around when the policy table prefers IPv4: A starts at once, AAAA waits for A', async (t) => {
  const aFirst = runRace({ preferredFamily: () => 4, dns: { A: { at: 10, addresses: [A4] }, AAAA: { at: 30, addresses: [A6] } } });
  await aFirst.clock.advance(100);
  t.same(starts(aFirst.events)[0], [A4, 10], 'a positive A needs no Resolution Delay');
  t.same(eventsOf(aFirst.events, 'dns:wait'), []);
  aFirst.control.cancel();

  const aaaaFirst = runRace({ preferredFamily: () => 4, dns: { AAAA: { at: 10, addresses: [A6] }, A: { at: 200, addresses: [A4] } } });
  await aaaaFirst.clock.advance(300);
  t.same(
    eventsOf(aaaaFirst.events, 'dns:wait').map((e) => e.ms),
    [10],
  );
  t.same(starts(aaaaFirst.events)[0], [A6, 60], 'a positive AAAA first waits the Resolution Delay for A');
  aaaaFirst.control.cancel();

  const aNegative = runRace({ preferredFamily: () => 4, dns: { AAAA: { at: 10, addresses: [A6] }, A: { at: 20, error: 'ENODATA' } } });
  await aNegative.clock.advance(100);
  t.same(starts(aNegative.events)[0], [A6, 20], 'R5 turned around: A negative releases AAAA at once');
  aNegative.control.cancel();
});

t.test('R16: a DNS wait still pending when the race is won is released', async (t) => {
  const run = runRace({ dns: { AAAA: 'never', A: { at: 10, addresses: [A4] } }, attempts: { [A4]: plan.ok(1) } });
  const calls = (run.resolver as unknown as { calls: Array<{ type: string; signal: AbortSignal; settled: boolean }> }).calls;
  await run.clock.advance(100);
  t.equal(run.outcome.settled, 1);
  t.same(
    calls.map((c) => [c.type, c.settled, c.signal.aborted]),
    [
      ['AAAA', false, true],
      ['A', true, true],
    ],
  );
});

t.test('one family: only it is asked, and an A answer needs no Resolution Delay', async (t) => {
  const v4 = runRace({ families: [4], dns: { A: { at: 10, addresses: [A4] }, AAAA: { at: 0, addresses: [A6] } } });
  await v4.clock.advance(20);
  t.same(
    (v4.resolver as unknown as { calls: Array<{ type: string }> }).calls.map((c) => c.type),
    ['A'],
  );
  t.same(starts(v4.events), [[A4, 10]]);
  t.same(eventsOf(v4.events, 'dns:wait'), []);
  v4.control.cancel();

  const v6 = runRace({ families: [6], dns: { AAAA: { at: 10, error: 'ENODATA' }, A: { at: 0, addresses: [A4] } } });
  await v6.clock.advance(20);
  t.same(
    (v6.resolver as unknown as { calls: Array<{ type: string }> }).calls.map((c) => c.type),
    ['AAAA'],
  );
  t.match(v6.outcome.error, { code: 'ENODATA', rrtype: 'AAAA' });
});

t.test('R4: the wait shows in the timeline; resolutionDelay 0 does not wait', async (t) => {
  const waiting = runRace({ dns: { A: { at: 10, addresses: [A4] } } });
  await waiting.clock.advance(100);
  t.same(
    eventsOf(waiting.events, 'dns:wait').map((e) => [e.ms, e.resolutionDelay]),
    [[10, 50]],
  );
  t.same(starts(waiting.events), [[A4, 60]]);
  waiting.control.cancel();

  const eager = runRace({ resolutionDelay: 0, dns: { A: { at: 10, addresses: [A4] } } });
  await eager.clock.advance(100);
  t.same(eventsOf(eager.events, 'dns:wait'), []);
  t.same(starts(eager.events), [[A4, 10]]);
  eager.control.cancel();
});

t.test('R6/R5: all attempts failed while AAAA is late: wait for it, then try IPv6', async (t) => {
  const run = runRace({ dns: { A: { at: 0, addresses: [A4] }, AAAA: { at: 900, addresses: [A6] } }, attempts: { [A4]: plan.refused(5), [A6]: plan.ok(3) } });
  await run.clock.advance(2000);
  t.same(starts(run.events), [
    [A4, 50],
    [A6, 900],
  ]);
  t.equal(run.outcome.value?.winner.address, A6);
});

t.test('all attempts failed and the late AAAA is negative: AllAttemptsFailedError, not the DNS error', async (t) => {
  const run = runRace({ dns: { A: { at: 0, addresses: [A4] }, AAAA: { at: 900, error: 'ETIMEOUT' } }, attempts: { [A4]: plan.refused(5) } });
  await run.clock.advance(2000);
  t.match(run.outcome.error, { code: 'ERR_HE_ALL_ATTEMPTS_FAILED', errors: [{ address: A4 }] });
  t.equal(run.outcome.at, 900);
});

interface OddResolver {
  name: string;
  query: (type: string) => Promise<Answer> | Answer;
  code: string;
}

const odd: OddResolver[] = [
  { name: 'an answer with no records', query: async (type) => answer('dual.test', type as 'A', []), code: 'ENODATA' },
  { name: 'records of the wrong family', query: async (type) => answer('dual.test', type as 'A', type === 'A' ? [A6] : [A4]), code: 'EBADRESP' },
  {
    name: 'records that are not addresses',
    query: async (type) => ({ ...answer('dual.test', type as 'A', []), records: [{ address: 'x', ttl: 1 }, null, { ttl: 1 }] as never }),
    code: 'EBADRESP',
  },
  { name: 'no answer object at all', query: async () => undefined as never, code: 'ENODATA' },
  { name: 'a rejection that is not an Error', query: () => Promise.reject('nope'), code: 'Error' },
  {
    name: 'a synchronous throw',
    query: () => {
      throw new DnsError('EBADNAME', { hostname: 'dual.test' });
    },
    code: 'EBADNAME',
  },
];

for (const r of odd) {
  t.test(`a resolver giving ${r.name} is a DNS failure, never a crash`, async (t) => {
    const run = runRace({ resolver: () => ({ query: (_name, type) => r.query(type) as Promise<Answer> }) });
    await run.clock.advance(100);
    t.equal(run.outcome.settled, 1);
    if (r.code === 'Error') t.match(run.outcome.error, { message: 'resolver rejected with nope', cause: 'nope' });
    else t.match(run.outcome.error, { code: r.code });
  });
}

t.test('R18 (at least): duplicate addresses in and across answers are tried once', async (t) => {
  const run = runRace({
    resolver: (clock) => ({
      query: (_name, type) =>
        new Promise((resolve) => clock.setTimeout(() => resolve(answer('dual.test', type, type === 'A' ? [A4, A4, B4] : [A6, A6])), type === 'A' ? 0 : 1)),
    }),
    attempts: { [A6]: plan.refused(1), [A4]: plan.refused(1), [B4]: plan.refused(1) },
  });
  await run.clock.advance(1000);
  t.same(
    starts(run.events).map(([a]) => a),
    [A6, A4, B4],
  );
  t.same(
    eventsOf(run.events, 'dns').map((e) => e.addresses),
    [[A4, B4], [A6]],
  );
});

t.test('literalResolver answers the literal itself', async (t) => {
  t.match(await literalResolver('::1').query('::1', 'AAAA'), { records: [{ address: '::1', ttl: 0 }], source: 'literal', type: 'AAAA' });
});

t.test('R16: answers from a resolver that ignores the abort are ignored after the race ends', async (t) => {
  const run = runRace({
    resolver: (clock) => ({
      query: (_name, type) =>
        new Promise((resolve, reject) =>
          clock.setTimeout(() => (type === 'A' ? resolve(answer('dual.test', 'A', [A4])) : reject(new DnsError('ETIMEOUT', { hostname: 'dual.test' }))), 500),
        ),
    }),
    timeout: 100,
  });
  await run.clock.advance(1000);
  t.match(run.outcome.error, { code: 'ERR_HE_TIMEOUT' });
  t.same(run.attempts.sockets, []);
  t.same(eventsOf(run.events, 'dns'), [], 'late answers leave no trace');
});
