/**
 * `lookup(hostname, [options | family], callback)`: the `dns.lookup` contract over the
 * shared default resolver (system resolv.conf and hosts file, user-space DNS, cache),
 * so it can be passed as the `lookup` option of net, http, undici, got or axios.
 */
import type { LookupFunction } from '../lookup.js';
import { getDefaultResolver } from '../resolver.js';

/** `dns.lookup`, answered by `getDefaultResolver()` (made on first use, not on import). */
export const lookup: LookupFunction = function lookup(...args: unknown[]): void {
  (getDefaultResolver().lookup as (...a: unknown[]) => void)(...args);
} as LookupFunction;
