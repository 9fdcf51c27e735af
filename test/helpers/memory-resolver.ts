/** An in-memory AddressResolver for logic tests: answers from a table, counts queries. */
import type { AddressRecordType as RecordType, Answer, AddressResolver, QueryOptions } from '../../lib/dns/types.js';
import { DnsError, type DnsErrorCode } from '../../lib/errors.js';

export type MemoryEntry = string[] | DnsErrorCode;

export class MemoryResolver implements AddressResolver {
  readonly queries: Array<{ name: string; type: RecordType }> = [];
  /** The `both` option of each query, in the order of `queries`. */
  readonly both: boolean[] = [];
  constructor(private readonly table: Record<string, { A?: MemoryEntry; AAAA?: MemoryEntry }>) {}

  async query(name: string, type: RecordType, options?: QueryOptions): Promise<Answer> {
    this.queries.push({ name, type });
    this.both.push(options?.both === true);
    const entry = this.table[name]?.[type] ?? (this.table[name] ? 'ENODATA' : 'ENOTFOUND');
    if (typeof entry === 'string') throw new DnsError(entry, { hostname: name, rrtype: type, server: '127.0.0.1:53' });
    return {
      name,
      type,
      records: entry.map((address) => ({ address, ttl: 60 })),
      ttl: 60,
      cnames: [],
      server: '127.0.0.1:53',
      source: 'dns',
    };
  }
}
