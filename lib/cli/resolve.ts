/**
 * `happy-eyeballs resolve`: AAAA and A asked in parallel, as two separate queries
 * (RFC 8305 §3), each timed from one start; and the same two queries for `probe`.
 */
import { isIP } from 'node:net';
import type { Clock } from '../clock.js';
import type { AddressResolver } from '../dns/types.js';
import { queryHttps } from './https-report.js';
import { dnsFamilyReport, FAMILIES, RECORD_TYPE, type Family, type ResolveFamilyReport, type ResolveReport } from './probe-report.js';

export interface QueryTiming {
  clock: Clock;
  /** `clock.now()` at the start of the command: every `ms` counts from it. */
  start: number;
  /** Ends the queries; its `reason` becomes the families' error. */
  signal?: AbortSignal | undefined;
}

/** Milliseconds, to 0.1: finer digits are noise on any timer. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** IP literals are asked in their own family only; names in both. */
export function familiesToAsk(host: string): readonly Family[] {
  const literal = isIP(host);
  return literal === 0 ? FAMILIES : [literal === 6 ? 'ipv6' : 'ipv4'];
}

/**
 * One family's answer as a report; never rejects (a failure is the report's `error`).
 * A family not in `familiesToAsk(host)` is reported as not asked (`ms: null`).
 */
export async function queryFamily(resolver: AddressResolver, host: string, family: Family, timing: QueryTiming): Promise<ResolveFamilyReport> {
  const type = RECORD_TYPE[family];
  if (!familiesToAsk(host).includes(family)) return { type, addresses: [], ms: null, error: null, cnames: [], server: null };
  const { clock, start, signal } = timing;
  const outcome = await resolver.query(host, type, { signal }).then(
    (answer) => ({ answer }),
    (error: unknown) => ({ error: signal?.aborted ? (signal.reason as unknown) : error }),
  );
  return dnsFamilyReport(type, outcome, roundMs(clock.now() - start));
}

/** Both families, asked at once. */
export function queryBoth(resolver: AddressResolver, host: string, timing: QueryTiming): Record<Family, Promise<ResolveFamilyReport>> {
  return { ipv6: queryFamily(resolver, host, 'ipv6', timing), ipv4: queryFamily(resolver, host, 'ipv4', timing) };
}

/** AAAA, A and (for a name) HTTPS, asked at once. */
export async function runResolve(host: string, resolver: AddressResolver, clock: Clock): Promise<ResolveReport> {
  const timing = { clock, start: clock.now() };
  const https = queryHttps(resolver, host, timing);
  const both = queryBoth(resolver, host, timing);
  const report: ResolveReport = { host, ipv6: await both.ipv6, ipv4: await both.ipv4 };
  const service = await https;
  if (service.ms !== null) report.https = service;
  return report;
}
