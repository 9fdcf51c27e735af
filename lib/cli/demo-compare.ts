/**
 * The demo's side-by-side: time to a connected socket for each lab host with
 * happy-eyeballs' connect(), plain `net.connect` and Node's `autoSelectFamily`.
 * Node core is given a `lookup` that asks the lab's DNS server (never the system
 * resolver) and, as getaddrinfo does, answers only once both AAAA and A are in.
 */
import dns from 'node:dns';
import net from 'node:net';
import type { Clock, TimerHandle } from '../clock.js';
import { connect } from '../connect.js';
import { errorCode } from '../errors.js';
import { Resolver } from '../resolver.js';
import { reportError } from './probe-report.js';

export const CLIENTS = ['happy-eyeballs', 'net.connect', 'autoSelectFamily'] as const;
export type ClientName = (typeof CLIENTS)[number];

export interface Timing {
  /** The address that connected, or null. */
  address: string | null;
  /** Why not: the (first attempt's) error code, or TIMED_OUT. */
  error: string | null;
  ms: number;
}

/** The error of a client that did not connect within the demo's time limit. */
export const TIMED_OUT = 'TIMED_OUT';

type Callback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `dns.lookup` stand-in on the lab's server: AAAA and A through `dns.Resolver`,
 * IPv6 first (the order getaddrinfo gives ::1 and 127.0.0.1), called back once both
 * have settled.
 */
export function labLookup(nameserver: string): net.LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: Callback) => {
    const resolver = new dns.promises.Resolver({ timeout: 2_000, tries: 1 });
    resolver.setServers([nameserver]);
    void Promise.allSettled([resolver.resolve6(hostname), resolver.resolve4(hostname)]).then(([v6, v4]) => {
      const found = [
        ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
        ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
      ];
      const first = found[0];
      if (first === undefined) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
      if (options.all) callback(null, found);
      else callback(null, first.address, first.family);
    });
  }) as unknown as net.LookupFunction;
}

/** One connect by one client, timed; the socket is closed at once. */
export async function timeClient(
  client: ClientName,
  target: { host: string; port: number; nameserver: string; timeoutMs: number; clock: Clock },
): Promise<Timing> {
  const { clock } = target;
  const started = clock.now();
  const took = (): number => Math.round((clock.now() - started) * 10) / 10;
  try {
    const socket = client === 'happy-eyeballs' ? await viaConnect(target) : await viaNet(target, client === 'autoSelectFamily');
    const address = String(socket.remoteAddress); // set on every connected socket
    const ms = took();
    socket.destroy();
    return { address, error: null, ms };
  } catch (err) {
    return { address: null, error: failureCode(err), ms: took() };
  }
}

/** Every address failed: the first attempt's code (ECONNREFUSED…), as Node's AggregateError has it. */
function failureCode(err: unknown): string {
  const first: unknown = err instanceof AggregateError ? err.errors[0] : undefined;
  return reportError(first ?? err).code;
}

async function viaConnect(target: { host: string; port: number; nameserver: string; timeoutMs: number }): Promise<net.Socket> {
  // A cold resolver per connect: every client pays for its own DNS.
  const resolver = new Resolver({ servers: [target.nameserver], resolvConf: false, hosts: false, cache: false });
  try {
    return await connect({ host: target.host, port: target.port, resolver, timeout: target.timeoutMs }).catch((err: unknown) => {
      throw errorCode(err) === 'ERR_HE_TIMEOUT' ? timedOut(target.timeoutMs) : err;
    });
  } finally {
    resolver.close();
  }
}

function viaNet(target: { host: string; port: number; nameserver: string; timeoutMs: number; clock: Clock }, autoSelectFamily: boolean): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port, lookup: labLookup(target.nameserver), autoSelectFamily });
    let timer: TimerHandle | undefined = target.clock.setTimeout(() => {
      timer = undefined;
      socket.destroy();
      reject(timedOut(target.timeoutMs));
    }, target.timeoutMs);
    const settle = (): void => {
      if (timer !== undefined) target.clock.clearTimeout(timer);
      timer = undefined;
    };
    socket.once('connect', () => (settle(), resolve(socket)));
    socket.once('error', (err) => (settle(), socket.destroy(), reject(err)));
  });
}

function timedOut(ms: number): Error {
  return Object.assign(new Error(`no connection within ${ms} ms`), { code: TIMED_OUT });
}

/** `slower / faster` as `19×`, or '' when either did not connect. */
export function ratio(mine: Timing, theirs: Timing): string {
  if (mine.error !== null || theirs.error !== null) return '';
  const r = theirs.ms / Math.max(mine.ms, 0.1);
  return `${r < 10 ? r.toFixed(1) : Math.round(r)}×`;
}
