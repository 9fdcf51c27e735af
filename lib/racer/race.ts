/**
 * The RFC 8305 §5 scheduler. Attempts start one at a time, every
 * `connectionAttemptDelay` ms, without stopping earlier ones; the next one starts at
 * once when the latest fails (not in the RFC's text, but what every major implementation
 * does); the first success wins and everything else is torn down. Time comes from an injected clock and sockets from an
 * injected factory, so every scenario runs deterministically in tests.
 *
 * TLS timer extension (Happy Eyeballs v3, draft-ietf-happy-happyeyeballs-v3): when the attempt timer fires while some running
 * attempt has TCP connected and its TLS handshake still in progress, and that attempt
 * has not postponed the timer before, the next start is postponed by one more
 * `connectionAttemptDelay` (all such attempts use up their postponement together).
 * So each attempt delays the schedule at most once, by at most one delay; a TLS
 * failure still starts the next attempt at once.
 *
 * An address the `policy` refuses is blocked where it would become an attempt, on the exact
 * address the socket would connect to, whatever its origin (DNS, hosts file, literal,
 * cache): no attempt starts, no attempt delay is spent, the next address goes at once.
 *
 * Starting an attempt takes a slot from a process-wide bound (attempt-slots.ts). When none
 * is free the race waits for one with no attempt timer running: the attempt starts, and
 * its `connectionAttemptDelay` counts, when the slot comes.
 */
import type { Clock, TimerHandle } from '../clock.js';
import type { AddressResolver } from '../dns/types.js';
import { AbortError, AddressBlockedError, AllAttemptsFailedError, AttemptError, CancelError, TimeoutError } from '../errors.js';
import type { Attempt, AttemptFactory } from './attempt.js';
import { type AttemptSlots, type SlotTicket, sharedAttemptSlots } from './attempt-slots.js';
import type { Candidate, Family, OrderFunction } from '../address/types.js';
import { CandidateFeed } from './candidates.js';
import { CandidateQueue } from './queue.js';
import { autoAttemptDelay, type RaceHistory } from './race-history.js';
import type { RaceNat64 } from './synthesis.js';
import { attemptEndpoint } from './attempt-endpoint.js';
import { ServiceFeed } from './service-feed.js';
import { type AbandonReason, type AttemptInfo, Timeline, type RaceEvent } from './timeline.js';

/** What one race runs with (connect() builds it from its checked options). */
export interface RaceConfig<S> {
  /** Host name or IP literal: what is resolved, and what errors name. */
  host: string;
  port: number;
  /** Families to resolve, IPv6 first. */
  families: readonly Family[];
  /** The family whose answer the other one waits the Resolution Delay for. @default IPv6 */
  preferredFamily?: (() => Family) | undefined;
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
  connectAttempt: AttemptFactory<S>;
  clock: Clock;
  onEvent?: ((event: RaceEvent) => void) | undefined;
  /** The bound on attempts being started. @default the process-wide one */
  slots?: AttemptSlots | undefined;
  /**
   * Happy Eyeballs v3: ask the HTTPS record too and let it steer the race (service-feed.ts).
   * `alpn`: the protocols the TLS attempts offer, most preferred first. @default off
   */
  https?: { alpn: readonly string[] } | undefined;
  /**
   * Asked right before each attempt would start; `false` blocks the address. A NAT64
   * synthesis comes with the IPv4 address it was made from. @default every address allowed
   */
  policy?: ((address: string, family: Family, synthesizedFrom?: string) => boolean) | undefined;
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

export function createRace<S>(options: RaceConfig<S>, handlers: RaceHandlers<S>): RaceControl {
  const race = new Race(options, handlers);
  return { start: () => race.start(), cancel: () => race.end('cancelled') };
}

class Race<S> {
  readonly #o: RaceConfig<S>;
  readonly #handlers: RaceHandlers<S>;
  readonly #timeline: Timeline;
  readonly #feed: CandidateFeed | ServiceFeed;
  readonly #queue: CandidateQueue;
  readonly #running = new Set<Running<S>>();
  readonly #failures: AttemptError[] = [];
  readonly #attempted: string[] = [];
  /** Addresses the policy blocked, in order. */
  readonly #blocked: string[] = [];
  readonly #slots: AttemptSlots;
  /** A slot asked for and not yet granted: no attempt starts meanwhile. */
  #waiting: SlotTicket | undefined;
  #latest: Running<S> | undefined;
  #attemptTimer: TimerHandle | undefined;
  #timeoutTimer: TimerHandle | undefined;
  #done = false;

