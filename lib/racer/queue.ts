/**
 * The addresses not yet tried, in connection order. Each merge orders every address
 * known so far, tried ones included, then drops the tried ones: a late answer lands
 * where it would have been had it come first (RFC 8305 §3, §4), and an address is handed
 * out at most once.
 */
import type { Candidate, OrderFunction } from '../address/types.js';

export class CandidateQueue {
  readonly #order: OrderFunction;
  readonly #changed: () => void;
  readonly #failed: (error: unknown) => void;
  /** Every address seen, in arrival order. */
  readonly #known = new Map<string, Candidate>();
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
      if (this.#known.has(candidate.address)) continue;
      this.#known.set(candidate.address, candidate);
      added = true;
    }
    if (!added) return;
    if (this.#ordering) this.#stale = true;
    else this.#merge();
  }

  /** The next address to try; it leaves the queue for good. */
  next(): Candidate | undefined {
    const candidate = this.#untried.shift();
    if (candidate !== undefined) this.#tried.add(candidate.address);
    return candidate;
  }

  /** Drops every untried address (RFC 8305 §5) and ignores orderings still running. */
  close(): void {
    this.#closed = true;
    this.#untried = [];
  }

  #merge(): void {
    const input = [...this.#known.values()];
    let ordered: Candidate[] | Promise<Candidate[]>;
    try {
      ordered = input.length > 1 ? this.#order(input) : input;
    } catch (err) {
      this.#failed(err);
      ordered = input;
    }
    if (Array.isArray(ordered)) {
      this.#apply(ordered, input);
      return;
    }
    this.#ordering = true;
    Promise.resolve(ordered).then(
      (result) => this.#apply(result, input),
      (err: unknown) => {
        this.#failed(err);
        this.#apply(input, input);
      },
    );
  }

  #apply(ordered: unknown, input: Candidate[]): void {
    this.#ordering = false;
    if (this.#closed) return;
    const remaining = new Map(input.filter((c) => !this.#tried.has(c.address)).map((c) => [c.address, c]));
    const result: Candidate[] = [];
    for (const item of Array.isArray(ordered) ? (ordered as unknown[]) : []) {
      const candidate = remaining.get((item as Partial<Candidate> | undefined)?.address as string);
      if (candidate === undefined) continue;
      remaining.delete(candidate.address);
      result.push(candidate);
    }
    this.#untried = [...result, ...remaining.values()];
    if (this.#stale) {
      this.#stale = false;
      this.#merge();
    } else this.#changed();
  }
}
