/** Argument checks for DnsCache calls: bad input is an InvalidArgumentError naming it. */
import type { QueryOptions, RecordType } from '../dns/types.js';
import { InvalidArgumentError } from '../errors.js';
import { signalOption } from '../options.js';

/** The cache key of a name: lowercased (RFC 4343), without the root's trailing dot. */
export function normalizeName(name: unknown): string {
  if (typeof name !== 'string') throw new InvalidArgumentError('name', name, 'a host name string');
  const lower = name.toLowerCase();
  const key = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  if (key.length === 0) throw new InvalidArgumentError('name', name, 'a non-empty host name');
  return key;
}

export function checkType(type: unknown): asserts type is RecordType {
  if (type !== 'A' && type !== 'AAAA' && type !== 'HTTPS') throw new InvalidArgumentError('type', type, "'A', 'AAAA' or 'HTTPS'");
}

/** Checks the rest of a resolve() call; returns the caller's signal, if any. */
export function checkQuery(type: unknown, fetch: unknown, options: QueryOptions | undefined): AbortSignal | undefined {
  checkType(type);
  if (typeof fetch !== 'function') throw new InvalidArgumentError('fetch', fetch, 'a function');
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'an object');
  return signalOption(options.signal);
}