  constructor(options: RaceConfig<S>, handlers: RaceHandlers<S>) {
    this.#o = options;
    this.#handlers = handlers;
    this.#slots = options.slots ?? sharedAttemptSlots;
    this.#timeline = new Timeline(options.clock, options.host, options.port, options.onEvent);
    const { host, port, families, preferredFamily, resolver, resolutionDelay, clock, https, history, nat64 } = options;
    const demoted = history === undefined ? undefined : (address: string) => history.demoted(address);
    const feed = { host, families, preferredFamily, resolver, resolutionDelay, clock, timeline: this.#timeline, demoted, nat64 };
    this.#feed = https ? new ServiceFeed({ ...feed, port, alpn: https.alpn }) : new CandidateFeed(feed);
    this.#queue = new CandidateQueue(
      options.order,
      () => this.#pump(),
      (error) => this.#orderFailed(error),
    );
  }

  start(): void {
    const { signal, timeout, clock } = this.#o;
    if (signal?.aborted) return this.end('aborted');
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    if (timeout !== undefined) this.#timeoutTimer = clock.setTimeout(() => this.end('timeout'), timeout);
    try {
      this.#feed.start({ addresses: (batch) => this.#queue.add(batch), candidates: (list) => this.#queue.replace(list), settled: () => this.#pump() });
    } catch (err) {
      // The queries may be out already (they leave first): release them, the timers and any
      // attempt, so nothing connects for a race whose caller gets this error.
      this.#tearDown('cancelled');
      throw err;
    }
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

  #startAttempt(next: Candidate, slot: SlotTicket): void {
    const candidate = this.#admit(next);
    if (candidate === undefined) slot.release();
    else this.#launch(candidate, slot);
    // Nothing else is ready: the NAT64 last resort (RFC 8305 §7.2) counts from this start,
    // or from this block when the policy refused every address left.
    if (!this.#queue.ready) this.#feed.lastAttemptStarted();
  }

  #launch(candidate: Candidate, slot: SlotTicket): void {
    const { clock, connectAttempt } = this.#o;
    // An HTTPS service endpoint may name its own port (RFC 9460 §7.2).
    const port = candidate.port ?? this.#o.port;
    const info: AttemptInfo = { attempt: this.#attempted.length + 1, address: candidate.address, family: candidate.family, port };
    if (candidate.endpoint) info.endpoint = attemptEndpoint(candidate.endpoint, candidate.hint === true);
    const startedAt = clock.now();
    this.#attempted.push(`${info.address}:${port}`);
    const moved = this.#o.history?.moved(info.address);
    if (this.#timeline.wants('attempt:start')) {
      this.#timeline.emit(moved === undefined ? { type: 'attempt:start', ...info } : { type: 'attempt:start', ...info, history: moved });
    }
    let run: Running<S> | undefined;
    // A callback made from inside the factory call waits until the call has returned.
    const when = (step: (run: Running<S>) => void) => (): void => {
      if (run !== undefined) step(run);
      else queueMicrotask(() => run !== undefined && step(run));
    };
    let attempt: Attempt<S>;
    try {
      attempt = connectAttempt(
        { address: info.address, family: info.family, port },
        {
          connected: when((r) => this.#connected(r)),
          succeeded: when((r) => this.#succeeded(r)),
          failed: (error, phase) => when((r) => this.#failed(r, error, phase))(),
        },
      );
    } catch (err) {
      // Counted as this attempt's failure; #pump's loop goes on to the next address at once.
      slot.release();
      this.#recordFailure(info, startedAt, err, 'tcp');
      return;
    }
    run = {
      info,
      startedAt,
      attempt,
      slot,
      delay: this.#delayFor(info.address),
      overdue: false,
      tcpAt: undefined,
      tcpUp: false,
      extended: false,
      settled: false,
    };
    this.#running.add(run);
    this.#latest = run;
    this.#armAttemptTimer();
  }

  /** RFC 8305 §5: the fixed delay, or with `'auto'` one from the address's measured RTT (race-history.ts). */
  #delayFor(address: string): number {
    const { connectionAttemptDelay: setting, history } = this.#o;
    if (history !== undefined) return history.attemptDelay(address, setting);
    return setting === 'auto' ? autoAttemptDelay(undefined) : setting;
  }

  /**
   * `candidate`, or the first address after it the policy allows; the ones it blocks are
   * dropped at no cost. A NAT64 synthesis is judged with the IPv4 address it was made from.
   */
  #admit(candidate: Candidate | undefined): Candidate | undefined {
    const { policy } = this.#o;
    while (candidate !== undefined && policy !== undefined && !policy(candidate.address, candidate.family, candidate.synthesizedFrom)) {
      // One address may come at two service endpoints' ports: the error names it once.
      if (!this.#blocked.includes(candidate.address)) this.#blocked.push(candidate.address);
      const port = candidate.port ?? this.#o.port;
      this.#timeline.emit({ type: 'attempt:blocked', address: candidate.address, family: candidate.family, port });
      candidate = this.#queue.next();
    }
    return candidate;
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
    if (this.#timeline.wants('attempt:connected')) this.#timeline.emit({ type: 'attempt:connected', ...run.info });
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
    if (this.#timeline.wants('attempt:success')) this.#timeline.emit({ type: 'attempt:success', ...run.info });
    this.#tearDown('lost', true);
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
    // The latest attempt failed, so its successor need not wait for the timer.
    if (run === this.#latest) this.#clearAttemptTimer();
    this.#pump();
  }

  #recordFailure(info: AttemptInfo, startedAt: number, error: unknown, phase: 'tcp' | 'tls'): void {
    const failure = new AttemptError({ ...info, durationMs: this.#o.clock.now() - startedAt, phase }, error);
    this.#failures.push(failure);
    this.#timeline.emit({ type: 'attempt:failure', ...info, error: failure });
  }

  /** The order function threw or rejected: a bug to surface, not to hide behind arrival order. */
  #orderFailed(error: unknown): void {
    if (this.#done) return;
    this.#tearDown('failed');
    this.#timeline.emit({ type: 'race:end', outcome: 'failed', error });
    this.#handlers.reject(error);
  }

  /** Nothing left to try or wait for: every attempt's error, else the blocked addresses, else a DNS error. */
  #fail(): void {
    const { host, port } = this.#o;
    const error =
      this.#attempted.length > 0
        ? new AllAttemptsFailedError(host, port, this.#failures, this.#blocked)
        : this.#blocked.length > 0
          ? new AddressBlockedError(host, this.#blocked, port)
          : this.#feed.failure();
    this.#tearDown('lost');
    this.#timeline.emit({ type: 'race:end', outcome: 'failed', error });
    this.#handlers.reject(error);
  }

  /** RFC 8305 §5: stop every other attempt, drop untried addresses, release DNS waits and timers. */
  #tearDown(reason: AbandonReason, won = false): void {
    this.#done = true;
    this.#clearAttemptTimer();
    if (this.#timeoutTimer !== undefined) this.#o.clock.clearTimeout(this.#timeoutTimer);
    this.#o.signal?.removeEventListener('abort', this.#onAbort);
    // A won race's queries are released once its socket is handed over (abort-spare.ts).
    this.#feed.close(won);
    this.#queue.close();
    this.#waiting?.release();
    this.#waiting = undefined;
    for (const run of this.#running) {
      run.settled = true;
      run.attempt.destroy();
      run.slot.release();
      // No answer while the race moved on, or none before the race's deadline: a black hole.
      if (!run.tcpUp && ((reason === 'lost' && run.overdue) || reason === 'timeout')) this.#o.history?.record(run.info.address, 'black-holed');
      if (this.#timeline.wants('attempt:abandoned')) this.#timeline.emit({ type: 'attempt:abandoned', ...run.info, reason });
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
    const cause =
      this.#failures.length > 0
        ? new AllAttemptsFailedError(host, port, this.#failures, this.#blocked)
        : this.#blocked.length > 0
          ? new AddressBlockedError(host, this.#blocked, port)
          : undefined;
    return new TimeoutError(`connect to ${host}:${port}`, timeout as number, cause);
  }
}
