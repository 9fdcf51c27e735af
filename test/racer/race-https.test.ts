/**
 * Happy Eyeballs v3 races (HTTPS records steer the race), on the fake clock: V1 the
 * HTTPS question, V2 when the race may start, V3 hints, V4 grouping, V6 ALPN, RFC 9460 §3
 * fallback to the origin, AliasMode targets, endpoints in the timeline.
 */
import t from 'tap';
import { AllAttemptsFailedError } from '../../lib/errors.js';
import { eventsOf, runRace, starts, type RaceSetup } from '../helpers/race-harness.js';
import { HttpsScriptedResolver, type NameScript } from '../helpers/race-https.js';
import { plan } from '../helpers/race-fakes.js';

const HOST = 'dual.test';
const H2 = { alpn: ['h2', 'http/1.1'] };
const H1 = { alpn: ['http/1.1'] };

function race(script: Record<string, NameScript>, setup: Omit<RaceSetup, 'resolver'> = {}) {
  let resolver!: HttpsScriptedResolver;
  const run = runRace({
    https: H1,
    ...setup,
    resolver: (clock) => (resolver = new HttpsScriptedResolver(clock, script)),
  });
  return { ...run, resolver };
}

/** `[address:port, ms]` of each attempt start. */
function startsWithPort(run: ReturnType<typeof race>): Array<[string, number]> {
  return eventsOf(run.events, 'attempt:start').map((e) => [`${e.address}:${e.port}`, e.ms]);
}

t.test('V1: the HTTPS question goes out first, then AAAA and A, all at once; _PORT._https for other ports', async (t) => {
  const run = race({ [HOST]: { HTTPS: 'never', AAAA: 'never', A: 'never' } });
  await run.clock.advance(0);
  t.same(
    run.resolver.calls.map((c) => [c.name, c.type, c.at]),
    [
      [HOST, 'HTTPS', 0],
      [HOST, 'AAAA', 0],
      [HOST, 'A', 0],
    ],
  );
  run.control.cancel();
  const other = race({}, { port: 8443 });
  await other.clock.advance(0);
  t.same(
    other.resolver.calls.map((c) => c.name),
    [`_8443._https.${HOST}`, HOST, HOST],
    'RFC 9460 §9.1',
  );
  await other.clock.advance(10);
  t.match(other.outcome.error, { code: 'ENOTFOUND' });
});

t.test('without httpsRecords no HTTPS question is asked (plain TCP races)', async (t) => {
  const run = runRace({
    resolver: (clock) => new HttpsScriptedResolver(clock, { [HOST]: { AAAA: { at: 10, addresses: ['2001:db8::1'] } } }),
    attempts: { '2001:db8::1': plan.ok(5) },
  });
  await run.clock.advance(100);
  t.same(
    (run.resolver as HttpsScriptedResolver).calls.map((c) => c.type),
    ['AAAA', 'A'],
  );
  t.same(starts(run.events), [['2001:db8::1', 10]]);
});

