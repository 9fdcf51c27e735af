/**
 * A process-wide bound on connection attempts being started, shared by every race.
 *
 * A race takes a slot to start an attempt and holds it while that attempt is young: until
 * it connects (TLS: handshake done), fails, is abandoned, or the race's attempt timer
 * fires for it (RFC 8305 §5: after `connectionAttemptDelay` the race moves on anyway).
 * So a race holds at most one slot, and an address that hangs (a black-holed IPv6 path)
 * cannot hold slots that the rest of the process needs: no race waits on another's hang.
 *
 * Attempts beyond the bound wait, FIFO, in two lines: the next attempts of races already
 * under way first, then the first attempts of new races. Finishing a race frees its open
 * sockets; starting a new one only adds to them, so under a burst of 10,000 connects the
 * number of open sockets stays near twice the bound.
 *
 * A waiting attempt has not started: the race's attempt timer runs from its real start,
 * so the RFC 8305 spacing holds; a cancelled race leaves the line at once.
 */
import { InvalidArgumentError } from '../errors.js';

/**
 * Chromium's whole-browser socket pool limit, and below Node's default listen backlog
 * (511): a burst of connects to one local server loses no SYN to a full accept queue.
 * docs/hardening.md has the measurement.
 */
export const DEFAULT_MAX_CONCURRENT_ATTEMPTS = 256;

type TicketState = 'waiting' | 'held' | 'done';

/** One attempt's claim on a slot. */
export class SlotTicket {
  #state: TicketState;
  readonly #slots: AttemptSlots;
  /** Called once when a waiting ticket is granted. */
  readonly onGranted: () => void;

  constructor(slots: AttemptSlots, state: TicketState, onGranted: () => void) {
    this.#slots = slots;
    this.#state = state;
    this.onGranted = onGranted;
  }

  get state(): TicketState {
    return this.#state;
  }

  /** Held: frees the slot. Waiting: leaves the line. Idempotent. */
  release(): void {
    const was = this.#state;
    this.#state = 'done';
    if (was !== 'done') this.#slots.released(this, was);
  }

  /**
   * @internal The slot is this ticket's now; `onGranted` runs on a later tick, never
   * inside the release that freed the slot (another race's socket code), and not at all
   * if the ticket is released first.
   */
  grant(): void {
    this.#state = 'held';
    process.nextTick(() => this.#state === 'held' && this.onGranted());
  }
}

export class AttemptSlots {
  #limit: number;
  #held = 0;
  /** Next attempts of races under way, then first attempts of new races; Sets keep insertion order. */
  readonly #followUps = new Set<SlotTicket>();
  readonly #newRaces = new Set<SlotTicket>();

  constructor(limit = DEFAULT_MAX_CONCURRENT_ATTEMPTS) {
    this.#limit = checkLimit(limit);
  }

  get limit(): number {
    return this.#limit;
  }

  /** A higher bound lets waiting attempts start at once; a lower one lets held slots drain. */
  set limit(limit: number) {
    this.#limit = checkLimit(limit);
    this.#grantWaiting();
  }

  /** Slots held now. */
  get held(): number {
    return this.#held;
  }

  get waiting(): number {
    return this.#followUps.size + this.#newRaces.size;
  }

  /**
   * A slot for one attempt: the ticket is 'held' at once if a slot is free and nobody
   * waits, else 'waiting', and `onGranted` is called when its turn comes (on the tick
   * after the `release` that freed the slot). `followUp`: the race has started before.
   */
  request(onGranted: () => void, followUp: boolean): SlotTicket {
    if (this.#held < this.#limit && this.waiting === 0) {
      this.#held++;
      return new SlotTicket(this, 'held', onGranted);
    }
    const ticket = new SlotTicket(this, 'waiting', onGranted);
    (followUp ? this.#followUps : this.#newRaces).add(ticket);
    return ticket;
  }

  /** @internal From SlotTicket#release. */
  released(ticket: SlotTicket, was: 'waiting' | 'held'): void {
    if (was === 'waiting') {
      this.#followUps.delete(ticket) || this.#newRaces.delete(ticket);
      return;
    }
    this.#held--;
    this.#grantWaiting();
  }

  #grantWaiting(): void {
    while (this.#held < this.#limit) {
      const next = first(this.#followUps) ?? first(this.#newRaces);
      if (next === undefined) return;
      this.#followUps.delete(next) || this.#newRaces.delete(next);
      this.#held++;
      next.grant();
    }
  }
}

function first(set: Set<SlotTicket>): SlotTicket | undefined {
  for (const ticket of set) return ticket;
  return undefined;
}

function checkLimit(limit: unknown): number {
  const ok = limit === Number.POSITIVE_INFINITY || (Number.isSafeInteger(limit) && (limit as number) >= 1);
  if (!ok) throw new InvalidArgumentError('maxConcurrentAttempts', limit, 'an integer of at least 1, or Infinity');
  return limit as number;
}

/** The bound every race shares unless given its own (tests do). */
export const sharedAttemptSlots = new AttemptSlots();

/**
 * Sets the process-wide bound on connection attempts being started at once (default
 * 256; `Infinity` turns it off). Returns the previous bound. Attempts already running
 * keep their slots; waiting ones start as soon as the new bound allows.
 */
export function setMaxConcurrentAttempts(limit: number): number {
  const previous = sharedAttemptSlots.limit;
  sharedAttemptSlots.limit = limit;
  return previous;
}
