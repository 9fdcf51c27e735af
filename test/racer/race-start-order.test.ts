/**
 * What a race does before its first DNS query leaves (RFC 8305 §3: both queries go out at
 * once, at the start): nothing slow. Finding the network's NAT64 prefixes (which may read
 * the interfaces) waits until the queries are out, with and without HTTPS records.
 */
import t from 'tap';
import type { Answer, QueryOptions } from '../../lib/dns/types.js';
import type { RaceNat64 } from '../../lib/racer/synthesis.js';
import { LAST_RESORT_DELAY } from '../../lib/racer/synthesis.js';
import { answer, plan } from '../helpers/race-fakes.js';
import { A4, A6, runRace } from '../helpers/race-harness.js';
import { HttpsScriptedResolver } from '../helpers/race-https.js';

function recording(log: string[]): RaceNat64 {
  return {
    prefixes: () => {
      log.push('nat64 prefixes');
      return [];
    },
    lastResortDelay: LAST_RESORT_DELAY,
  };
}

t.test('R1: the AAAA and A queries leave before the NAT64 prefixes are looked for', async (t) => {
  const log: string[] = [];
  const run = runRace({
    nat64: recording(log),
    resolver: () => ({
      query: (name, type) => {
        log.push(`query ${type}`);
        return Promise.resolve(answer(name, type, [type === 'AAAA' ? A6 : A4]));
      },
    }),
    attempts: { [A6]: plan.ok(1) },
  });
  t.same(log, ['query AAAA', 'query A', 'nat64 prefixes'], 'synchronously, in this order');
  await run.clock.advance(10);
  t.equal(run.outcome.value?.winner.address, A6);
});

t.test('HEv3: HTTPS, AAAA and A leave before the NAT64 prefixes are looked for', async (t) => {
  const log: string[] = [];
  const run = runRace({
    nat64: recording(log),
    https: { alpn: ['h2'] },
    resolver: (clock) => {
      const inner = new HttpsScriptedResolver(clock, {
        'dual.test': { AAAA: { at: 1, addresses: [A6] }, A: { at: 1, addresses: [A4] }, HTTPS: { at: 0, error: 'ENODATA' } },
      });
      const query = (name: string, type: 'A', options?: QueryOptions): Promise<Answer> => {
        log.push(`query ${type}`);
        return inner.query(name, type, options);
      };
      return { query };
    },
    attempts: { [A6]: plan.ok(1) },
  });
  t.same(log, ['query HTTPS', 'query AAAA', 'query A', 'nat64 prefixes']);
  await run.clock.advance(10);
  t.equal(run.outcome.value?.winner.address, A6);
});

t.test('a race whose start throws after its queries left releases them, its timers and any attempt', async (t) => {
  const signals: AbortSignal[] = [];
  const failing: RaceNat64 = {
    prefixes: () => {
      throw Object.assign(new Error('uv_interface_addresses failed'), { code: 'EACCES' });
    },
    lastResortDelay: LAST_RESORT_DELAY,
  };
  t.throws(
    () =>
      runRace({
        nat64: failing,
        timeout: 5000,
        resolver: () => ({
          query: (name, type, options) => {
            signals.push(options!.signal!);
            return new Promise((resolve) => setTimeout(() => resolve(answer(name, type, [type === 'AAAA' ? A6 : A4])), 1));
          },
        }),
        attempts: { [A6]: plan.ok(1), [A4]: plan.ok(1) },
      }),
    { code: 'EACCES' },
  );
  t.equal(signals.length, 2, 'AAAA and A had left');
  t.ok(
    signals.every((signal) => signal.aborted),
    'both queries were released',
  );
  // The answers still arrive: a closed race takes none of them (nothing throws, nothing starts).
  await new Promise((resolve) => setTimeout(resolve, 10));
});
