/**
 * The RFC 8305 §5 scheduler. Attempts start one at a time, every
 * `connectionAttemptDelay` ms (R12), without stopping earlier ones (R11); the next one
 * starts at once when the latest fails (R17); the first success wins and everything
 * else is torn down (R15). Time comes from an injected clock and sockets from an
 * injected factory, so every scenario runs deterministically in tests.
 *
 * TLS timer extension (HEv3 V5): when the attempt timer fires while some running
 * attempt has TCP connected and its TLS handshake still in progress, and that attempt
 * has not postponed the timer before, the next start is postponed by one more
 * `connectionAttemptDelay` (all such attempts use up their postponement together).
 * So each attempt delays the schedule at most once, by at most one delay; a TLS
 * failure still starts the next attempt at once (R17).
 *
 * Starting an attempt takes a slot from a process-wide bound (attempt-slots.ts). When none
 * is free the race waits for one with no attempt timer running: the attempt starts, and
 * its `connectionAttemptDelay` counts, when the slot comes.
 */
import { CancelError } from 'p-cancelable';
import type { Clock, TimerHandle } from '../clock.js';
import type { AddressResolver } from '../dns/types.js';
import { AbortError, AllAttemptsFailedError, AttemptError, TimeoutError } from '../errors.js';
import type { Attempt, AttemptFactory } from './attempt.js';
import { type AttemptSlots, type SlotTicket, sharedAttemptSlots } from './attempt-slots.js';
import { type Candidate, CandidateFeed } from './candidates.js';
import { CandidateQueue, type OrderFunction } from './queue.js';
import { autoAttemptDelay, type RaceHistory } from './race-history.js';
import type { RaceNat64 } from './synthesis.js';
import { type AbandonReason, type AttemptInfo, type Family, Timeline, type RaceEvent } from './timeline.js';

export interface RaceOptions<S> {
  /** Host name or IP literal: what is resolved, and what errors name. */
  host: string;
  port: number;
  /** Families to resolve, IPv6 first. */
  families: readonly Family[];
  resolver: AddressResolver;
  resolutionDelay: number;
  /** Ms between attempt starts, or `'auto'`: from the history's RTT of the address just tried (race-history.ts). */
  connectionAttemptDelay: number | 'auto';
  /** The connection history this race reads and writes (RFC 8305 §4); none when undefined. */
  history?: RaceHistory | undefined;
  /** NAT64 synthesis on IPv6-only networks (RFC 8305 §7, synthesis.ts); none when undefined. */
  nat64?: RaceNat64 | undefined;
  /** Whole-race limit in ms; none when undefined. */
  timeout?: number | undefined;
  signal?: AbortSignal | undefined;
  order: OrderFunction;
  createAttempt: AttemptFactory<S>;
  clock: Clock;
  onEvent?: ((event: RaceEvent) => void) | undefined;
  /** The bound on attempts being started. @default the process-wide one */
  slots?: AttemptSlots | undefined;
}

export interface RaceResult<S> {
  socket: S;
  winner: AttemptInfo;
  /** `address:port` of every attempt, in start order (Node's `autoSelectFamilyAttemptedAddresses`). */
  attemptedAddresses: string[];
}

/** Called synchronously when the race ends, so a winner is never left unowned. */
export interface RaceHandlers<S> {
  resolve(result: RaceResult<S>): void;
  reject(error: unknown): void;
}

export interface RaceControl {
  /** Sends the DNS queries and begins; settles synchronously if the signal is already aborted. */
  start(): void;
  /** Ends the race with a CancelError, leaving no socket, timer or query behind. No-op once ended. */
  cancel(): void;
}

interface Running<S> {
  info: AttemptInfo;
  startedAt: number;
  attempt: Attempt<S>;
  /** Held until the attempt ends or its attempt timer fires. */
  slot: SlotTicket;
  /** The Connection Attempt Delay that follows this attempt's start. */
  delay: number;
  /** The attempt timer fired while it ran: the race moved on without an answer from it. */
  overdue: boolean;
  /** Clock time TCP came up (TLS races), for the handshake RTT. */
  tcpAt: number | undefined;
  tcpUp: boolean;
  extended: boolean;
  settled: boolean;
}

export function createRace<S>(options: RaceOptions<S>, handlers: RaceHandlers<S>): RaceControl {
  const race = new Race(options, handlers);
  return { start: () => race.start(), cancel: () => race.end('cancelled') };
}

class Race<S> {
  readonly #o: RaceOptions<S>;
  readonly #handlers: RaceHandlers<S>;
  readonly #timeline: Timeline;
  readonly #feed: CandidateFeed;
  readonly #queue: CandidateQueue;
  readonly #running = new Set<Running<S>>();
  readonly #failures: AttemptError[] = [];
  readonly #attempted: string[] = [];
  readonly #slots: AttemptSlots;
  /** A slot asked for and not yet granted: no attempt starts meanwhile. */
  #waiting: SlotTicket | undefined;
  #latest: Running<S> | undefined;
  #attemptTimer: TimerHandle | undefined;
  #timeoutTimer: TimerHandle | undefined;
  #done = false;

