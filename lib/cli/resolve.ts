/**
 * `happy-eyeballs resolve`: AAAA and A asked in parallel, as two separate queries
 * (RFC 8305 §3), each timed from one start; and the same two queries for `probe`.
 */
import diagnostics from 'node:diagnostics_channel';
import { isIP } from 'node:net';
import type { Clock } from '../clock.js';
import { channelNames, type DnsQueryMessage } from '../diagnostics.js';
import { httpsQueryName } from '../dns/https-name.js';
import type { AddressResolver, ServiceResolver } from '../dns/types.js';
import { httpsReport } from './https-report.js';
import { dnsFamilyReport, FAMILIES, RECORD_TYPE, type FamilyKey, type HttpsReport, type ResolveFamilyReport, type ResolveReport } from './probe-report.js';

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
function familiesToAsk(host: string): readonly FamilyKey[] {
  const literal = isIP(host);
  return literal === 0 ? FAMILIES : [literal === 6 ? 'ipv6' : 'ipv4'];
}

/**
 * One family's answer as a report; never rejects (a failure is the report's `error`).
 * A family not in `familiesToAsk(host)` is reported as not asked (`ms: null`).
 * `backend` is what the Resolver's `happy-eyeballs:dns:query` message said answered
 * (or failed); null when not asked or not heard (a resolver that publishes none).
 */
export async function queryFamily(resolver: AddressResolver, host: string, family: FamilyKey, timing: QueryTiming): Promise<ResolveFamilyReport> {
  const type = RECORD_TYPE[family];
  if (!familiesToAsk(host).includes(family)) return { type, addresses: [], ms: null, error: null, cnames: [], server: null, backend: null };
  const { clock, start, signal } = timing;
  let backend: DnsQueryMessage['backend'] | null = null;
  const hear = (message: unknown): void => {
    const m = message as DnsQueryMessage;
    if (backend === null && m.name === host && m.type === type) backend = m.backend;
  };
  diagnostics.subscribe(channelNames.dnsQuery, hear);
  const outcome = await resolver.query(host, type, { signal }).then(
    (answer) => ({ answer }),
    (error: unknown) => ({ error: signal?.aborted ? (signal.reason as unknown) : error }),
  );
  diagnostics.unsubscribe(channelNames.dnsQuery, hear);
  return { ...dnsFamilyReport(type, outcome, roundMs(clock.now() - start)), backend };
}

/** Both families, asked at once. */
export function queryBoth(resolver: AddressResolver, host: string, timing: QueryTiming): Record<FamilyKey, Promise<ResolveFamilyReport>> {
  return { ipv6: queryFamily(resolver, host, 'ipv6', timing), ipv4: queryFamily(resolver, host, 'ipv4', timing) };
}

/** `resolve`: the HTTPS question for port 443 (the Resolver's own timeout bounds it); never rejects. */
async function queryHttps(resolver: unknown, host: string, timing: QueryTiming): Promise<HttpsReport> {
  const name = httpsQueryName(host, 443);
  if (isIP(host) !== 0) return { name, records: [], aliases: [], ms: null, error: null };
  const { clock, start } = timing;
  const outcome = await Promise.resolve()
    .then(() => (resolver as ServiceResolver).query(name, 'HTTPS'))
    .then(
      (answer) => ({ answer }),
      (error: unknown) => ({ error }),
    );
  return httpsReport(name, outcome, roundMs(clock.now() - start));
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
