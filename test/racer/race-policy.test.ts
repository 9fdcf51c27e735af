/**
 * The address policy at the race's one enforcement point: a blocked candidate never
 * becomes an attempt (no attempt:start, no socket, no attempt delay), is an
 * attempt:blocked event, and is named by the race's error.
 */
import diagnostics from 'node:diagnostics_channel';
import t from 'tap';
import { channelNames } from '../../lib/diagnostics.js';
import type { RaceMessage } from '../../lib/racer/timeline.js';
import { AddressBlockedError, AllAttemptsFailedError, TimeoutError } from '../../lib/errors.js';
import { plan } from '../helpers/race-fakes.js';
import { A4, A6, B4, B6, C4, eventsOf, runRace, starts } from '../helpers/race-harness.js';
import { HttpsScriptedResolver } from '../helpers/race-https.js';
import { parseNat64Prefix, type Nat64Prefix } from '../../lib/nat64/prefix.js';
import { AddressPolicy } from '../../lib/policy/policy.js';
import { LAST_RESORT_DELAY, type RaceNat64 } from '../../lib/racer/synthesis.js';

const blocking =
  (...blocked: string[]) =>
  (address: string): boolean =>
    !blocked.includes(address);

t.test('R17: a blocked first address costs no attempt delay: the next one starts at once', async (t) => {
  const run = runRace({
    dns: { AAAA: { at: 5, addresses: [A6, B6] }, A: { at: 5, addresses: [A4] } },
    attempts: { [B6]: plan.hang, [A4]: plan.ok(20) },
    policy: blocking(A6),
  });
  await run.clock.advance(2000);
  t.same(
    starts(run.events),
    [
      [B6, 5],
      [A4, 255],
    ],
    'B6 starts when A6 would have, A4 one delay later',
  );
  t.same(
    run.attempts.targets.map((target) => target.address),
    [B6, A4],
    'no socket for the blocked address',
  );
  t.same(eventsOf(run.events, 'attempt:blocked'), [{ type: 'attempt:blocked', ms: 5, address: A6, family: 6, port: 443 }]);
  t.equal(run.outcome.value?.winner.address, A4);
  t.same(run.outcome.value?.attemptedAddresses, [`${B6}:443`, `${A4}:443`], 'blocked addresses are not attempted addresses');
  t.equal(run.outcome.value?.winner.attempt, 2, 'attempt numbers count started attempts only');
});

t.test('every address blocked: AddressBlockedError names host, port and every blocked address, nothing was dialled', async (t) => {
  const run = runRace({ dns: { AAAA: { at: 1, addresses: [A6] }, A: { at: 3, addresses: [A4, B4] } }, policy: () => false });
  await run.clock.advance(1000);
  t.equal(run.outcome.settled, 1);
  t.type(run.outcome.error, AddressBlockedError);
  t.match(run.outcome.error, { code: 'ERR_HE_ADDRESS_BLOCKED', hostname: 'dual.test', port: 443, addresses: [A6, A4, B4] });
  t.match((run.outcome.error as Error).message, /dual\.test:443 .*2001:db8::1, 192\.0\.2\.1, 192\.0\.2\.2/);
  t.equal(run.outcome.at, 3, 'the race ends as soon as the last answer is in and blocked');
  t.equal(run.attempts.targets.length, 0);
  t.same(eventsOf(run.events, 'attempt:start'), []);
  t.equal(run.clock.pending, 0, 'no timer left');
});

t.test('a blocked address and a failed one: AllAttemptsFailedError also lists the blocked one', async (t) => {
  const run = runRace({
    dns: { AAAA: { at: 0, addresses: [A6] }, A: { at: 0, addresses: [A4] } },
    attempts: { [A4]: plan.refused(7) },
    policy: blocking(A6),
  });
  await run.clock.advance(1000);
  t.type(run.outcome.error, AllAttemptsFailedError);
  const error = run.outcome.error as AllAttemptsFailedError;
  t.same(error.blocked, [A6]);
  t.same(
    error.errors.map((e) => e.address),
    [A4],
  );
  t.match(error.message, /tried 192\.0\.2\.1:443 ECONNREFUSED.*; blocked by the address policy: 2001:db8::1$/);
});

t.test('a DNS failure on one family and every address of the other blocked: AddressBlockedError, the more telling one', async (t) => {
  const run = runRace({ dns: { AAAA: { at: 0, error: 'ESERVFAIL' }, A: { at: 2, addresses: [A4] } }, policy: () => false });
  await run.clock.advance(100);
  t.match(run.outcome.error, { code: 'ERR_HE_ADDRESS_BLOCKED', addresses: [A4] });
});