  constructor(options: RaceOptions<S>, handlers: RaceHandlers<S>) {
    this.#o = options;
    this.#handlers = handlers;
    this.#slots = options.slots ?? sharedAttemptSlots;
    this.#timeline = new Timeline(options.clock, options.host, options.port, options.onEvent);
    const { host, families, resolver, resolutionDelay, clock, history, nat64 } = options;
    const demoted = history === undefined ? undefined : (address: string) => history.demoted(address);
    this.#feed = new CandidateFeed({ host, families, resolver, resolutionDelay, clock, timeline: this.#timeline, demoted, nat64 });
    this.#queue = new CandidateQueue(options.order, () => this.#pump());
  }

  start(): void {
    const { signal, timeout, clock } = this.#o;
    if (signal?.aborted) return this.end('aborted');
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    if (timeout !== undefined) this.#timeoutTimer = clock.setTimeout(() => this.end('timeout'), timeout);
    this.#feed.start({ addresses: (batch) => this.#queue.add(batch), settled: () => this.#pump() });
  }

  /** Ends the race without a winner. */
  end(outcome: 'cancelled' | 'aborted' | 'timeout'): void {
    if (this.#done) return;
    this.#tearDown(outcome);
    const error = this.#endError(outcome);
    this.#timeline.emit({ type: 'race:end', outcome, error });
    this.#handlers.reject(error);
  }

  #onAbort = (): void => this.end('aborted');

  /** Starts whatever may start now; ends the race when nothing is left to wait for. */
  #pump(): void {
    while (!this.#done && this.#attemptTimer === undefined && this.#waiting === undefined && this.#queue.ready) {
      const slot = this.#slots.request(this.#onSlot, this.#attempted.length > 0);
      if (slot.state === 'waiting') this.#waiting = slot;
      else this.#startAttempt(this.#queue.next()!, slot);
    }
    const idle = this.#running.size === 0 && this.#waiting === undefined && this.#queue.idle;
    if (!this.#done && idle && this.#feed.settled) this.#fail();
  }

  /**
   * The slot waited for came. The queue still holds an address: only this race takes from
   * it, and it waits rather than takes (a merge running meanwhile keeps the old list).
   */
  #onSlot = (): void => {
    const slot = this.#waiting!;
    this.#waiting = undefined;
    this.#startAttempt(this.#queue.next()!, slot);
    this.#pump();
  };

