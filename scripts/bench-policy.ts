/**
 * What the address policy costs per candidate, with and without, in the same run:
 *
 * 1. The check alone: `policy.allows(address, family, host)` over 16 candidates of every
 *    kind (public and private IPv4 and IPv6, IPv4-mapped, NAT64, 6to4, zone ids), for
 *    `'public'` and for rules with allow and deny lists, against the same loop calling a
 *    function that allows everything. Rounds interleaved; medians of ns per candidate.
 * 2. In a race: races over 16 candidates whose attempts all fail at once (so each
 *    candidate reaches the enforcement point and becomes an attempt), with the
 *    `'public'` policy wired as connect() wires it (allowing every candidate here, so
 *    both runs do the same attempts) and without one. Batches of races alternate, with
 *    and without, and the difference is taken batch by batch (paired), so load that
 *    drifts during the run cancels out; the median difference per candidate.
 *
 *   npx tsc -p tsconfig.json && node build/scripts/bench-policy.js [--rounds 15]
 *
 * On a busy machine wall-clock figures swell; instruction counts do not. `--only
 * none|public|rules --checks N` runs one loop of the check alone, for valgrind:
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null node build/scripts/bench-policy.js --only public --checks 200000
 *
 * (instructions per check = the difference between two --checks values / their difference).
 *
 * Nothing here touches the network: addresses go to a fake attempt factory.
 */
import { parseArgs } from 'node:util';
import { systemClock } from '../lib/clock.js';
import type { AddressRecordType, AddressResolver } from '../lib/dns/types.js';
import { AddressPolicy } from '../lib/policy/policy.js';
import type { AttemptFactory } from '../lib/racer/attempt.js';
import { createRace } from '../lib/racer/race.js';
import { AttemptSlots } from '../lib/racer/attempt-slots.js';
import { median, quantile } from './bench-lib/stats.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '15' }, only: { type: 'string' }, checks: { type: 'string', default: '2000000' } },
});
const ROUNDS = Number(values.rounds);
const CHECKS = Number(values.checks);
const RACES = 200;

const candidates: Array<[string, 4 | 6]> = [
  ['93.184.216.34', 4],
  ['10.0.0.5', 4],
  ['172.20.1.1', 4],
  ['192.168.1.20', 4],
  ['100.64.3.3', 4],
  ['8.8.8.8', 4],
  ['169.254.169.254', 4],
  ['203.0.113.9', 4],
  ['2606:2800:220:1:248:1893:25c8:1946', 6],
  ['2a00:1450:4001:82b::200e', 6],
  ['fd00:ec2::254', 6],
  ['::ffff:169.254.169.254', 6],
  ['64:ff9b::8.8.8.8', 6],
  ['2002:a9fe:a9fe::1', 6],
  ['fe80::1%eth0', 6],
  ['::1', 6],
];

const policies: Array<[string, AddressPolicy]> = [
  ["'public'", AddressPolicy.from('public')!],
  [
    '{ preset, allow ×3, deny ×3 }',
    AddressPolicy.from({
      preset: 'public',
      allow: ['10.20.0.0/16', 'fd12:3456::/32', '192.168.1.0/24'],
      deny: ['93.184.0.0/16', '2001:db8:1::/48', '198.51.100.7'],
    })!,
  ],
];

/** ns per candidate for `check` called over the candidate list. */
function timeChecks(check: (address: string, family: 4 | 6, host: string) => boolean): number {
  let allowed = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < CHECKS; i++) {
    const [address, family] = candidates[i & 15]!;
    if (check(address, family, 'hook.example')) allowed++;
  }
  const ns = Number(process.hrtime.bigint() - start) / CHECKS;
  if (allowed < 0) console.log(allowed); // keeps the loop's result alive
  return ns;
}

const allowAll = (_address: string, _family: 4 | 6, _host: string): boolean => true;

if (values.only !== undefined) {
  const chosen = { none: allowAll, public: policies[0]![1], rules: policies[1]![1] }[values.only];
  if (chosen === undefined) throw new Error('--only none, public or rules');
  const check = chosen instanceof AddressPolicy ? (a: string, f: 4 | 6, h: string) => chosen.allows(a, f, h) : chosen;
  console.log(`${values.only}: ${timeChecks(check).toFixed(1)} ns per check`);
  process.exit(0);
}

