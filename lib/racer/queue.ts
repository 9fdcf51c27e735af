/**
 * The addresses not yet tried, in connection order. Each merge orders every address
 * known so far, tried ones included, then drops the tried ones: a late answer lands
 * where it would have been had it come first (RFC 8305 §3, §4), and an address is handed
 * out at most once. Candidates of HTTPS service endpoints (HEv3 §4) are ordered within
 * their endpoint's group, groups in rank order, the origin's own addresses last; one
 * address may then come twice, at two ports.
 */
import type { Candidate, OrderFunction } from '../address/types.js';

export class CandidateQueue {
  readonly #order: OrderFunction;
  readonly #changed: () => void;
  readonly #failed: (error: unknown) => void;
  /** Every candidate seen (by `keyOf`), in arrival order. */
  #known = new Map<string, Candidate>();
  readonly #tried = new Set<string>();
  #untried: Candidate[] = [];
  /** An ordering is running; `#stale` says addresses came in since it began. */
  #ordering = false;
  #stale = false;
  #closed = false;

  /**
   * `changed` is called after every merge, when new addresses may be ready; `failed` with
   * the error of an order function that throws or rejects (its owner ends the race; the
   * queue falls back to arrival order meanwhile).
   */
  constructor(order: OrderFunction, changed: () => void, failed: (error: unknown) => void) {
    this.#order = order;
    this.#changed = changed;
    this.#failed = failed;
  }

  /** True while no address is waiting and none is being ordered. */
  get idle(): boolean {
    return this.#untried.length === 0 && !this.#ordering;
  }

  /** True while an address is waiting to be tried. */
  get ready(): boolean {
    return this.#untried.length > 0;
  }

  add(batch: readonly Candidate[]): void {
    let added = false;
    for (const candidate of batch) {
      const key = keyOf(candidate);
      if (this.#known.has(key)) continue;
      this.#known.set(key, candidate);
      added = true;
    }
    if (added) this.#changedInput();
  }

  /**
   * Every candidate known from now on (HEv3): untried ones missing from `list` are
   * dropped (hints an answer contradicted), tried ones stay tried.
   */
  replace(list: readonly Candidate[]): void {
    this.#known = new Map(list.map((candidate) => [keyOf(candidate), candidate]));
    this.#changedInput();
  }

  /** The next address to try; it leaves the queue for good. */
  next(): Candidate | undefined {
    const candidate = this.#untried.shift();
    if (candidate !== undefined) this.#tried.add(keyOf(candidate));
    return candidate;
  }

  /** Drops every untried address (RFC 8305 §5) and ignores orderings still running. */
  close(): void {
    this.#closed = true;
    this.#untried = [];
  }

  #changedInput(): void {
    if (this.#ordering) this.#stale = true;
    else this.#merge();
  }

  /** Orders each group on its own (addresses are unique within a group), all at once. */
  #merge(): void {
    const groups = groupsOf([...this.#known.values()]);
    const ordered = groups.map((input): Candidate[] | Promise<Candidate[]> => {
      try {
        return input.length > 1 ? this.#order(input) : input;
      } catch (err) {
        this.#failed(err);
        return input;
      }
    });
    if (ordered.every((o) => Array.isArray(o))) {
      this.#apply(ordered, groups);
      return;
    }
    this.#ordering = true;
    const settled = ordered.map((o, i) =>
      Promise.resolve(o).catch((err: unknown) => {
        this.#failed(err);
        return groups[i]!;
      }),
    );
    void Promise.all(settled).then((result) => this.#apply(result, groups));
  }

  #apply(ordered: unknown[], groups: Candidate[][]): void {
    this.#ordering = false;
    if (this.#closed) return;
    const result: Candidate[] = [];
    groups.forEach((input, i) => {
      const remaining = new Map(input.filter((c) => !this.#tried.has(keyOf(c))).map((c) => [c.address, c]));
      const order = ordered[i];
      for (const item of Array.isArray(order) ? (order as unknown[]) : []) {
        const candidate = remaining.get((item as Partial<Candidate> | undefined)?.address as string);
        if (candidate === undefined) continue;
        remaining.delete(candidate.address);
        result.push(candidate);
      }
      result.push(...remaining.values());
    });
    this.#untried = result;
    if (this.#stale) {
      this.#stale = false;
      this.#merge();
    } else this.#changed();
  }
}

/** An address once per port: the same address at two endpoints' ports is two candidates. */
function keyOf(candidate: Candidate): string {
  return candidate.port === undefined ? candidate.address : `${candidate.address}|${candidate.port}`;
}

/** Candidates by endpoint group, lowest rank first; the origin's own addresses (no endpoint) last. */
function groupsOf(candidates: Candidate[]): Candidate[][] {
  if (candidates.every((c) => c.endpoint === undefined)) return [candidates];
  const byRank = new Map<number, Candidate[]>();
  for (const c of candidates) {
    const rank = c.endpoint?.group ?? Infinity;
    let group = byRank.get(rank);
    if (!group) byRank.set(rank, (group = []));
    group.push(c);
  }
  return [...byRank.keys()].sort((a, b) => a - b).map((rank) => byRank.get(rank)!);
}
