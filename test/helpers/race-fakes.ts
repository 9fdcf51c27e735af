/**
 * Fakes for the racer's deterministic tests, all driven by a RaceClock: a resolver that
 * answers each record type on a script, and an attempt factory whose sockets connect,
 * fail or hang on a script.
 */
import type { AttemptCallbacks, AttemptFactory, AttemptTarget } from '../../lib/racer/attempt.js';
import type { Candidate } from '../../lib/address/types.js';
import type { AddressRecordType, AddressResolver, Answer, QueryOptions, RecordType } from '../../lib/dns/types.js';
import { DnsError, type DnsErrorCode } from '../../lib/errors.js';
import type { RaceClock } from './race-clock.js';

/** When (ms after the query) and what a record type answers; 'never' keeps it pending. */
export type DnsStep = { at: number; addresses: string[] } | { at: number; error: DnsErrorCode } | 'never';

export interface QueryCall {
  name: string;
  type: RecordType;
  at: number;
  signal: AbortSignal | undefined;
  /** The scripted answer or error has been delivered. */
  settled: boolean;
  /** QueryOptions.both: asked together with the other type. */
  both?: boolean;
}

export class ScriptedResolver implements AddressResolver {
  readonly calls: QueryCall[] = [];
  readonly #clock: RaceClock;
  readonly #script: Partial<Record<RecordType, DnsStep>>;

  constructor(clock: RaceClock, script: Partial<Record<RecordType, DnsStep>>) {
    this.#clock = clock;
    this.#script = script;
  }

  query(name: string, type: AddressRecordType, options?: QueryOptions): Promise<Answer> {
    const signal = options?.signal;
    const call: QueryCall = { name, type, at: this.#clock.now(), signal, settled: false, both: options?.both === true };
    this.calls.push(call);
    const step = this.#script[type] ?? 'never';
    return new Promise((resolve, reject) => {
      const timer =
        step === 'never'
          ? undefined
          : this.#clock.setTimeout(() => {
              signal?.removeEventListener('abort', onAbort);
              call.settled = true;
              if ('error' in step) reject(new DnsError(step.error, { hostname: name, rrtype: type }));
              else resolve(answer(name, type, step.addresses));
            }, step.at);
      const onAbort = (): void => {
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        reject(new DnsError('ECANCELLED', { hostname: name, rrtype: type }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

export function answer(name: string, type: AddressRecordType, addresses: string[]): Answer {
  return { name, type, records: addresses.map((address) => ({ address, ttl: 60 })), ttl: 60, cnames: [], source: 'dns' };
}

/** What a fake attempt does, at ms after its start. */
export type AttemptStep = { at: number; event: 'connected' | 'succeeded' } | { at: number; event: 'failed'; code: string; phase: 'tcp' | 'tls' };

export const plan = {
  ok: (at: number): AttemptStep[] => [{ at, event: 'succeeded' }],
  refused: (at = 0): AttemptStep[] => [{ at, event: 'failed', code: 'ECONNREFUSED', phase: 'tcp' }],
  hang: [] as AttemptStep[],
  tls: (tcpAt: number, tlsAt?: number): AttemptStep[] =>
    tlsAt === undefined
      ? [{ at: tcpAt, event: 'connected' }]
      : [
          { at: tcpAt, event: 'connected' },
          { at: tlsAt, event: 'succeeded' },
        ],
  tlsFail: (tcpAt: number, failAt: number, code = 'DEPTH_ZERO_SELF_SIGNED_CERT'): AttemptStep[] => [
    { at: tcpAt, event: 'connected' },
    { at: failAt, event: 'failed', code, phase: 'tls' },
  ],
};

export class FakeSocket {
  destroyed = false;
  detached = false;
  constructor(
    readonly address: string,
    readonly startedAt: number,
  ) {}
}

/** 'throw': the factory throws; 'sync-fail': it reports a failure from inside the call. */
export type AttemptScript = Record<string, AttemptStep[] | 'throw' | 'sync-fail' | 'sync-fail-then-throw'>;

export class FakeAttempts {
  readonly sockets: FakeSocket[] = [];
  readonly targets: AttemptTarget[] = [];
  readonly #clock: RaceClock;
  readonly #script: AttemptScript;

  constructor(clock: RaceClock, script: AttemptScript) {
    this.#clock = clock;
    this.#script = script;
  }

  readonly factory: AttemptFactory<FakeSocket> = (target, callbacks) => {
    this.targets.push(target);
    const script = this.#script[target.address] ?? plan.hang;
    if (script === 'throw') throw Object.assign(new Error('cannot start'), { code: 'EFAKESTART' });
    if (script === 'sync-fail' || script === 'sync-fail-then-throw') {
      callbacks.failed(Object.assign(new Error('failed at once'), { code: 'EFAKESYNC' }), 'tcp');
      if (script === 'sync-fail-then-throw') throw Object.assign(new Error('cannot start'), { code: 'EFAKESTART' });
    }
    const socket = new FakeSocket(target.address, this.#clock.now());
    this.sockets.push(socket);
    const steps = Array.isArray(script) ? script : [];
    const timers = steps.map((step) => this.#clock.setTimeout(() => fire(step, callbacks), step.at));
    return {
      socket,
      destroy: () => {
        socket.destroyed = true;
        for (const timer of timers) this.#clock.clearTimeout(timer);
      },
      detach: () => {
        socket.detached = true;
      },
    };
  };

  /** Sockets neither destroyed nor handed over. */
  get live(): FakeSocket[] {
    return this.sockets.filter((s) => !s.destroyed && !s.detached);
  }
}

function fire(step: AttemptStep, callbacks: AttemptCallbacks): void {
  if ('code' in step) callbacks.failed(Object.assign(new Error(step.code), { code: step.code }), step.phase);
  else if (step.event === 'connected') callbacks.connected();
  else callbacks.succeeded();
}

/** A stand-in for the real order: IPv6 first (stable), then the families alternate. */
export function simpleOrder(candidates: Candidate[]): Candidate[] {
  const v6 = candidates.filter((c) => c.family === 6);
  const v4 = candidates.filter((c) => c.family === 4);
  const out: Candidate[] = [];
  while (v6.length > 0 || v4.length > 0) {
    const a = v6.shift();
    if (a) out.push(a);
    const b = v4.shift();
    if (b) out.push(b);
  }
  return out;
}
