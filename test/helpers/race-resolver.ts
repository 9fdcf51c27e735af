/**
 * An in-memory AddressResolver on real timers, for connect() tests over loopback:
 * each (name, type) answers after its own delay, or fails with a Node DNS code, and
 * honours the abort signal the racer passes.
 */
import type { AddressRecordType, AddressResolver, Answer, QueryOptions, RecordType } from '../../lib/dns/types.js';
import { DnsError, type DnsErrorCode } from '../../lib/errors.js';

/** `delay`: milliseconds before the answer; 0 answers on the next turn of the event loop. */
type MemoryAnswer = { addresses: string[]; delay?: number } | { error: DnsErrorCode; delay?: number };

export type MemoryZone = Record<string, Partial<Record<RecordType, MemoryAnswer>>>;

export interface MemoryCall {
  name: string;
  type: RecordType;
  signal: AbortSignal | undefined;
  outcome: 'pending' | 'answered' | 'failed' | 'aborted';
}

export class MemoryResolver implements AddressResolver {
  readonly calls: MemoryCall[] = [];
  readonly #zone: MemoryZone;

  constructor(zone: MemoryZone) {
    this.#zone = zone;
  }

  query(name: string, type: AddressRecordType, options?: QueryOptions): Promise<Answer> {
    const call: MemoryCall = { name, type, signal: options?.signal, outcome: 'pending' };
    this.calls.push(call);
    // A name without this type is NODATA; a name not in the zone is NXDOMAIN.
    const entry: MemoryAnswer = this.#zone[name]?.[type] ?? { error: this.#zone[name] ? 'ENODATA' : 'ENOTFOUND' };
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        call.outcome = 'aborted';
        reject(new DnsError('ECANCELLED', { hostname: name, rrtype: type }));
      };
      const timer = setTimeout(() => {
        call.signal?.removeEventListener('abort', onAbort);
        if ('error' in entry) {
          call.outcome = 'failed';
          reject(new DnsError(entry.error, { hostname: name, rrtype: type }));
          return;
        }
        call.outcome = 'answered';
        const records = entry.addresses.map((address) => ({ address, ttl: 30 }));
        resolve({ name, type, records, ttl: 30, cnames: [], source: 'dns' });
      }, entry.delay ?? 0);
      call.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