// 1. The check alone.
const micro = new Map<string, number[]>([['no policy (a function allowing all)', []], ...policies.map(([name]) => [name, []] as [string, number[]])]);
for (let round = 0; round < ROUNDS; round++) {
  micro.get('no policy (a function allowing all)')!.push(timeChecks(allowAll));
  for (const [name, policy] of policies) micro.get(name)!.push(timeChecks((a, f, h) => policy.allows(a, f, h)));
}

// 2. In a race.
const v4 = candidates.filter(([, f]) => f === 4).map(([a]) => a);
const v6 = candidates.filter(([, f]) => f === 6).map(([a]) => a);
const resolver: AddressResolver = {
  query: async (name: string, type: AddressRecordType) => {
    const addresses = type === 'A' ? v4 : v6;
    return { name, type, records: addresses.map((address) => ({ address, ttl: 60 })), ttl: 60, cnames: [], source: 'cache' };
  },
};
const failAtOnce: AttemptFactory<object> = (_target, callbacks) => {
  callbacks.failed(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), 'tcp');
  return { socket: {}, destroy: () => {}, detach: () => {} };
};
const slots = new AttemptSlots(Infinity);
const publicPolicy = AddressPolicy.from('public')!;
// Wired as connect() wires it; it allows everything here, so both runs start the same 16 attempts.
const wired = (address: string, family: 4 | 6): boolean => publicPolicy.allows(address, family, 'hook.example') || true;

function race(policy: ((address: string, family: 4 | 6) => boolean) | undefined): Promise<void> {
  return new Promise((resolve) => {
    const control = createRace(
      {
        host: 'hook.example',
        port: 443,
        families: [6, 4],
        resolver,
        resolutionDelay: 0,
        connectionAttemptDelay: 250,
        order: (c) => c,
        connectAttempt: failAtOnce,
        clock: systemClock,
        slots,
        policy,
      },
      { resolve: () => resolve(), reject: () => resolve() },
    );
    control.start();
  });
}

async function timeRaces(policy: ((address: string, family: 4 | 6) => boolean) | undefined): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < RACES; i++) await race(policy);
  return Number(process.hrtime.bigint() - start) / RACES / 1000;
}

// Both runs build 16 AttemptErrors and one AllAttemptsFailedError per race; without stack
// traces that work is smaller, so the policy's share of a race shows better.
Error.stackTraceLimit = 0;
const racesWithout: number[] = [];
const racesWith: number[] = [];
const pairedNs: number[] = [];
await timeRaces(wired); // warm up both paths
await timeRaces(undefined);
for (let batch = 0; batch < ROUNDS * 10; batch++) {
  const first = batch % 2 === 0;
  const a = await timeRaces(first ? undefined : wired);
  const b = await timeRaces(first ? wired : undefined);
  const [without, withPolicy] = first ? [a, b] : [b, a];
  racesWithout.push(without);
  racesWith.push(withPolicy);
  pairedNs.push(((withPolicy - without) * 1000) / candidates.length);
}

const base = median(micro.get('no policy (a function allowing all)')!);
console.log(`Policy check per candidate, ${ROUNDS} rounds × ${CHECKS.toLocaleString('en')} checks over ${candidates.length} kinds of address (medians):`);
for (const [name, samples] of micro) {
  const m = median(samples);
  const extra = name.startsWith('no policy') ? '' : `  → +${(m - base).toFixed(1)} ns per candidate, ${(m / base).toFixed(1)}× the empty call`;
  console.log(`  ${name.padEnd(36)} ${m.toFixed(1).padStart(7)} ns${extra}`);
}
const w = median(racesWith);
const wo = median(racesWithout);
console.log(`Race of ${candidates.length} candidates, every attempt failing at once, ${ROUNDS * 10} paired batches × ${RACES} races (medians):`);
console.log(`  without policy ${wo.toFixed(2)} µs/race, with 'public' ${w.toFixed(2)} µs/race: ${(w / wo).toFixed(3)}×`);
console.log(
  `  paired difference per candidate: median ${median(pairedNs).toFixed(0)} ns, middle half ${quantile(pairedNs, 0.25).toFixed(0)} to ${quantile(pairedNs, 0.75).toFixed(0)} ns` +
    ' (a race costs far more than the check: the spread is the noise of the race, not of the policy)',
);
