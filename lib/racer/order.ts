/**
 * Connection order for a set of addresses (RFC 8305 §4): RFC 6724 destination
 * selection using the kernel's source address for each (R7), then the families
 * interleaved (R10). Shared by the racer and the `lookup` adapter.
 */
import { interleave } from './interleave.js';
import { sortDestinations, type Destination } from './rfc6724.js';
import { SourceAddressFinder } from './source-address.js';

/** One finder for the process: source addresses depend on routes, not on who asks. */
export const sharedSourceAddressFinder = new SourceAddressFinder();

export async function orderDestinations<T extends Destination>(
  destinations: readonly T[],
  options: { finder?: SourceAddressFinder; firstAddressFamilyCount?: number } = {},
): Promise<T[]> {
  if (destinations.length <= 1) return [...destinations];
  const finder = options.finder ?? sharedSourceAddressFinder;
  const sources = await finder.find(destinations.map((d) => d.address));
  return interleave(sortDestinations(destinations, sources), options.firstAddressFamilyCount ?? 1);
}