  #startAttempt(candidate: Candidate, slot: SlotTicket): void {
    const { port, clock, createAttempt } = this.#o;
    const info: AttemptInfo = { attempt: this.#attempted.length + 1, address: candidate.address, family: candidate.family, port };
    const startedAt = clock.now();
    this.#attempted.push(`${info.address}:${port}`);
    const moved = this.#o.history?.moved(info.address);
    this.#timeline.emit(moved === undefined ? { type: 'attempt:start', ...info } : { type: 'attempt:start', ...info, history: moved });
    let run: Running<S> | undefined;
    // A callback made from inside the factory call waits until the call has returned.
    const when = (step: (run: Running<S>) => void) => (): void => {
      if (run !== undefined) step(run);
      else queueMicrotask(() => run !== undefined && step(run));
    };
    let attempt: Attempt<S>;
    try {
      attempt = createAttempt(
        { address: info.address, family: info.family, port },
        {
          connected: when((r) => this.#connected(r)),
          succeeded: when((r) => this.#succeeded(r)),
          failed: (error, phase) => when((r) => this.#failed(r, error, phase))(),
        },
      );
    } catch (err) {
      // Counted as this attempt's failure; #pump's loop goes on to the next address (R17).
      slot.release();
      this.#recordFailure(info, startedAt, err, 'tcp');
      return;
    }
    run = { info, startedAt, attempt, slot, delay: this.#delayFor(info.address), overdue: false, tcpAt: undefined, tcpUp: false, extended: false, settled: false };
    this.#running.add(run);
    this.#latest = run;
    this.#armAttemptTimer();
    if (!this.#queue.ready) this.#feed.lastAttemptStarted();
  }

  /** R12: the fixed delay, or with `'auto'` one from the address's measured RTT (race-history.ts). */
  #delayFor(address: string): number {
    const { connectionAttemptDelay: setting, history } = this.#o;
    if (history !== undefined) return history.attemptDelay(address, setting);
    return setting === 'auto' ? autoAttemptDelay(undefined) : setting;
  }

  #armAttemptTimer(): void {
    const { clock } = this.#o;
    this.#attemptTimer = clock.setTimeout(() => this.#attemptTimerFired(), this.#latest!.delay);
  }

  #attemptTimerFired(): void {
    this.#attemptTimer = undefined;
    // The race moves on from its latest attempt, and so does the bound (attempt-slots.ts).
    this.#latest!.slot.release();
    for (const run of this.#running) if (!run.tcpUp) run.overdue = true;
    const inTls = [...this.#running].filter((run) => run.tcpUp && !run.extended);
    if (inTls.length > 0) {
      for (const run of inTls) run.extended = true;
      const attempts = inTls.map((run) => run.info.attempt);
      this.#timeline.emit({ type: 'attempt:delay-extended', attempts, delay: this.#latest!.delay });
      this.#armAttemptTimer();
      return;
    }
    this.#pump();
  }

  #connected(run: Running<S>): void {
    if (run.settled || this.#done) return;
    run.tcpUp = true;
    run.tcpAt = this.#o.clock.now();
    this.#timeline.emit({ type: 'attempt:connected', ...run.info });
  }

  #succeeded(run: Running<S>): void {
    if (run.settled || this.#done) return;
    run.settled = true;
    this.#running.delete(run);
    run.slot.release();
    const { attempt } = run;
    attempt.detach();
    // The handshake RTT: to TCP up (a TLS race's handshake is the server's time too).
    this.#o.history?.record(run.info.address, 'connected', (run.tcpAt ?? this.#o.clock.now()) - run.startedAt);
    this.#timeline.emit({ type: 'attempt:success', ...run.info });
    this.#tearDown('lost');
    this.#timeline.emit({ type: 'race:end', outcome: 'connected', winner: run.info });
    this.#handlers.resolve({ socket: attempt.socket, winner: run.info, attemptedAddresses: [...this.#attempted] });
  }

  #failed(run: Running<S>, error: unknown, phase: 'tcp' | 'tls'): void {
    if (run.settled || this.#done) return;
    run.settled = true;
    this.#running.delete(run);
    run.attempt.destroy();
    run.slot.release();
    // A TLS failure says nothing of the path, which carried the TCP handshake.
    if (phase === 'tcp') this.#o.history?.record(run.info.address, 'failed');
    this.#recordFailure(run.info, run.startedAt, error, phase);
    // R17: the latest attempt failed, so its successor need not wait for the timer.
    if (run === this.#latest) this.#clearAttemptTimer();
    this.#pump();
  }

  #recordFailure(info: AttemptInfo, startedAt: number, error: unknown, phase: 'tcp' | 'tls'): void {
    const failure = new AttemptError({ ...info, durationMs: this.#o.clock.now() - startedAt, phase }, error);
    this.#failures.push(failure);
    this.#timeline.emit({ type: 'attempt:failure', ...info, error: failure });
  }

  /** Nothing left to try or wait for: a DNS error if no address came, else every attempt's error. */
  #fail(): void {
    const { host, port } = this.#o;
    const error = this.#attempted.length === 0 ? this.#feed.failure() : new AllAttemptsFailedError(host, port, this.#failures);
    this.#tearDown('lost');
    this.#timeline.emit({ type: 'race:end', outcome: 'failed', error });
    this.#handlers.reject(error);
  }

  /** R15/R16: stop every other attempt, drop untried addresses, release DNS waits and timers. */
  #tearDown(reason: AbandonReason): void {
    this.#done = true;
    this.#clearAttemptTimer();
    if (this.#timeoutTimer !== undefined) this.#o.clock.clearTimeout(this.#timeoutTimer);
    this.#o.signal?.removeEventListener('abort', this.#onAbort);
    this.#feed.close();
    this.#queue.close();
    this.#waiting?.release();
    this.#waiting = undefined;
    for (const run of this.#running) {
      run.settled = true;
      run.attempt.destroy();
      run.slot.release();
      // No answer while the race moved on, or none before the race's deadline: a black hole.
      if (!run.tcpUp && ((reason === 'lost' && run.overdue) || reason === 'timeout')) this.#o.history?.record(run.info.address, 'black-holed');
      this.#timeline.emit({ type: 'attempt:abandoned', ...run.info, reason });
    }
    this.#running.clear();
  }

  #clearAttemptTimer(): void {
    if (this.#attemptTimer === undefined) return;
    this.#o.clock.clearTimeout(this.#attemptTimer);
    this.#attemptTimer = undefined;
  }

  #endError(outcome: 'cancelled' | 'aborted' | 'timeout'): Error {
    const { host, port, timeout, signal } = this.#o;
    if (outcome === 'cancelled') return new CancelError();
    if (outcome === 'aborted') return new AbortError(signal?.reason);
    const cause = this.#failures.length > 0 ? new AllAttemptsFailedError(host, port, this.#failures) : undefined;
    return new TimeoutError(`connect to ${host}:${port}`, timeout as number, cause);
  }
}
