/** connect()'s race timeline → the probe's `attempts` and `winner`, on the probe's time axis. */
import t from 'tap';
import type { RaceEvent } from '../../lib/connect.js';
import { raceReport } from '../../lib/cli/race-report.js';
import { AllAttemptsFailedError, AttemptError, TimeoutError } from '../../lib/errors.js';

const v6 = { address: '2001:db8::1', family: 6 as const, port: 443 };
const v4 = { address: '192.0.2.1', family: 4 as const, port: 443 };
const refused = (info: { address: string; family: 4 | 6; port: number }, durationMs: number, phase: 'tcp' | 'tls' = 'tcp'): AttemptError =>
  new AttemptError({ ...info, durationMs, phase }, Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

t.test('R17/R15: a failed IPv6 attempt, IPv4 wins, a third attempt is abandoned; times shifted by the offset', async (t) => {
  const events: RaceEvent[] = [
    { type: 'dns', ms: 2, family: 6, addresses: [v6.address, '2001:db8::2'] },
    { type: 'dns', ms: 3, family: 4, addresses: [v4.address] },
    { type: 'attempt:start', ms: 2.04, attempt: 1, ...v6 },
    { type: 'attempt:failure', ms: 10, attempt: 1, ...v6, error: refused(v6, 8) },
    { type: 'attempt:start', ms: 10, attempt: 2, ...v4 },
    { type: 'attempt:start', ms: 260, attempt: 3, address: '2001:db8::2', family: 6, port: 443 },
    { type: 'attempt:success', ms: 270.26, attempt: 2, ...v4 },
    { type: 'attempt:abandoned', ms: 270.3, attempt: 3, address: '2001:db8::2', family: 6, port: 443, reason: 'lost' },
    { type: 'race:end', ms: 270.3, outcome: 'connected', winner: { attempt: 2, ...v4 } },
  ];
  const report = raceReport(events, 0.5);
  t.same(report.attempts, [
    {
      address: v6.address,
      family: 6,
      startMs: 2.5,
      endMs: 10.5,
      outcome: 'failed',
      error: { code: 'ECONNREFUSED', message: '[2001:db8::1]:443 ECONNREFUSED after 8 ms' },
      phase: 'tcp',
    },
    { address: v4.address, family: 4, startMs: 10.5, endMs: 270.8, outcome: 'won', error: null },
    { address: '2001:db8::2', family: 6, startMs: 260.5, endMs: 270.8, outcome: 'abandoned', error: null },
  ]);
  t.same(report.winner, { address: v4.address, family: 4, ms: 270.8 });
  t.same(report.dnsMs, { ipv6: 2.5, ipv4: 3.5 }, 'when the race heard each DNS answer, on the probe axis');
});

t.test('the race timeout: attempts still running time out, sharing the race error', async (t) => {
  const timeout = new TimeoutError('connect to he.test:443', 1000, new AllAttemptsFailedError('he.test', 443, []));
  const events: RaceEvent[] = [
    { type: 'attempt:start', ms: 1, attempt: 1, ...v6 },
    { type: 'attempt:connected', ms: 5, attempt: 1, ...v6 },
    { type: 'attempt:delay-extended', ms: 251, attempts: [1], delay: 250 },
    { type: 'attempt:start', ms: 501, attempt: 2, ...v4 },
    { type: 'attempt:failure', ms: 600, attempt: 2, ...v4, error: refused(v4, 99, 'tls') },
    { type: 'attempt:abandoned', ms: 1000, attempt: 1, ...v6, reason: 'timeout' },
    { type: 'race:end', ms: 1000, outcome: 'timeout', error: timeout },
  ];
  const report = raceReport(events, 0);
  t.match(report.attempts, [
    {
      address: v6.address,
      outcome: 'timeout',
      startMs: 1,
      endMs: 1000,
      error: { code: 'ERR_HE_TIMEOUT', message: 'connect to he.test:443 timed out after 1000 ms' },
    },
    { address: v4.address, outcome: 'failed', phase: 'tls', error: { code: 'ECONNREFUSED' } },
  ]);
  t.equal(report.winner, null);
});

t.test('cancelled or aborted attempts are abandoned, not failures; no attempts at all is an empty list', async (t) => {
  for (const reason of ['cancelled', 'aborted'] as const) {
    const report = raceReport(
      [
        { type: 'attempt:start', ms: 0, attempt: 1, ...v4 },
        { type: 'attempt:abandoned', ms: 3, attempt: 1, ...v4, reason },
        { type: 'race:end', ms: 3, outcome: reason },
      ],
      0,
    );
    t.match(report.attempts, [{ outcome: 'abandoned', error: null, endMs: 3 }], reason);
  }
  t.same(
    raceReport(
      [
        { type: 'dns', ms: 4, family: 4, addresses: [], error: new Error('x') },
        { type: 'race:end', ms: 4, outcome: 'failed' },
      ],
      0,
    ),
    {
      attempts: [],
      winner: null,
      dnsMs: { ipv4: 4 },
    },
  );
});

t.test('an event for an attempt that never started is a broken timeline, not a silent row', async (t) => {
  t.throws(() => raceReport([{ type: 'attempt:success', ms: 1, attempt: 7, ...v4 }], 0), { message: 'race event for an attempt that never started' });
});
