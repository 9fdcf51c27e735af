/**
 * The process's bound on getaddrinfo calls. `dns.lookup` runs getaddrinfo on the libuv
 * threadpool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which file I/O,
 * crypto and zlib share; a lookup that waits seconds for a DNS timeout holds its thread
 * that long. So at most `max` lookups run at once, whatever Resolver asked them, and the
 * rest wait in one first-in, first-out queue: the other threads stay free for file I/O.
 */

export interface PoolJob {
  /** Called when the job gets a slot; the job calls `release()` when its lookup ends. */
  start(): void;
}

/** Lookups on the threadpool at once, by default. */
const DEFAULT_MAX_SYSTEM_LOOKUPS = 2;

export class SystemLookupPool {
  readonly #queue = new Set<PoolJob>();
  readonly #max: number;
  running = 0;

  constructor(max = DEFAULT_MAX_SYSTEM_LOOKUPS) {
    this.#max = max;
  }

  get max(): number {
    return this.#max;
  }

  get queued(): number {
    return this.#queue.size;
  }

  /** Starts `job` now if a slot is free, else queues it behind every job already waiting. */
  acquire(job: PoolJob): void {
    if (this.running < this.#max && this.#queue.size === 0) {
      this.running++;
      job.start();
    } else {
      this.#queue.add(job);
    }
  }

  /** Takes a job out of the queue before it started; false when it was not queued. */
  cancel(job: PoolJob): boolean {
    return this.#queue.delete(job);
  }

  /** Frees the slot of a finished lookup and hands it to the head of the queue. */
  release(): void {
    this.running--;
    const head = this.#queue.values().next();
    if (head.done) return;
    this.#queue.delete(head.value);
    this.running++;
    head.value.start();
  }
}

/** The one pool of this process: the threadpool is per process. */
export const processSystemPool = new SystemLookupPool();
