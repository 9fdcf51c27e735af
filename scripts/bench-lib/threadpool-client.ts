/**
 * The measuring side of bench-threadpool: in its own process, starts `lookups` lookups
 * of distinct names (nothing to coalesce) against a DNS server that answers late, then
 * times sequential `fs.readFile`s of a small file while they wait, then one more lookup
 * of a name the server answers at once. `dns.lookup` runs only after the resolv.conf
 * check (the process is in a mount namespace whose resolv.conf names the fake server).
 */
import dns from 'node:dns';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Resolver } from '../../lib/resolver.js';
import type { SystemLookup } from '../../lib/system/system-backend.js';
import { send } from './child.js';
import { assertOwnResolvConf } from './namespace.js';
import { waitUntil, within } from './timing.js';

/**
 * `happy-eyeballs-wide`: cache `maxInFlight` raised so every query goes out at once (default 256).
 * `happy-eyeballs-system`: `backend: 'system'`, getaddrinfo behind the library's bound (2 at once, FIFO).
 */
export type Mode = 'baseline' | 'happy-eyeballs' | 'happy-eyeballs-wide' | 'happy-eyeballs-system' | 'dns.lookup';

/** Enough upstream slots for every query of the run (2 per lookup). */
const WIDE_IN_FLIGHT = 4096;

export interface ClientConfig {
  mode: Mode;
  /** `127.0.0.x:53` */
  nameserver: string;
  resolvConfText: string;
  /** Lookups go to `n<i>.<domain>`; `fresh.<domain>` is answered at once. */
  domain: string;
  zone: string;
  file: string;
  lookups: number;
  reads: number;
  /** Then `bursts` times, `burstSize` reads at once (timed per burst). */
  bursts: number;
  burstSize: number;
  /** Milliseconds the reads may take in all; a read still running then is cut (censored). */
  windowMs: number;
  freshBoundMs: number;
  /** Milliseconds to wait for the lookups to finish once the parent stops delaying. */
  drainMs: number;
}

export interface ClientReport {
  mode: Mode;
  threadpoolSize: string;
  /** Milliseconds per read; with `censored`, the last one is a lower bound. */
  reads: number[];
  censored: boolean;
  /** Milliseconds per burst of parallel reads; with `burstsCensored`, the last one is a lower bound. */
  bursts: number[];
  burstsCensored: boolean;
  /** Lookups not yet settled when the reads (and bursts) ended. */
  pendingAfterReads: number;
  /** Milliseconds for the extra lookup, or the bound it hit (`freshAnswered` false). */
  freshMs?: number;
  freshAnswered?: boolean;
  /** Its error code when it failed within the bound. */
  freshError?: string;
  /** Lookups that had failed by report time, by error code. */
  errors: Record<string, number>;
  /** System backend: getaddrinfo calls started by report time, and whether in the order asked (FIFO). */
  systemStarted?: number;
  systemInOrder?: boolean;
}

type Lookup = (name: string, done: (err: NodeJS.ErrnoException | null) => void) => void;

interface Client {
  lookup: Lookup | undefined;
  /** Names getaddrinfo was called for, in call order (system backend). */
  started?: string[];
  /** Ends the lookups still pending (ours) or waits for them (getaddrinfo cannot be cancelled). */
  finish(settled: () => boolean): Promise<void>;
}

function clientFor(cfg: ClientConfig): Client {
  if (cfg.mode === 'baseline') return { lookup: undefined, finish: async () => {} };
  if (cfg.mode === 'dns.lookup') {
    // Before the first getaddrinfo: resolv.conf must be ours (else this throws and the process ends).
    assertOwnResolvConf(cfg.resolvConfText, cfg.zone);
    return {
      lookup: (name, done) => dns.lookup(name, { all: true }, (err) => done(err)),
      finish: async (settled) => void (await waitUntil(settled, cfg.drainMs)),
    };
  }
  if (cfg.mode === 'happy-eyeballs-system') {
    assertOwnResolvConf(cfg.resolvConfText, cfg.zone);
    const started: string[] = [];
    const systemLookup: SystemLookup = (name, options, callback) => {
      started.push(name);
      dns.lookup(name, options, callback as never);
    };
    const resolver = new Resolver({ backend: 'system', systemLookup, resolvConf: false });
    return {
      lookup: (name, done) => resolver.lookup(name, { all: true }, (err) => done(err)),
      started,
      finish: async () => resolver.close(),
    };
  }
  const cache = cfg.mode === 'happy-eyeballs-wide' ? { maxInFlight: WIDE_IN_FLIGHT } : {};
  const resolver = new Resolver({ servers: [cfg.nameserver], resolvConf: false, timeout: 5000, attempts: 1, cache });
  return {
    lookup: (name, done) => resolver.lookup(name, { all: true }, (err) => done(err)),
    finish: async () => resolver.close(),
  };
}

