/**
 * `happy-eyeballs probe`: what DNS says per family, the real race, and whether each
 * family works on its own. One time axis from the probe's start:
 *
 * 1. AAAA and A are asked (timed, with TTLs and server) and, at the same moment, the
 *    race starts with connect() on the same resolver: its cache coalesces the two
 *    askers into one upstream query per type, so the race sees DNS as it really
 *    arrives (RFC 8305 §3 Resolution Delay included) and DNS is asked once.
 * 2. When the race is over (a winner, or every attempt failed), the late answers are
 *    awaited, then every address but the winner's (already proven) is tried on its
 *    own (families.ts, RFC 8305 §9.3).
 *
 * `timeout` bounds the whole probe: the race, the queries and the checks.
 */
import { serverNameFor } from '../options.js';
import tls from 'node:tls';
import { systemClock, type Clock } from '../clock.js';
import { connect, type RaceEvent } from '../connect.js';
import { httpsQueryName } from '../dns/https-name.js';
import type { AddressResolver } from '../dns/types.js';
import { InvalidArgumentError, TimeoutError } from '../errors.js';
import { socketAttemptFactory, type AttemptTarget } from '../racer/attempt.js';
import { checkAll, familyReports } from './families.js';
import { FAMILIES, type DnsFamilyReport, type FamilyKey, type ProbeReport, type ResolveFamilyReport } from './probe-report.js';
import { raceReport, type RaceReport } from './race-report.js';
import { queryBoth, roundMs } from './resolve.js';
import { verdictOfReport } from './verdict.js';

export interface ProbeSettings {
  host: string;
  port: number;
  /** Complete a TLS handshake (SNI: the host name) on every connection. */
  tls: boolean;
  /** Extra TLS options (e.g. `ca`); by default Node's CA store (and NODE_EXTRA_CA_CERTS). */
  tlsOptions?: tls.ConnectionOptions | undefined;
  resolver: AddressResolver;
  /** Connection Attempt Delay, ms (RFC 8305 §5). */
  attemptDelay: number;
  /** Resolution Delay, ms (RFC 8305 §3). */
  resolutionDelay: number;
  /** The whole probe, ms. */
  timeout: number;
  /** Each address's own check, ms (capped by what is left of `timeout`). @default 2000 */
  addressTimeout?: number | undefined;
  /** Checks at once. @default 4 */
  concurrency?: number | undefined;
  clock?: Clock | undefined;
}

const ADDRESS_TIMEOUT = 2_000;
const CHECK_CONCURRENCY = 4;

export async function runProbe(s: ProbeSettings): Promise<ProbeReport> {
  const clock = s.clock ?? systemClock;
  const start = clock.now();
  const deadline = new AbortController();
  const timer = clock.setTimeout(() => deadline.abort(new TimeoutError(`probe of ${s.host}`, s.timeout)), s.timeout);
  try {
    const queries = queryBoth(s.resolver, s.host, { clock, start, signal: deadline.signal });
    const race = await runRace(s, clock, start);
    const dns = { ipv6: dnsOnly(await queries.ipv6, race.dnsMs.ipv6), ipv4: dnsOnly(await queries.ipv4, race.dnsMs.ipv4) };
    const won = race.attempts.find((a) => a.outcome === 'won');
    const targets = targetsOf(dns, s.port).filter((t) => !(t.address === won?.address && t.family === won.family));
    const results = await checkAll(targets, {
      connect: socketAttemptFactory({ tls: s.tls ? tlsOptions(s) : undefined }),
      clock,
      concurrency: s.concurrency ?? CHECK_CONCURRENCY,
      timeoutMs: () => Math.min(s.addressTimeout ?? ADDRESS_TIMEOUT, start + s.timeout - clock.now()),
      probeTimeout: s.timeout,
    });
    if (won) results.push({ address: won.address, family: won.family, port: s.port, ok: true, ms: roundMs(won.endMs - won.startMs), error: undefined });
    const families = familyReports(dns, results);
    const verdict = verdictOfReport({ dns, families });
    const report: ProbeReport = { host: s.host, port: s.port, tls: s.tls, dns, attempts: race.attempts, families, winner: race.winner, verdict };
    if (race.https) report.https = race.https;
    return report;
  } finally {
    clock.clearTimeout(timer);
  }
}

/**
 * The real race, its timeline kept through `onEvent`; the winner is closed at once. With
 * TLS it offers h2 and http/1.1 by ALPN, as a browser would, so the HTTPS record's ALPN
 * filter (HEv3) and the negotiated protocol mean what they mean for a web client.
 */
async function runRace(s: ProbeSettings, clock: Clock, start: number): Promise<RaceReport> {
  const events: RaceEvent[] = [];
  let ended!: () => void;
  const raceEnd = new Promise<void>((resolve) => (ended = resolve));
  const offset = clock.now() - start;
  const pending = connect({
    host: s.host,
    port: s.port,
    tls: s.tls ? { ALPNProtocols: ['h2', 'http/1.1'], ...s.tlsOptions } : undefined,
    resolver: s.resolver,
    connectionAttemptDelay: s.attemptDelay,
    resolutionDelay: s.resolutionDelay,
    timeout: s.timeout,
    clock,
    onEvent: (event) => {
      events.push(event);
      if (event.type === 'race:end') ended();
    },
  });
  const socket = await pending.catch((err: unknown) => {
    if (err instanceof InvalidArgumentError) throw err; // bad input: no race ran
    return undefined; // the timeline says why
  });
  const alpn = socket instanceof tls.TLSSocket ? socket.alpnProtocol || null : undefined;
  socket?.destroy();
  await raceEnd;
  const report = raceReport(events, offset, httpsQueryName(s.host, s.port));
  if (report.winner && alpn !== undefined) report.winner.alpn = alpn;
  return report;
}

/** Every address DNS gave, IPv6 first. */
function targetsOf(dns: Record<FamilyKey, DnsFamilyReport>, port: number): AttemptTarget[] {
  return FAMILIES.flatMap((family) => dns[family].addresses.map(({ address }) => ({ address, family: family === 'ipv6' ? (6 as const) : (4 as const), port })));
}

/** As connect() does: SNI names the host, never an IP literal (RFC 6066 §3). */
function tlsOptions(s: ProbeSettings): tls.ConnectionOptions {
  const servername = serverNameFor(s.host);
  return servername === undefined ? { ...s.tlsOptions } : { servername, ...s.tlsOptions };
}

/**
 * The probe's `dns` shape: the resolve report without its `type`. Both askers wait on
 * one cached query, and whichever is told first may spend time (the race opens a
 * socket) before the other hears: the earlier observation is the answer's time.
 */
function dnsOnly(report: ResolveFamilyReport, raceMs: number | undefined): DnsFamilyReport {
  const { type: _type, ...dns } = report;
  // The race asks only families the probe asks, so `ms` is a number whenever `raceMs` is.
  if (raceMs !== undefined) dns.ms = Math.min(dns.ms as number, raceMs);
  return dns;
}