t.test('R6: a late answer is checked too: its blocked address never starts, its allowed one does', async (t) => {
  const run = runRace({
    dns: { AAAA: { at: 0, addresses: [A6] }, A: { at: 100, addresses: [A4, C4] } },
    attempts: { [A6]: plan.hang, [C4]: plan.ok(10) },
    policy: blocking(A4),
  });
  await run.clock.advance(1000);
  t.same(starts(run.events), [
    [A6, 0],
    [C4, 250],
  ]);
  t.same(
    eventsOf(run.events, 'attempt:blocked').map((e) => [e.address, e.ms]),
    [[A4, 250]],
    'checked when its turn came',
  );
});

t.test('the policy is asked with the exact address and family, at the moment the attempt would start', async (t) => {
  const asked: Array<[string, number, number]> = [];
  const run = runRace({
    dns: { AAAA: { at: 0, addresses: [A6] }, A: { at: 0, addresses: [A4] } },
    attempts: { [A6]: plan.hang, [A4]: plan.ok(5) },
    policy: (address, family) => {
      asked.push([address, family, run.clock.now()]);
      return true;
    },
  });
  await run.clock.advance(1000);
  t.same(
    asked,
    [
      [A6, 6, 0],
      [A4, 4, 250],
    ],
    'asked once per address, when its attempt was due (not when DNS answered)',
  );
});

t.test('timeout with only blocked addresses so far: TimeoutError whose cause is the AddressBlockedError', async (t) => {
  const run = runRace({ dns: { AAAA: { at: 0, addresses: [A6] }, A: 'never' }, timeout: 500, policy: () => false });
  await run.clock.advance(1000);
  t.type(run.outcome.error, TimeoutError);
  t.match((run.outcome.error as TimeoutError).cause, { code: 'ERR_HE_ADDRESS_BLOCKED', addresses: [A6] });
});

t.test('timeout after blocked and failed addresses: the cause lists both', async (t) => {
  const run = runRace({
    dns: { AAAA: { at: 0, addresses: [A6, B6] }, A: 'never' },
    attempts: { [B6]: plan.refused(1) },
    timeout: 500,
    policy: blocking(A6),
  });
  await run.clock.advance(1000);
  t.match((run.outcome.error as TimeoutError).cause, { code: 'ERR_HE_ALL_ATTEMPTS_FAILED', blocked: [A6] });
});

t.test('attempt:blocked is published on happy-eyeballs:attempt:blocked with the race context', async (t) => {
  const seen: RaceMessage[] = [];
  const listener = (message: unknown): void => void seen.push(message as RaceMessage);
  diagnostics.subscribe(channelNames.attemptBlocked, listener);
  t.teardown(() => diagnostics.unsubscribe(channelNames.attemptBlocked, listener));
  const run = runRace({ dns: { AAAA: { at: 0, addresses: [A6] }, A: { at: 0, error: 'ENODATA' } }, policy: () => false });
  await run.clock.advance(100);
  t.equal(channelNames.attemptBlocked, 'happy-eyeballs:attempt:blocked');
  t.match(seen, [{ type: 'attempt:blocked', host: 'dual.test', port: 443, address: A6, family: 6, ms: 0 }]);
  t.equal(seen.length, 1);
});

t.test('without a policy nothing is blocked (the default)', async (t) => {
  const run = runRace({ dns: { AAAA: { at: 0, addresses: [A6] }, A: { at: 0, addresses: [A4] } }, attempts: { [A6]: plan.ok(1) } });
  await run.clock.advance(100);
  t.equal(run.outcome.value?.winner.address, A6);
  t.same(eventsOf(run.events, 'attempt:blocked'), []);
});

t.test('V3: a hint address of an HTTPS service endpoint passes the policy like any other, at its own port', async (t) => {
  const hinted = '2001:db8::99';
  const run = runRace({
    https: { alpn: ['http/1.1'] },
    resolver: (clock) =>
      new HttpsScriptedResolver(clock, {
        'dual.test': { HTTPS: { at: 0, records: [`1 . port=8443 ipv6hint=${hinted} ipv4hint=${A4}`] }, AAAA: 'never', A: 'never' },
      }),
    attempts: { [A4]: plan.ok(5) },
    policy: blocking(hinted),
  });
  await run.clock.advance(1000);
  t.same(
    eventsOf(run.events, 'attempt:blocked').map((e) => [e.address, e.port]),
    [[hinted, 8443]],
    'the IPv6 hint is blocked before any attempt',
  );
  t.same(
    run.attempts.targets.map((target) => `${target.address}:${target.port}`),
    [`${A4}:8443`],
    'only the allowed hint is dialled',
  );
  t.match(run.outcome.value?.winner, { address: A4, port: 8443, endpoint: { hint: true } });
});