t.test('V2: addresses wait for the HTTPS answer at most the Resolution Delay', async (t) => {
  const cases: Array<[string, NameScript, number]> = [
    ['HTTPS silent: AAAA at 10 starts at 60', { AAAA: { at: 10, addresses: ['2001:db8::1'] }, A: { at: 10, addresses: ['192.0.2.1'] }, HTTPS: 'never' }, 60],
    [
      'HTTPS at 25, after AAAA at 10: start at 25',
      { AAAA: { at: 10, addresses: ['2001:db8::1'] }, A: { at: 10, addresses: ['192.0.2.1'] }, HTTPS: { at: 25, records: ['1 .'] } },
      25,
    ],
    ['HTTPS SERVFAIL at 5: AAAA at 10 starts at 10', { AAAA: { at: 10, addresses: ['2001:db8::1'] }, HTTPS: { at: 5, error: 'ESERVFAIL' } }, 10],
    ['HTTPS NODATA before AAAA: start at AAAA', { AAAA: { at: 30, addresses: ['2001:db8::1'] }, HTTPS: { at: 1, error: 'ENODATA' } }, 30],
    ['A at 10, AAAA and HTTPS silent: IPv4 at 60', { A: { at: 10, addresses: ['192.0.2.1'] }, AAAA: 'never', HTTPS: 'never' }, 60],
    [
      'HTTPS and A at 10, AAAA silent: the preferred family is waited for, until 60',
      { A: { at: 10, addresses: ['192.0.2.1'] }, AAAA: 'never', HTTPS: { at: 10, records: ['1 .'] } },
      60,
    ],
    [
      'HTTPS and A at 10, AAAA NODATA at 20: start at 20',
      { A: { at: 10, addresses: ['192.0.2.1'] }, AAAA: { at: 20, error: 'ENODATA' }, HTTPS: { at: 10, records: ['1 .'] } },
      20,
    ],
  ];
  for (const [what, script, at] of cases) {
    const run = race({ [HOST]: script }, { attempts: { '2001:db8::1': plan.ok(1), '192.0.2.1': plan.ok(1) } });
    await run.clock.advance(500);
    t.equal(starts(run.events)[0]?.[1], at, what);
    t.equal(run.outcome.settled, 1, `${what}: settled once`);
    if (at === 60)
      t.same(
        eventsOf(run.events, 'dns:wait').map((e) => [e.ms, e.resolutionDelay]),
        [[10, 50]],
        `${what}: the wait is in the timeline`,
      );
  }
});

t.test('V2: the preferred family is the policy table’s (gai.conf may prefer IPv4); AAAA and A ask as one lookup (QueryOptions.both)', async (t) => {
  const script = { [HOST]: { AAAA: { at: 10, addresses: ['2001:db8::1'] }, A: 'never' as const, HTTPS: { at: 10, records: ['1 .'] } } };
  const attempts = { '2001:db8::1': plan.ok(1) };
  const v4First = race(script, { attempts, preferredFamily: () => 4 });
  await v4First.clock.advance(500);
  t.same(starts(v4First.events), [['2001:db8::1', 60]], 'IPv6 and HTTPS at 10 wait for the preferred IPv4 until the Resolution Delay');
  t.same(
    v4First.resolver.calls.map((c) => [c.type, c.both]),
    [
      ['HTTPS', false],
      ['AAAA', true],
      ['A', true],
    ],
  );
  const v6Only = race(script, { attempts, families: [6], preferredFamily: () => 4 });
  await v6Only.clock.advance(500);
  t.same(starts(v6Only.events), [['2001:db8::1', 10]], 'one family asked: it is the preferred one');
  t.same(
    v6Only.resolver.calls.map((c) => [c.type, c.both]),
    [
      ['HTTPS', false],
      ['AAAA', false],
    ],
  );
});

t.test('V3: hints count as answers until AAAA and A arrive: connected to the hinted address at the record’s port', async (t) => {
  const run = race(
    {
      [HOST]: {
        AAAA: { at: 1000, addresses: ['2001:db8::2'] },
        A: { at: 1000, addresses: ['192.0.2.2'] },
        HTTPS: { at: 10, records: ['1 . port=8443 ipv6hint=2001:db8::1 ipv4hint=192.0.2.1'] },
      },
    },
    { attempts: { '2001:db8::1': plan.ok(5) } },
  );
  await run.clock.advance(2000);
  t.same(
    startsWithPort(run),
    [['2001:db8::1:8443', 10]],
    'within the Resolution Delay of the HTTPS answer (at once: an IPv6 hint answers the preferred family)',
  );
  t.match(run.outcome.value?.winner, { address: '2001:db8::1', port: 8443, endpoint: { priority: 1, target: HOST, alpn: ['http/1.1'], hint: true } });
  t.same(run.outcome.value?.attemptedAddresses, ['2001:db8::1:8443']);
  t.equal(run.outcome.at, 15);
});

t.test('V3: an IPv4 hint alone waits for AAAA at most the Resolution Delay', async (t) => {
  const run = race(
    { [HOST]: { AAAA: 'never', A: 'never', HTTPS: { at: 10, records: ['1 . ipv4hint=192.0.2.1'] } } },
    { attempts: { '192.0.2.1': plan.ok(5) } },
  );
  await run.clock.advance(500);
  t.same(startsWithPort(run), [['192.0.2.1:443', 60]]);
});

