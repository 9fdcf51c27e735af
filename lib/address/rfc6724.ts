/**
 * RFC 6724 §6 destination address selection (RFC 8305 §4) with the RFC 8305 §4 history
 * rules. A pure function of (destinations, sources, history): the I/O that finds the
 * sources lives in source-address.ts.
 *
 * Rules applied: 1, "not failed last time", 2, 5, 6, 7 (partly), 8, "lower RTT", "used before",
 * 9 (IPv6 only), 10.
 * Rules 3 (deprecated source) and 4 (home address) need kernel address flags that user
 * space cannot read, so they never decide.
 */
import { isMappedIPv4, parseIp } from './ip-bytes.js';
import { DEFAULT_POLICY_TABLE, commonPrefixLen, isEncapsulatedSource, policyOf, scopeOf, type PolicyTable } from './policy-table.js';

export interface Destination {
  address: string;
  family: 4 | 6;
}

/** What the caller remembers about a destination, per network (RFC 8305 §4). */
export interface DestinationHistory {
  /** Measured round-trip time in ms; a missing or non-finite value counts as unknown. */
  rttMs: number;
  usedBefore?: boolean;
  /** The last attempt to it failed or black-holed: it goes after every address without such a record. */
  demoted?: boolean;
}

/** What the rules compare that depends on the addresses alone. */
interface AddressKeys {
  usable: boolean;
  ipv6: boolean;
  scope: number;
  precedence: number;
  label: number;
  sourceScope: number;
  sourceLabel: number;
  encapsulated: boolean;
  prefixLen: number;
}

/** Everything the rules compare, computed once per destination. */
interface Ranked<T> extends AddressKeys {
  item: T;
  index: number;
  rttMs: number; // Infinity when unknown
  usedBefore: boolean;
  demoted: boolean;
}

/**
 * RFC 6724 §6 destination selection: pure. `sources` maps each destination address to the
 * local source address the kernel would use, or undefined when the destination is unusable
 * (rule 1); an address missing from the map, or one that does not parse, is unusable too.
 * `table`: the policy (gai.conf's, or RFC 6724's default). Stable (rule 10). Does not
 * mutate the input.
 */
export function sortDestinations<T extends Destination>(
  destinations: readonly T[],
  sources: ReadonlyMap<string, string | undefined>,
  history?: ReadonlyMap<string, DestinationHistory>,
  table: PolicyTable = DEFAULT_POLICY_TABLE,
): T[] {
  return destinations
    .map((item, index) => rankedOf(item, index, sources.get(item.address), history?.get(item.address), table))
    .sort(compare)
    .map((c) => c.item);
}

function rankedOf<T extends Destination>(
  item: T,
  index: number,
  sourceText: string | undefined,
  known: DestinationHistory | undefined,
  table: PolicyTable,
): Ranked<T> {
  const k = keysOf(item.address, sourceText, table);
  const rtt = known?.rttMs;
  return {
    item,
    index,
    rttMs: Number.isFinite(rtt) ? rtt! : Infinity,
    usedBefore: known?.usedBefore === true,
    demoted: known?.demoted === true,
    usable: k.usable,
    ipv6: k.ipv6,
    scope: k.scope,
    precedence: k.precedence,
    label: k.label,
    sourceScope: k.sourceScope,
    sourceLabel: k.sourceLabel,
    encapsulated: k.encapsulated,
    prefixLen: k.prefixLen,
  };
}

/**
 * The keys of (destination, source), remembered per policy table: the same few pairs come
 * back on every connect and lookup, and parsing plus the policy table cost most of a
 * cached lookup's time. Bounded: past MAX_KEYS pairs a table's memory starts over.
 */
export const MAX_KEYS = 4096;
const remembered = new WeakMap<PolicyTable, Map<string, AddressKeys>>();

/** How many (destination, source) pairs are remembered now for `table` (for tests). */
export function keysRemembered(table: PolicyTable = DEFAULT_POLICY_TABLE): number {
  return remembered.get(table)?.size ?? 0;
}

function keysOf(destinationText: string, sourceText: string | undefined, table: PolicyTable): AddressKeys {
  const key = sourceText === undefined ? destinationText : `${destinationText} ${sourceText}`;
  let memo = remembered.get(table);
  let keys = memo?.get(key);
  if (keys === undefined) {
    if (memo === undefined || memo.size >= MAX_KEYS) remembered.set(table, (memo = new Map()));
    keys = computeKeys(destinationText, sourceText, table);
    memo.set(key, keys);
  }
  return keys;
}

