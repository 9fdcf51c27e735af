/**
 * A scripted resolver for Happy Eyeballs v3 races on the fake clock: per name, each of
 * AAAA, A and HTTPS answers at its time (HTTPS records in presentation format), fails,
 * or never answers; it honours the racer's abort signal and records every question.
 */
import { parseServiceRecord } from '../../lib/dns/svcb-presentation.js';
import type { AddressRecordType, Answer, QueryOptions, ServiceAnswer } from '../../lib/dns/types.js';
import { DnsError, type DnsErrorCode } from '../../lib/errors.js';
import type { RaceClock } from './race-clock.js';
import { answer } from './race-fakes.js';

type HttpsStep =
  | { at: number; records: string[]; aliases?: string[]; cnames?: string[]; ttl?: number }
  | { at: number; error: DnsErrorCode }
  | { at: number; junk: unknown }
  | 'never';
type AddressStep = { at: number; addresses: string[] } | { at: number; error: DnsErrorCode } | 'never';

export interface NameScript {
  AAAA?: AddressStep;
  A?: AddressStep;
  HTTPS?: HttpsStep;
}

export interface HttpsCall {
  name: string;
  type: AddressRecordType | 'HTTPS';
  at: number;
  /** 'answered', 'failed', 'aborted' or still 'pending'. */
  outcome: string;
  /** QueryOptions.both as asked. */
  both: boolean;
}

export class HttpsScriptedResolver {
  readonly calls: HttpsCall[] = [];
  readonly #clock: RaceClock;
  readonly #script: Record<string, NameScript>;

  constructor(clock: RaceClock, script: Record<string, NameScript>) {
    this.#clock = clock;
    this.#script = script;
  }

  query(name: string, type: AddressRecordType, options?: QueryOptions): Promise<Answer>;
  query(name: string, type: 'HTTPS', options?: QueryOptions): Promise<ServiceAnswer>;
  query(name: string, type: AddressRecordType | 'HTTPS', options?: QueryOptions): Promise<Answer | ServiceAnswer> {
    const signal = options?.signal;
    const call: HttpsCall = { name, type, at: this.#clock.now(), outcome: 'pending', both: options?.both === true };
    this.calls.push(call);
    const step: AddressStep | HttpsStep = this.#script[name]?.[type] ?? { at: 0, error: this.#script[name] ? 'ENODATA' : 'ENOTFOUND' };
    return new Promise((resolve, reject) => {
      const timer =
        step === 'never'
          ? undefined
          : this.#clock.setTimeout(() => {
              signal?.removeEventListener('abort', onAbort);
              if ('error' in step) {
                call.outcome = 'failed';
                reject(new DnsError(step.error, { hostname: name, rrtype: type }));
                return;
              }
              call.outcome = 'answered';
              if ('junk' in step) resolve(step.junk as ServiceAnswer);
              else if ('records' in step) resolve(serviceAnswer(name, step));
              else resolve(answer(name, type as AddressRecordType, step.addresses));
            }, step.at);
      const onAbort = (): void => {
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        call.outcome = 'aborted';
        reject(new DnsError('ECANCELLED', { hostname: name, rrtype: type }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function serviceAnswer(name: string, step: { records: string[]; aliases?: string[]; cnames?: string[]; ttl?: number }): ServiceAnswer {
  const ttl = step.ttl ?? 60;
  const aliases = step.aliases ?? [];
  return {
    name,
    type: 'HTTPS',
    records: step.records.map((text) => ({ ...parseServiceRecord(text), ttl })),
    ttl,
    cnames: step.cnames ?? aliases,
    aliases,
    source: 'dns',
  };
}
