/** Runs one race on the fake clock, resolver and attempts, recording everything it does. */
import type { Family } from '../../lib/address/types.js';
import type { AddressResolver, RecordType } from '../../lib/dns/types.js';
import type { AttemptSlots } from '../../lib/racer/attempt-slots.js';
import { createRace, type RaceControl, type RaceResult } from '../../lib/racer/race.js';
import type { OrderFunction } from '../../lib/address/types.js';
import type { RaceHistory } from '../../lib/racer/race-history.js';
import type { RaceNat64 } from '../../lib/racer/synthesis.js';
import type { RaceEvent } from '../../lib/racer/timeline.js';
import { RaceClock } from './race-clock.js';
import { type AttemptScript, type DnsStep, FakeAttempts, type FakeSocket, ScriptedResolver, simpleOrder } from './race-fakes.js';

export const A6 = '2001:db8::1';
export const B6 = '2001:db8::2';
export const C6 = '2001:db8::3';
export const A4 = '192.0.2.1';
export const B4 = '192.0.2.2';
export const C4 = '192.0.2.3';

export interface RaceSetup {
  dns?: Partial<Record<RecordType, DnsStep>>;
  attempts?: AttemptScript;
  families?: Family[];
  /** RaceConfig.preferredFamily. @default IPv6 */
  preferredFamily?: () => Family;
  delay?: number | 'auto';
  resolutionDelay?: number;
  /** The race's view of a connection history. @default none */
  history?: RaceHistory;
  /** NAT64 synthesis. @default none */
  nat64?: RaceNat64;
  /** Host name or literal. @default 'dual.test' */
  host?: string;
  timeout?: number;
  signal?: AbortSignal;
  order?: OrderFunction;
  resolver?: (clock: RaceClock) => AddressResolver;
  /** The bound on attempts being started. @default the process-wide one */
  slots?: AttemptSlots;
  /** Runs on this clock (several races at once). @default a new one */
  clock?: RaceClock;
  /** @default 443 */
  port?: number;
  /** Happy Eyeballs v3 (HTTPS records steer the race). @default off */
  https?: { alpn: readonly string[] };
  /** The race's address policy (`synthesizedFrom`: a NAT64 synthesis' IPv4). @default none */
  policy?: (address: string, family: Family, synthesizedFrom?: string) => boolean;
}

interface Outcome {
  value?: RaceResult<FakeSocket>;
  error?: unknown;
  at?: number;
  /** How many times resolve/reject were called (must end at 1). */
  settled: number;
}

export interface RaceRun {
  clock: RaceClock;
  resolver: AddressResolver;
  attempts: FakeAttempts;
  events: RaceEvent[];
  control: RaceControl;
  outcome: Outcome;
}

export function runRace(setup: RaceSetup): RaceRun {
  const clock = setup.clock ?? new RaceClock();
  const resolver = setup.resolver?.(clock) ?? new ScriptedResolver(clock, setup.dns ?? {});
  const attempts = new FakeAttempts(clock, setup.attempts ?? {});
  const events: RaceEvent[] = [];
  const outcome: Outcome = { settled: 0 };
  const control = createRace<FakeSocket>(
    {
      host: setup.host ?? 'dual.test',
      port: setup.port ?? 443,
      families: setup.families ?? [6, 4],
      preferredFamily: setup.preferredFamily,
      resolver,
      resolutionDelay: setup.resolutionDelay ?? 50,
      connectionAttemptDelay: setup.delay ?? 250,
      history: setup.history,
      nat64: setup.nat64,
      timeout: setup.timeout,
      signal: setup.signal,
      order: setup.order ?? simpleOrder,
      connectAttempt: attempts.factory,
      clock,
      onEvent: (event) => events.push(event),
      slots: setup.slots,
      https: setup.https,
      policy: setup.policy,
    },
    {
      resolve: (value) => {
        outcome.settled++;
        outcome.value = value;
        outcome.at = clock.now();
      },
      reject: (error) => {
        outcome.settled++;
        outcome.error = error;
        outcome.at = clock.now();
      },
    },
  );
  control.start();
  return { clock, resolver, attempts, events, control, outcome };
}

/** `[address, ms]` of every attempt start, in order. */
export function starts(events: readonly RaceEvent[]): Array<[string, number]> {
  return events.flatMap((e) => (e.type === 'attempt:start' ? [[e.address, e.ms] as [string, number]] : []));
}

export function eventsOf<T extends RaceEvent['type']>(events: readonly RaceEvent[], type: T): Array<Extract<RaceEvent, { type: T }>> {
  return events.filter((e): e is Extract<RaceEvent, { type: T }> => e.type === type);
}