function computeKeys(destinationText: string, sourceText: string | undefined, table: PolicyTable): AddressKeys {
  const destination = parseIp(destinationText);
  const source = sourceText === undefined ? undefined : parseIp(sourceText);
  if (destination === undefined || source === undefined) return UNUSABLE;
  const policy = policyOf(destination, table);
  return {
    usable: true,
    ipv6: !isMappedIPv4(destination),
    scope: scopeOf(destination, table),
    precedence: policy.precedence,
    label: policy.label,
    sourceScope: scopeOf(source, table),
    sourceLabel: policyOf(source, table).label,
    encapsulated: isEncapsulatedSource(source),
    prefixLen: commonPrefixLen(source, destination),
  };
}

const UNUSABLE: AddressKeys = {
  usable: false,
  ipv6: false,
  scope: 0,
  precedence: 0,
  label: 0,
  sourceScope: 0,
  sourceLabel: 0,
  encapsulated: false,
  prefixLen: 0,
};

type Rule = (a: Ranked<unknown>, b: Ranked<unknown>) => number;

/** Negative: A first; positive: B first. Each rule is a key comparison, so the order is total. */
const prefer = (a: boolean, b: boolean): number => (a === b ? 0 : a ? -1 : 1);

const RULES: readonly Rule[] = [
  // Rule 2: "Prefer matching scope. If Scope(DA) = Scope(Source(DA)) and Scope(DB) <>
  // Scope(Source(DB)), then prefer DA."
  (a, b) => prefer(a.scope === a.sourceScope, b.scope === b.sourceScope),
  // Rule 5: "Prefer matching label. If Label(Source(DA)) = Label(DA) and Label(Source(DB))
  // <> Label(DB), then prefer DA."
  (a, b) => prefer(a.label === a.sourceLabel, b.label === b.sourceLabel),
  // Rule 6: "Prefer higher precedence. If Precedence(DA) > Precedence(DB), then prefer DA."
  (a, b) => b.precedence - a.precedence,
  // Rule 7: "Prefer native transport. If DA is reached via an encapsulating transition
  // mechanism (e.g., IPv6 in IPv4) and DB is not, then prefer DB." Judged by the source
  // address (6to4, Teredo): see isEncapsulatedSource.
  (a, b) => prefer(!a.encapsulated, !b.encapsulated),
  // Rule 8: "Prefer smaller scope. If Scope(DA) < Scope(DB), then prefer DA."
  (a, b) => a.scope - b.scope,
  // RFC 8305 §4: a rule "between rules 8 and 9 that prefers addresses with lower
  // RTTs". An unknown RTT ranks after every measured one, which keeps the order total.
  (a, b) => (a.rttMs === b.rttMs ? 0 : a.rttMs < b.rttMs ? -1 : 1),
  // RFC 8305 §4: "another ... rule between the RTT rule and rule 9, which prefers
  // used addresses over unused ones".
  (a, b) => prefer(a.usedBefore, b.usedBefore),
  // Rule 9: "Use longest matching prefix. When DA and DB belong to the same address
  // family ...: If CommonPrefixLen(Source(DA), DA) > CommonPrefixLen(Source(DB), DB),
  // then prefer DA." IPv6 only, as Go does: for IPv4 a shared prefix says nothing about
  // distance (golang/go#13283, #18518).
  (a, b) => (a.ipv6 && b.ipv6 ? b.prefixLen - a.prefixLen : 0),
];

function compare(a: Ranked<unknown>, b: Ranked<unknown>): number {
  // Rule 1: "Avoid unusable destinations. If DB is known to be unreachable or if
  // Source(DB) is undefined, then prefer DA." Two unusable ones keep their order (as Go).
  if (a.usable && b.usable) {
    // RFC 8305 §4 lets history order destinations; an address whose last attempt failed
    // or went unanswered goes after every other usable one, so that a repeat connect to a
    // host with a broken path starts on the working one instead of waiting out the delay.
    if (a.demoted !== b.demoted) return a.demoted ? 1 : -1;
    for (const rule of RULES) {
      const order = rule(a, b);
      if (order !== 0) return order;
    }
  } else if (a.usable !== b.usable) {
    return a.usable ? -1 : 1;
  }
  // Rule 10: "Otherwise, leave the order unchanged." Explicit, not left to the engine.
  return a.index - b.index;
}