t.test('V3: answers replace the hints; hints they contradict leave the untried list; a running attempt stays', async (t) => {
  const run = race(
    {
      [HOST]: {
        HTTPS: { at: 0, records: ['1 . ipv6hint=2001:db8::a,2001:db8::b ipv4hint=192.0.2.10'] },
        AAAA: { at: 100, addresses: ['2001:db8::c'] },
        A: { at: 120, error: 'ENODATA' },
      },
    },
    { attempts: { '2001:db8::c': plan.ok(10) } },
  );
  await run.clock.advance(1000);
  t.same(
    starts(run.events),
    [
      ['2001:db8::a', 0],
      ['2001:db8::c', 250],
    ],
    'hint b and the IPv4 hint were never tried',
  );
  const started = eventsOf(run.events, 'attempt:start');
  t.same(
    started.map((e) => e.endpoint?.hint),
    [true, false],
  );
  t.notOk(run.attempts.sockets[0]!.destroyed && run.outcome.value?.winner.address === '2001:db8::a', 'the hint attempt was not stopped by the answer');
  t.match(run.outcome.value?.winner, { address: '2001:db8::c', port: 443 });
});

t.test('V4: groups by SvcPriority, sorted and interleaved inside each; the origin’s own addresses last (RFC 9460 §3)', async (t) => {
  const run = race(
    {
      [HOST]: {
        HTTPS: { at: 0, records: ['2 . port=8443', '1 . port=9443'] },
        AAAA: { at: 0, addresses: ['2001:db8::1', '2001:db8::2'] },
        A: { at: 0, addresses: ['192.0.2.1'] },
      },
    },
    { delay: 100, attempts: { '2001:db8::1': plan.refused(1), '2001:db8::2': plan.refused(1), '192.0.2.1': plan.refused(1) } },
  );
  await run.clock.advance(2000);
  t.same(
    startsWithPort(run).map(([a]) => a),
    [
      '2001:db8::1:9443',
      '192.0.2.1:9443',
      '2001:db8::2:9443',
      '2001:db8::1:8443',
      '192.0.2.1:8443',
      '2001:db8::2:8443',
      '2001:db8::1:443',
      '192.0.2.1:443',
      '2001:db8::2:443',
    ],
  );
  t.match(run.outcome.error, AllAttemptsFailedError);
  t.equal((run.outcome.error as AllAttemptsFailedError).errors.length, 9);
});

t.test('V4: within one priority the endpoint offering the client’s preferred protocol goes first', async (t) => {
  const run = race(
    {
      [HOST]: {
        HTTPS: { at: 0, records: ['1 . port=1001', '1 . alpn=h2 no-default-alpn port=1002'] },
        AAAA: { at: 0, addresses: ['2001:db8::1'] },
        A: { at: 0, error: 'ENODATA' },
      },
    },
    { https: H2, delay: 100 },
  );
  await run.clock.advance(1000);
  t.same(
    startsWithPort(run).map(([a]) => a),
    ['2001:db8::1:1002', '2001:db8::1:1001', '2001:db8::1:443'],
  );
});

