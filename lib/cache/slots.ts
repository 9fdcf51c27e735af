/**
 * A cap on concurrent upstream fetches with a bounded FIFO queue behind it.
 *
 * Every queued job waits the same `queueTimeout`, so deadlines come in queue order and
 * one timer, armed for the head, serves the whole queue: no timer per waiter.
 */
import type { Clock, TimerHandle } from '../clock.js';

interface Job {
  readonly deadline: number;
  readonly start: () => void;
  readonly expire: () => void;
}

export class UpstreamSlots {
  readonly #clock: Clock;
  readonly #max: number;
  readonly #maxQueued: number;
  readonly #timeout: number;
  readonly #queue = new Set<Job>();
  #timer: TimerHandle | undefined;
  running = 0;

  constructor(clock: Clock, maxInFlight: number, maxQueued: number, queueTimeout: number) {
    this.#clock = clock;
    this.#max = maxInFlight;
    this.#maxQueued = maxQueued;
    this.#timeout = queueTimeout;
  }

  get queued(): number {
    return this.#queue.size;
  }

  /**
   * Runs `start` now if a slot is free, else queues it; `expire` runs instead when the
   * wait passes queueTimeout. Returns false (and calls neither) when the queue is full.
   */
  acquire(start: () => void, expire: () => void): boolean {
    if (this.running < this.#max) {
      this.running++;
      start();
      return true;
    }
    if (this.#queue.size >= this.#maxQueued) return false;
    this.#queue.add({ deadline: this.#clock.now() + this.#timeout, start, expire });
    this.#arm();
    return true;
  }

  /** Frees the slot of a finished fetch and hands it to the head of the queue. */
  release(): void {
    this.running--;
    const head = this.#shift();
    if (head) {
      this.running++;
      head.start();
    }
  }

  /** Drops the queue (its jobs neither start nor expire) and the timer. */
  close(): void {
    this.#queue.clear();
    this.#disarm();
  }

  #shift(): Job | undefined {
    const head = this.#queue.values().next();
    if (head.done) return undefined;
    this.#queue.delete(head.value);
    if (this.#queue.size === 0) this.#disarm();
    return head.value;
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    const head = this.#queue.values().next().value as Job;
    // Kept referenced: a caller awaits its outcome, so it must not let the process exit first.
    this.#timer = this.#clock.setTimeout(() => this.#expireDue(), head.deadline - this.#clock.now());
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #expireDue(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    for (const job of this.#queue) {
      if (job.deadline > now) break;
      this.#queue.delete(job);
      job.expire();
    }
    if (this.#queue.size > 0) this.#arm();
  }
}
