/**
 * The production connection order: RFC 6724 §6 destination sort with the source
 * address the system would use for each destination, the policy table of the moment
 * (gai.conf) and, when given, what the history knows of each (RFC 8305 §4), then family
 * interleaving led by `firstAddressFamilyCount` addresses of the first family (§4).
 */
import { interleave } from './interleave.js';
import { DEFAULT_POLICY_TABLE, type PolicyTable } from './policy-table.js';
import { type DestinationHistory, sortDestinations } from './rfc6724.js';
import { SourceAddressFinder } from './source-address.js';
import type { Candidate, OrderFunction } from './types.js';
import { defaultNetworkMonitor } from '../system/network.js';

export interface OrderSteps {
  findSources(addresses: readonly string[]): Promise<Map<string, string | undefined>>;
  /** The sources when all are known already (no I/O), else undefined. */
  knownSources?(addresses: readonly string[]): Map<string, string | undefined> | undefined;
  sort(
    destinations: readonly Candidate[],
    sources: ReadonlyMap<string, string | undefined>,
    history?: ReadonlyMap<string, DestinationHistory>,
    table?: PolicyTable,
  ): Candidate[];
  interleave(sorted: readonly Candidate[], firstAddressFamilyCount?: number): Candidate[];
}

let sharedSteps: OrderSteps | undefined;

/**
 * The real steps; one source-address finder (with its cache) is shared by every connect(),
 * and forgets its sources when the machine's network changes. Made once.
 */
export function defaultOrderSteps(): OrderSteps {
  if (sharedSteps !== undefined) return sharedSteps;
  const finder = new SourceAddressFinder({ network: defaultNetworkMonitor });
  sharedSteps = {
    findSources: (addresses) => finder.find(addresses),
    knownSources: (addresses) => finder.cached(addresses),
    sort: sortDestinations,
    interleave,
  };
  return sharedSteps;
}

/** What the order reads from a connection history (racer/race-history.ts), and tells it. */
export interface OrderHistory {
  /** Records of those addresses that have one; undefined when none has (the common case). */
  view(addresses: readonly string[]): ReadonlyMap<string, DestinationHistory> | undefined;
  /** The order without history (`plain`) differs from the one used (`ordered`). */
  reordered(plain: readonly Candidate[], ordered: readonly Candidate[]): void;
}

/**
 * Sorts at once when every source is known (the warm case), else after finding them.
 * `policy`: the policy table of the moment (a resolver's gai.conf), asked per ordering.
 * `history`: read per ordering; told when it changed the order.
 */
export function createOrder(
  firstAddressFamilyCount: number,
  steps: OrderSteps = defaultOrderSteps(),
  policy: () => PolicyTable = () => DEFAULT_POLICY_TABLE,
  history?: OrderHistory,
): OrderFunction {
  return (candidates) => {
    const addresses = candidates.map((c) => c.address);
    const order = (sources: ReadonlyMap<string, string | undefined>): Candidate[] => {
      const table = policy();
      const plain = steps.interleave(steps.sort(candidates, sources, undefined, table), firstAddressFamilyCount);
      const records = history?.view(addresses);
      if (records === undefined) return plain;
      const ordered = steps.interleave(steps.sort(candidates, sources, records, table), firstAddressFamilyCount);
      if (ordered.some((c, i) => c !== plain[i])) history!.reordered(plain, ordered);
      return ordered;
    };
    const known = steps.knownSources?.(addresses);
    return known ? order(known) : steps.findSources(addresses).then(order);
  };
}
