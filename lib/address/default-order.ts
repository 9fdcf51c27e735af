/**
 * The production connection order: RFC 6724 §6 destination sort with the source
 * address the system would use for each destination (R7) and, when given, what the
 * history knows of each (R8), then family interleaving led by `firstAddressFamilyCount`
 * addresses of the first family (R10).
 */
import type { Candidate } from '../racer/candidates.js';
import { interleave } from './interleave.js';
import type { OrderFunction } from '../racer/queue.js';
import { type DestinationHistory, sortDestinations } from './rfc6724.js';
import { SourceAddressFinder } from './source-address.js';

export interface OrderSteps {
  findSources(addresses: readonly string[]): Promise<Map<string, string | undefined>>;
  /** The sources when all are known already (no I/O), else undefined. */
  knownSources?(addresses: readonly string[]): Map<string, string | undefined> | undefined;
  sort(destinations: readonly Candidate[], sources: ReadonlyMap<string, string | undefined>, history?: ReadonlyMap<string, DestinationHistory>): Candidate[];
  interleave(sorted: readonly Candidate[], firstAddressFamilyCount?: number): Candidate[];
}

let sharedFinder: SourceAddressFinder | undefined;

/** The real steps; one source-address finder (with its cache) is shared by every connect(). */
export function defaultOrderSteps(): OrderSteps {
  sharedFinder ??= new SourceAddressFinder();
  const finder = sharedFinder;
  return { findSources: (addresses) => finder.find(addresses), knownSources: (addresses) => finder.cached(addresses), sort: sortDestinations, interleave };
}

/** What the order reads from a connection history (racer/race-history.ts), and tells it. */
export interface OrderHistory {
  /** Records of those addresses that have one; undefined when none has (the common case). */
  view(addresses: readonly string[]): ReadonlyMap<string, DestinationHistory> | undefined;
  /** The order without history (`plain`) differs from the one used (`ordered`). */
  reordered(plain: readonly Candidate[], ordered: readonly Candidate[]): void;
}

/** Sorts at once when every source is known (the warm case), else after finding them. */
export function createOrder(firstAddressFamilyCount: number, steps: OrderSteps = defaultOrderSteps(), history?: OrderHistory): OrderFunction {
  return (candidates) => {
    const addresses = candidates.map((c) => c.address);
    const order = (sources: ReadonlyMap<string, string | undefined>): Candidate[] => {
      const plain = steps.interleave(steps.sort(candidates, sources), firstAddressFamilyCount);
      const records = history?.view(addresses);
      if (records === undefined) return plain;
      const ordered = steps.interleave(steps.sort(candidates, sources, records), firstAddressFamilyCount);
      if (ordered.some((c, i) => c !== plain[i])) history!.reordered(plain, ordered);
      return ordered;
    };
    const known = steps.knownSources?.(addresses);
    return known ? order(known) : steps.findSources(addresses).then(order);
  };
}