t.test("one address at two service endpoints' ports: blocked at each, named once by the error", async (t) => {
  const run = runRace({
    https: { alpn: ['http/1.1'] },
    resolver: (clock) =>
      new HttpsScriptedResolver(clock, {
        'dual.test': {
          HTTPS: { at: 0, records: [`1 . port=8443 ipv4hint=${A4}`, `2 . port=9443 ipv4hint=${A4}`] },
          AAAA: { at: 0, error: 'ENODATA' },
          A: { at: 0, error: 'ENODATA' },
        },
      }),
    policy: () => false,
  });
  await run.clock.advance(1000);
  t.same(
    eventsOf(run.events, 'attempt:blocked').map((e) => `${e.address}:${e.port}`),
    [`${A4}:8443`, `${A4}:9443`],
  );
  t.match(run.outcome.error, { code: 'ERR_HE_ADDRESS_BLOCKED', addresses: [A4] });
  t.equal(run.attempts.targets.length, 0);
});

const NSP = parseNat64Prefix('2001:67c:2960:6464::/96')!; // network-specific, in global unicast space
const nat64 = (prefix: Nat64Prefix): RaceNat64 => ({ prefixes: () => [prefix], lastResortDelay: LAST_RESORT_DELAY });
/** `'public'` wired as connect() wires it. */
const publicPolicy = (host = 'dual.test') => {
  const policy = AddressPolicy.from('public')!;
  return (address: string, family: 4 | 6, synthesizedFrom?: string): boolean => policy.allows(address, family, host, synthesizedFrom);
};

t.test('R20: a NAT64 synthesis is judged with the IPv4 it was made from: a private IPv4 under a global prefix is blocked', async (t) => {
  const run = runRace({
    dns: { AAAA: { at: 0, error: 'ENODATA' }, A: { at: 0, addresses: ['10.0.0.5'] } },
    nat64: nat64(NSP),
    attempts: { '2001:67c:2960:6464::a00:5': plan.ok(5) },
    policy: publicPolicy(),
  });
  await run.clock.advance(100);
  t.equal(run.attempts.targets.length, 0, 'nothing dialled: the synthesized form looks global, its IPv4 is private');
  t.match(run.outcome.error, { code: 'ERR_HE_ADDRESS_BLOCKED', addresses: ['2001:67c:2960:6464::a00:5', '10.0.0.5'] });
  t.same(
    eventsOf(run.events, 'nat64').map((e) => e.addresses),
    [['2001:67c:2960:6464::a00:5']],
    'it was synthesized, then blocked',
  );
});

t.test("R20: under 'public' the NAT64 form of a public IPv4 is allowed, whatever the prefix; deny judges the IPv6 form as it is", async (t) => {
  const lab = parseNat64Prefix('2001:db8:64::/96')!; // a documentation prefix, as in the NAT64 lab
  const allowed = runRace({
    dns: { AAAA: { at: 0, error: 'ENODATA' }, A: { at: 0, addresses: ['8.8.8.8'] } },
    nat64: nat64(lab),
    attempts: { '2001:db8:64::808:808': plan.ok(5), '8.8.8.8': [{ at: 0, event: 'failed', code: 'ENETUNREACH', phase: 'tcp' }] },
    policy: publicPolicy(),
  });
  await allowed.clock.advance(1000);
  t.equal(allowed.outcome.value?.winner.address, '2001:db8:64::808:808');
  const rules = AddressPolicy.from({ preset: 'public', deny: ['2001:db8:64::/96'] })!;
  const denied = runRace({
    dns: { AAAA: { at: 0, error: 'ENODATA' }, A: { at: 0, addresses: ['8.8.8.8'] } },
    nat64: nat64(lab),
    attempts: { '8.8.8.8': plan.refused(1) },
    policy: (address, family, from) => rules.allows(address, family, 'dual.test', from),
  });
  await denied.clock.advance(1000);
  t.match(denied.outcome.error, { code: 'ERR_HE_ALL_ATTEMPTS_FAILED', blocked: ['2001:db8:64::808:808'] });
});

t.test('R21: every address blocked, none attempted: the last resort still comes, and its synthesis passes the policy', async (t) => {
  const S4 = '2001:67c:2960:6464::c000:201';
  const run = runRace({
    dns: { AAAA: { at: 0, addresses: [A6] }, A: { at: 0, addresses: [A4] } },
    nat64: nat64(NSP),
    attempts: { [S4]: plan.ok(5) },
    // Allows only A4's synthesis, and asks with the IPv4 it came from.
    policy: (address, _family, from) => address === S4 && from === A4,
  });
  await run.clock.advance(LAST_RESORT_DELAY + 100);
  t.same(
    eventsOf(run.events, 'attempt:blocked').map((e) => [e.address, e.ms]),
    [
      [A6, 0],
      [A4, 0],
    ],
  );
  t.same(starts(run.events), [[S4, LAST_RESORT_DELAY]], 'the Last Resort Local Synthesis Delay counts from the last block');
  t.equal(run.outcome.value?.winner.address, S4);
});