t.test('V6: endpoints with nothing the client speaks are skipped; none left: the origin’s addresses', async (t) => {
  const script = (records: string[]): Record<string, NameScript> => ({
    [HOST]: { HTTPS: { at: 0, records }, AAAA: { at: 0, addresses: ['2001:db8::1'] }, A: { at: 0, error: 'ENODATA' } },
  });
  const h3only = race(script(['1 . alpn=h3 no-default-alpn port=4433 ipv6hint=2001:db8::99']), { https: H2 });
  await h3only.clock.advance(100);
  t.same(startsWithPort(h3only), [['2001:db8::1:443', 0]], 'an h3-only endpoint is skipped, its hints too');
  const h2forH1 = race(script(['1 . alpn=h2 no-default-alpn port=4433']), { https: H1 });
  await h2forH1.clock.advance(100);
  t.same(startsWithPort(h2forH1), [['2001:db8::1:443', 0]], 'a client that names no protocol speaks http/1.1');
  const defaultSet = race(script(['1 . alpn=h2 port=4433']), { https: H1 });
  await defaultSet.clock.advance(100);
  t.same(startsWithPort(defaultSet), [['2001:db8::1:4433', 0]], 'without no-default-alpn the endpoint offers http/1.1 too');
  const mandatory = race(script(['1 . port=4433 key9999=x mandatory=key9999']), { https: H1 });
  await mandatory.clock.advance(100);
  t.same(startsWithPort(mandatory), [['2001:db8::1:443', 0]], 'a mandatory key the client does not know: incompatible (RFC 9460 §8)');
  const alias = race(script(['0 elsewhere.test.']), { https: H1 });
  await alias.clock.advance(100);
  t.same(startsWithPort(alias), [['2001:db8::1:443', 0]], 'an AliasMode record in the answer is not an endpoint');
});

t.test('another TargetName: its AAAA and A are asked; its hints serve until they answer', async (t) => {
  const run = race(
    {
      [HOST]: {
        HTTPS: { at: 0, records: ['1 svc.cdn.test. port=8443 ipv4hint=192.0.2.50'] },
        AAAA: { at: 0, addresses: ['2001:db8::1'] },
        A: { at: 0, error: 'ENODATA' },
      },
      'svc.cdn.test': { AAAA: { at: 30, addresses: ['2001:db8::50'] }, A: { at: 40, addresses: ['192.0.2.51'] } },
    },
    { delay: 100 },
  );
  await run.clock.advance(0);
  t.same(
    run.resolver.calls.filter((c) => c.name === 'svc.cdn.test').map((c) => c.type),
    ['AAAA', 'A'],
    'asked when the answer named it',
  );
  await run.clock.advance(2000);
  t.same(startsWithPort(run), [
    ['192.0.2.50:8443', 0],
    ['2001:db8::50:8443', 100],
    ['192.0.2.51:8443', 200],
    ['2001:db8::1:443', 300],
  ]);
  t.same(
    eventsOf(run.events, 'dns:target').map((e) => [e.name, e.family, e.addresses]),
    [
      ['svc.cdn.test', 6, ['2001:db8::50']],
      ['svc.cdn.test', 4, ['192.0.2.51']],
    ],
  );
});

t.test('an AliasMode chain: its last target at the origin’s port, ranked before the origin (RFC 9460 §3); the race does not wait for it', async (t) => {
  const run = race(
    {
      [HOST]: { HTTPS: { at: 0, records: [], aliases: ['alias.cdn.test'] }, AAAA: { at: 0, addresses: ['2001:db8::1'] }, A: { at: 0, error: 'ENODATA' } },
      'alias.cdn.test': { AAAA: { at: 5, addresses: ['2001:db8::77'] }, A: { at: 5, error: 'ENODATA' } },
    },
    { delay: 100 },
  );
  await run.clock.advance(1000);
  t.same(
    startsWithPort(run),
    [
      ['2001:db8::1:443', 0],
      ['2001:db8::77:443', 100],
    ],
    'the origin’s addresses were in hand at once',
  );
  t.match(eventsOf(run.events, 'attempt:start')[1], { endpoint: { priority: 0, target: 'alias.cdn.test', alpn: ['http/1.1'] } });
  const slowOrigin = race(
    {
      [HOST]: { HTTPS: { at: 0, records: [], aliases: ['alias.cdn.test'] }, AAAA: { at: 20, addresses: ['2001:db8::1'] }, A: { at: 20, error: 'ENODATA' } },
      'alias.cdn.test': { AAAA: { at: 5, addresses: ['2001:db8::77'] }, A: { at: 5, error: 'ENODATA' } },
    },
    { delay: 100 },
  );
  await slowOrigin.clock.advance(1000);
  t.same(
    startsWithPort(slowOrigin),
    [
      ['2001:db8::77:443', 20],
      ['2001:db8::1:443', 120],
    ],
    'both in hand: the alias target first',
  );
});

