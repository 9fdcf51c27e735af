/**
 * Which network the machine is on: the set of its non-loopback interface addresses.
 * What is learnt about a network must not outlive it: RFC 8305 §4 forbids sharing
 * connection history between networks, a NAT64 prefix (RFC 7050 §5) and the source
 * address the kernel picks (RFC 6724 §4) belong to the network too. The set is read at
 * most once per `checkIntervalMs`, when someone asks (no timer runs); whoever keys data
 * by the network registers `onChange` and drops it when the set changes.
 */
import { networkInterfaces } from 'node:os';
import { type Clock, systemClock } from '../clock.js';
import { InvalidArgumentError } from '../errors.js';

type Interfaces = ReturnType<typeof networkInterfaces>;

export interface NetworkMonitorOptions {
  /** Time source. @default systemClock */
  clock?: Clock;
  /** Reads the interfaces (tests inject a network). @default os.networkInterfaces */
  interfaces?: () => Interfaces;
  /** Milliseconds between two reads of the interfaces. @default 1000 */
  checkIntervalMs?: number;
}

export type NetworkChangeListener = (current: string, previous: string) => void;

/** The network's identity: its non-loopback addresses, sorted, with their prefix lengths. */
export function networkKey(interfaces: Interfaces): string {
  const addresses = new Set<string>();
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) if (!a.internal) addresses.add(a.cidr ?? a.address);
  }
  return [...addresses].sort().join(' ');
}

export class NetworkMonitor {
  readonly #clock: Clock;
  readonly #interfaces: () => Interfaces;
  readonly #interval: number;
  readonly #listeners = new Set<NetworkChangeListener>();
  #key: string | undefined;
  #last: Interfaces | undefined;
  #checkedAt = Number.NEGATIVE_INFINITY;

  constructor(options: NetworkMonitorOptions = {}) {
    const interval = options.checkIntervalMs ?? 1000;
    if (typeof interval !== 'number' || !(interval >= 0) || !Number.isFinite(interval)) {
      throw new InvalidArgumentError('checkIntervalMs', interval, 'a finite number of milliseconds >= 0');
    }
    this.#clock = options.clock ?? systemClock;
    this.#interfaces = options.interfaces ?? networkInterfaces;
    this.#interval = interval;
  }

  /** The current network's key; the interfaces are read again when the last read is older than the interval. */
  key(): string {
    const now = this.#clock.now();
    if (this.#key !== undefined && now - this.#checkedAt < this.#interval) return this.#key;
    this.#checkedAt = now;
    const previous = this.#key;
    const interfaces = this.#interfaces();
    const current = networkKey(interfaces);
    this.#last = interfaces;
    this.#key = current;
    if (previous !== undefined && previous !== current) {
      for (const listener of [...this.#listeners]) listener(current, previous);
    }
    return current;
  }

  /** The interfaces as last read, read again as `key()` would: the same object until a new read. */
  interfaces(): Interfaces {
    this.key();
    return this.#last!;
  }

  /** `listener(current, previous)` runs, synchronously inside `key()`, when a read finds a new network. Returns the unsubscribe function. */
  onChange(listener: NetworkChangeListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }
}

/** The process-wide monitor: one network per process, shared by everything keyed by it. */
export const defaultNetworkMonitor = new NetworkMonitor();
