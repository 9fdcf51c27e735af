/**
 * How a cache entry keeps an HTTPS answer's records (RFC 9460): checked once when stored,
 * frozen, and copied out on each hit, since callers may change what they get. Address
 * entries never come here: they keep their packed form (packed.ts), so an address hit
 * costs what it did before HTTPS answers were cached.
 */
import type { ServiceParams, ServiceRecord } from '../dns/types.js';

/** The records of one HTTPS entry, without TTLs (the entry counts those down). */
export class StoredServiceRecords {
  constructor(readonly records: readonly Readonly<Omit<ServiceRecord, 'ttl'>>[]) {}
}

/** The records to keep, with their smallest TTL; a string says why the answer is unusable. */
export function storeServiceRecords(records: readonly unknown[]): { stored: StoredServiceRecords; minTtl: number } | string {
  const kept: Array<Omit<ServiceRecord, 'ttl'>> = [];
  let minTtl = Infinity;
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as Partial<ServiceRecord> | null;
    if (r === null || typeof r !== 'object') return `record ${i} is not an object`;
    const { priority, target, params, ttl } = r;
    if (!Number.isInteger(priority) || typeof target !== 'string' || params === null || typeof params !== 'object') {
      return `record ${i} needs a priority, a target and params`;
    }
    if (typeof ttl !== 'number' || !(ttl >= 0 && ttl < Infinity)) return `record ${i} needs a ttl`;
    kept.push(Object.freeze({ priority: priority as number, target, params: copyParams(params as ServiceParams) }));
    minTtl = Math.min(minTtl, ttl);
  }
  return { stored: new StoredServiceRecords(Object.freeze(kept)), minTtl };
}

/** Fresh records for one caller, each with `ttl`. */
export function serviceRecordsAt(stored: StoredServiceRecords, ttl: number): ServiceRecord[] {
  return stored.records.map((r) => ({ priority: r.priority, target: r.target, params: copyParams(r.params), ttl }));
}

/** Arrays and Buffers copied: nothing a caller holds is shared with the cache. */
function copyParams(params: ServiceParams): ServiceParams {
  const copy: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(params)) {
    copy[field] = Array.isArray(value) ? [...(value as unknown[])] : Buffer.isBuffer(value) ? Buffer.from(value) : value;
  }
  return copy as ServiceParams;
}
