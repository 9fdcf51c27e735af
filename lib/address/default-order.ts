/**
 * The production connection order: RFC 6724 §6 destination sort with the source
 * address the system would use for each destination, then family interleaving led by
 * `firstAddressFamilyCount` addresses of the first family (RFC 8305 §4).
 */
import { interleave } from './interleave.js';
import { sortDestinations } from './rfc6724.js';
import { SourceAddressFinder } from './source-address.js';
import type { Candidate, OrderFunction } from './types.js';

export interface OrderSteps {
  findSources(addresses: readonly string[]): Promise<Map<string, string | undefined>>;
  /** The sources when all are known already (no I/O), else undefined. */
  knownSources?(addresses: readonly string[]): Map<string, string | undefined> | undefined;
  sort(destinations: readonly Candidate[], sources: ReadonlyMap<string, string | undefined>): Candidate[];
  interleave(sorted: readonly Candidate[], firstAddressFamilyCount?: number): Candidate[];
}

let sharedFinder: SourceAddressFinder | undefined;

/** The real steps; one source-address finder (with its cache) is shared by every connect(). */
export function defaultOrderSteps(): OrderSteps {
  sharedFinder ??= new SourceAddressFinder();
  const finder = sharedFinder;
  return { findSources: (addresses) => finder.find(addresses), knownSources: (addresses) => finder.cached(addresses), sort: sortDestinations, interleave };
}

/** Sorts at once when every source is known (the warm case), else after finding them. */
export function createOrder(firstAddressFamilyCount: number, steps: OrderSteps = defaultOrderSteps()): OrderFunction {
  return (candidates) => {
    const addresses = candidates.map((c) => c.address);
    const order = (sources: ReadonlyMap<string, string | undefined>): Candidate[] =>
      steps.interleave(steps.sort(candidates, sources), firstAddressFamilyCount);
    const known = steps.knownSources?.(addresses);
    return known ? order(known) : steps.findSources(addresses).then(order);
  };
}