function readOnce(file: string): Promise<void> {
  return new Promise((resolve, reject) => fs.readFile(file, (err) => (err ? reject(err) : resolve())));
}

/** Up to `count` sequential reads within `windowMs`; a read cut by the window counts as its elapsed time. */
async function timedReads(file: string, count: number, windowMs: number): Promise<{ samples: number[]; censored: boolean }> {
  const end = performance.now() + windowMs;
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const left = end - performance.now();
    if (left <= 0) return { samples, censored: true };
    const read = await within(readOnce(file), left);
    samples.push(read.ms);
    if (read.error) throw read.error;
    if (!read.done) return { samples, censored: true };
  }
  return { samples, censored: false };
}

/** `count` bursts of `size` reads started together, each timed to its last read, all within `windowMs`. */
async function timedBursts(file: string, count: number, size: number, windowMs: number): Promise<{ samples: number[]; censored: boolean }> {
  const end = performance.now() + windowMs;
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const left = end - performance.now();
    if (left <= 0) return { samples, censored: true };
    const burst = await within(Promise.all(Array.from({ length: size }, () => readOnce(file))), left);
    samples.push(burst.ms);
    if (burst.error) throw burst.error;
    if (!burst.done) return { samples, censored: true };
  }
  return { samples, censored: false };
}

export async function runClient(cfg: ClientConfig): Promise<void> {
  const client = clientFor(cfg);
  for (let i = 0; i < 5; i++) await readOnce(cfg.file); // warm the file and fs paths
  let settled = 0;
  const errors: Record<string, number> = {};
  const lookups = client.lookup ? cfg.lookups : 0;
  for (let i = 0; i < lookups; i++) {
    client.lookup!(`n${i}.${cfg.domain}`, (err) => {
      settled++;
      if (err) errors[String(err.code)] = (errors[String(err.code)] ?? 0) + 1;
    });
  }
  await sleep(100); // queries out, threads blocked
  const { samples, censored } = await timedReads(cfg.file, cfg.reads, cfg.windowMs);
  const bursts = censored ? { samples: [], censored: true } : await timedBursts(cfg.file, cfg.bursts, cfg.burstSize, cfg.windowMs);
  const report: ClientReport = {
    mode: cfg.mode,
    threadpoolSize: process.env.UV_THREADPOOL_SIZE ?? 'unset (4)',
    reads: samples,
    censored,
    bursts: bursts.samples,
    burstsCensored: bursts.censored,
    pendingAfterReads: lookups - settled,
    errors,
  };
  if (client.lookup) {
    const lookup = client.lookup;
    const fresh = await within(
      new Promise<void>((resolve, reject) => lookup(`fresh.${cfg.domain}`, (err) => (err ? reject(err) : resolve()))),
      cfg.freshBoundMs,
    );
    report.freshMs = fresh.ms;
    report.freshAnswered = fresh.done && !fresh.error;
    if (fresh.error) report.freshError = String((fresh.error as NodeJS.ErrnoException).code);
  }
  if (client.started) {
    // Lookups start in the order the names were asked (those that expired in the queue
    // never start); the extra one after all of them.
    const order = client.started.map((name) => (name.startsWith('fresh.') ? cfg.lookups : Number(/^n(\d+)\./.exec(name)?.[1] ?? NaN)));
    report.systemStarted = order.length;
    report.systemInOrder = order.every((n, i) => i === 0 || n >= order[i - 1]!);
  }
  send('report', report);
  await client.finish(() => settled === lookups);
  process.exit(0); // a read or lookup still stuck in the threadpool must not keep us alive
}
