/**
 * The production connection order: RFC 6724 §6 destination sort with the source
 * address the system would use for each destination (R7), then family interleaving
 * led by `firstAddressFamilyCount` addresses of the first family (R10).
 */
import type { Candidate } from './candidates.js';
import { interleave } from './interleave.js';
import type { OrderFunction } from './queue.js';
import { sortDestinations } from './rfc6724.js';
import { SourceAddressFinder } from './source-address.js';

export interface OrderSteps {
  findSources(addresses: readonly string[]): Promise<Map<string, string | undefined>>;
  sort(destinations: readonly Candidate[], sources: ReadonlyMap<string, string | undefined>): Candidate[];
  interleave(sorted: readonly Candidate[], firstAddressFamilyCount?: number): Candidate[];
}

let sharedFinder: SourceAddressFinder | undefined;

/** The real steps; one source-address finder (with its cache) is shared by every connect(). */
export function defaultOrderSteps(): OrderSteps {
  sharedFinder ??= new SourceAddressFinder();
  const finder = sharedFinder;
  return { findSources: (addresses) => finder.find(addresses), sort: sortDestinations, interleave };
}

export function createOrder(firstAddressFamilyCount: number, steps: OrderSteps = defaultOrderSteps()): OrderFunction {
  return async (candidates) => {
    const sources = await steps.findSources(candidates.map((c) => c.address));
    return steps.interleave(steps.sort(candidates, sources), firstAddressFamilyCount);
  };
}