t.test('a CNAMEd origin: "." names the CNAME target, whose addresses are the origin’s own', async (t) => {
  const run = race({
    [HOST]: {
      HTTPS: { at: 0, records: ['1 . port=8443'], cnames: ['edge.cdn.test'] },
      AAAA: { at: 0, addresses: ['2001:db8::1'] },
      A: { at: 0, error: 'ENODATA' },
    },
  });
  await run.clock.advance(10);
  t.same(startsWithPort(run), [['2001:db8::1:8443', 0]]);
  t.notOk(
    run.resolver.calls.some((c) => c.name === 'edge.cdn.test'),
    'no extra query for it',
  );
  t.match(eventsOf(run.events, 'attempt:start')[0]!.endpoint, { target: 'edge.cdn.test', hint: false });
});

t.test('the HTTPS answer failing, malformed or junk: the race is the plain one', async (t) => {
  for (const HTTPS of [
    { at: 0, error: 'EBADRESP' as const },
    { at: 0, junk: { records: 'nope' } },
    { at: 0, junk: null },
  ]) {
    const run = race({ [HOST]: { HTTPS, AAAA: { at: 1, addresses: ['2001:db8::1'] } } }, { attempts: { '2001:db8::1': plan.ok(1) } });
    await run.clock.advance(100);
    t.same(startsWithPort(run), [['2001:db8::1:443', 1]], JSON.stringify(HTTPS));
    t.match(eventsOf(run.events, 'dns:https')[0], { records: [], aliases: [], error: Error });
  }
});

t.test('ech is exposed on the HTTPS event and on each attempt of the endpoint', async (t) => {
  const run = race(
    { [HOST]: { HTTPS: { at: 0, records: ['1 . ech=AAr+DQAGaGV0ZXN0 ipv6hint=2001:db8::1'] }, AAAA: 'never', A: 'never' } },
    { attempts: { '2001:db8::1': plan.ok(1) } },
  );
  await run.clock.advance(10);
  const ech = Buffer.from('AAr+DQAGaGV0ZXN0', 'base64');
  t.same(eventsOf(run.events, 'dns:https')[0]!.records[0]!.params.ech, ech);
  t.same(eventsOf(run.events, 'attempt:start')[0]!.endpoint?.ech, ech);
  t.same(run.outcome.value?.winner.endpoint?.ech, ech);
});

t.test('nothing at all: the origin’s DNS error; with hints only and every attempt failing: all attempts named', async (t) => {
  const none = race({ [HOST]: { HTTPS: { at: 0, error: 'ENOTFOUND' }, AAAA: { at: 0, error: 'ENOTFOUND' }, A: { at: 0, error: 'ENOTFOUND' } } });
  await none.clock.advance(10);
  t.match(none.outcome.error, { code: 'ENOTFOUND', hostname: HOST });
  const hintsOnly = race(
    { [HOST]: { HTTPS: { at: 0, records: ['1 . ipv6hint=2001:db8::1'] }, AAAA: { at: 5, error: 'ETIMEOUT' }, A: { at: 5, error: 'ETIMEOUT' } } },
    { attempts: { '2001:db8::1': plan.refused(1) } },
  );
  await hintsOnly.clock.advance(100);
  t.match(hintsOnly.outcome.error, { code: 'ERR_HE_ALL_ATTEMPTS_FAILED', message: /\[2001:db8::1\]:443/ });
  t.equal(hintsOnly.outcome.at, 5, 'the race waited for the queries that might still bring addresses');
});

t.test('cancel in the middle: every query still out is aborted, no timer left', async (t) => {
  const run = race({
    [HOST]: { HTTPS: { at: 0, records: ['1 far.test.'] }, AAAA: { at: 0, addresses: ['2001:db8::1'] }, A: 'never' },
    'far.test': { AAAA: 'never', A: 'never' },
  });
  await run.clock.advance(1);
  run.control.cancel();
  await run.clock.advance(1);
  t.same(
    run.resolver.calls.filter((c) => c.outcome === 'pending'),
    [],
    'nothing left pending',
  );
  t.same(
    run.resolver.calls.filter((c) => c.outcome === 'aborted').map((c) => `${c.name} ${c.type}`),
    ['dual.test A', 'far.test AAAA', 'far.test A'],
  );
  t.equal(run.clock.pending, 0);
  t.match(run.outcome.error, { name: 'CancelError' });
});

