/**
 * The production connection order: RFC 6724 §6 destination sort with the source
 * address the system would use for each destination, then family interleaving led by
 * `firstAddressFamilyCount` addresses of the first family (RFC 8305 §4).
 */
import { interleave } from './interleave.js';
import { DEFAULT_POLICY_TABLE, type PolicyTable } from './policy-table.js';
import { sortDestinations } from './rfc6724.js';
import { SourceAddressFinder } from './source-address.js';
import type { Candidate, OrderFunction } from './types.js';
import { defaultNetworkMonitor } from '../system/network.js';

export interface OrderSteps {
  findSources(addresses: readonly string[]): Promise<Map<string, string | undefined>>;
  /** The sources when all are known already (no I/O), else undefined. */
  knownSources?(addresses: readonly string[]): Map<string, string | undefined> | undefined;
  sort(destinations: readonly Candidate[], sources: ReadonlyMap<string, string | undefined>, table?: PolicyTable): Candidate[];
  interleave(sorted: readonly Candidate[], firstAddressFamilyCount?: number): Candidate[];
}

let sharedFinder: SourceAddressFinder | undefined;

const sortWithTable = (destinations: readonly Candidate[], sources: ReadonlyMap<string, string | undefined>, table?: PolicyTable): Candidate[] =>
  sortDestinations(destinations, sources, undefined, table);

/**
 * The real steps; one source-address finder (with its cache) is shared by every connect(),
 * and forgets its sources when the machine's network changes.
 */
export function defaultOrderSteps(): OrderSteps {
  sharedFinder ??= new SourceAddressFinder({ network: defaultNetworkMonitor });
  const finder = sharedFinder;
  return { findSources: (addresses) => finder.find(addresses), knownSources: (addresses) => finder.cached(addresses), sort: sortWithTable, interleave };
}

/**
 * Sorts at once when every source is known (the warm case), else after finding them.
 * `policy`: the policy table of the moment (a resolver's gai.conf), asked per ordering.
 */
export function createOrder(
  firstAddressFamilyCount: number,
  steps: OrderSteps = defaultOrderSteps(),
  policy: () => PolicyTable = () => DEFAULT_POLICY_TABLE,
): OrderFunction {
  return (candidates) => {
    const addresses = candidates.map((c) => c.address);
    const order = (sources: ReadonlyMap<string, string | undefined>): Candidate[] =>
      steps.interleave(steps.sort(candidates, sources, policy()), firstAddressFamilyCount);
    const known = steps.knownSources?.(addresses);
    return known ? order(known) : steps.findSources(addresses).then(order);
  };
}