t.test('odd resolvers: a throw, a non-Error rejection, wrong-family or empty answers, bad hints', async (t) => {
  const throwing = runRace({
    https: H1,
    resolver: () => ({
      query: (name: string, type: string) => {
        if (type === 'HTTPS') throw new Error('no HTTPS here');
        if (type === 'A') return Promise.reject('a string');
        return Promise.resolve({ name, type: 'AAAA' as const, records: [{ address: '192.0.2.1', ttl: 1 }], ttl: 1, cnames: [], source: 'dns' as const });
      },
    }),
  });
  await throwing.clock.advance(10);
  t.match(eventsOf(throwing.events, 'dns:https')[0]?.error, { message: 'no HTTPS here' });
  t.match(
    eventsOf(throwing.events, 'dns').map((e) => e.error?.message),
    [/no AAAA address for dual.test/, /rejected with a string/],
  );
  t.match(throwing.outcome.error, { message: /rejected with a string/ }, 'the origin’s own error (on a tie, A’s), not the HTTPS one');
  const nulls = runRace({ https: H1, resolver: () => ({ query: async () => null as never }) });
  await nulls.clock.advance(10);
  t.match(nulls.outcome.error, { code: 'EBADRESP', message: /no A address/ }, 'null answers are no answers');
  const wrongTarget = race(
    {
      [HOST]: { HTTPS: { at: 0, records: ['1 t.test.'] }, AAAA: 'never', A: 'never' },
      't.test': { AAAA: { at: 1, addresses: ['192.0.2.1'] }, A: { at: 1, error: 'ENODATA' } },
    },
    { timeout: 100 },
  );
  await wrongTarget.clock.advance(200);
  t.match(eventsOf(wrongTarget.events, 'dns:target')[0], {
    name: 't.test',
    family: 6,
    addresses: [],
    error: { message: 'resolver gave no address of this family' },
  });
  const badHints = race(
    {
      [HOST]: {
        HTTPS: {
          at: 0,
          junk: {
            name: HOST,
            cnames: [],
            aliases: [],
            records: [{ priority: 1, target: '.', params: { ipv4hint: ['::1', '192.0.2.9'], ipv6hint: ['192.0.2.8'] } }],
          },
        },
        AAAA: 'never',
        A: 'never',
      },
    },
    { attempts: { '192.0.2.9': plan.ok(1) } },
  );
  await badHints.clock.advance(100);
  t.same(starts(badHints.events), [['192.0.2.9', 50]], 'only hints of the right family');
});

t.test('Resolution Delay 0: no wait for the HTTPS answer; a target’s NODATA contradicts its hints', async (t) => {
  const run = race(
    {
      [HOST]: { HTTPS: { at: 20, records: ['1 t.test. ipv6hint=2001:db8::5'] }, AAAA: { at: 10, addresses: ['2001:db8::1'] }, A: 'never' },
      't.test': { AAAA: { at: 200, error: 'ENODATA' }, A: { at: 5, error: 'ESERVFAIL' } },
    },
    { resolutionDelay: 0, delay: 100 },
  );
  await run.clock.advance(1000);
  t.same(
    startsWithPort(run),
    [
      ['2001:db8::1:443', 10],
      ['2001:db8::5:443', 110],
    ],
    'the hint served until t.test answered',
  );
  t.match(
    eventsOf(run.events, 'dns:target').map((e) => [e.family, e.error?.message]),
    [
      [4, /ESERVFAIL/],
      [6, /ENODATA/],
    ],
  );
  t.equal(run.outcome.settled, 0, 'the attempt to the hint runs on after the answer contradicted it (R18)');
  t.equal(run.attempts.live.length, 2);
  run.control.cancel();
});
