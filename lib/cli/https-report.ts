/**
 * The HTTPS record (RFC 9460) in the CLI's reports: `resolve` asks it beside AAAA and A;
 * `probe --tls` takes what its race saw. Records are shown in presentation format, as
 * zone files and kdig show them; endpoints and the ALPN the winner negotiated go with
 * the attempts.
 */
import { isIP } from 'node:net';
import { httpsQueryName } from '../dns/https-name.js';
import { formatServiceData } from '../dns/svcb-presentation.js';
import type { ServiceAnswer, ServiceRecord, ServiceResolver } from '../dns/types.js';
import type { AttemptEndpoint, RaceEvent } from '../racer/timeline.js';
import { reportError, type ReportError } from './probe-report.js';
import { roundMs, type QueryTiming } from './resolve.js';

export interface HttpsRecordReport {
  /** The record in presentation format: `1 . alpn=h2,h3 port=8443`. */
  text: string;
  /** Seconds. */
  ttl: number;
}

/** The HTTPS answer. `error` set ⇔ there is none (then `records` is empty). */
export interface HttpsReport {
  /** The name asked: the host, or `_PORT._https.host` (RFC 9460 §9.1). */
  name: string;
  /** ServiceMode records, after CNAMEs and AliasMode records. */
  records: HttpsRecordReport[];
  /** AliasMode TargetNames followed, in order. */
  aliases: string[];
  /** When the answer or the error arrived; null when not asked (an IP literal). */
  ms: number | null;
  error: ReportError | null;
}

/** The endpoint an attempt came from, as JSON: `ech` in Base 64. */
export interface EndpointReport {
  priority: number;
  target: string;
  alpn: string[];
  hint: boolean;
  ech?: string;
}

/** `resolve`: the HTTPS question for port 443 (the Resolver's own timeout bounds it); never rejects. */
export async function queryHttps(resolver: unknown, host: string, timing: QueryTiming): Promise<HttpsReport> {
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

export function httpsReport(name: string, outcome: { answer: Pick<ServiceAnswer, 'records' | 'aliases'> } | { error: unknown }, ms: number): HttpsReport {
  if ('error' in outcome) return { name, records: [], aliases: [], ms, error: reportError(outcome.error) };
  return { name, records: outcome.answer.records.map(recordReport), aliases: [...outcome.answer.aliases], ms, error: null };
}

function recordReport(record: ServiceRecord): HttpsRecordReport {
  return { text: formatServiceData(record), ttl: record.ttl };
}

/** `probe`: the race's own HTTPS answer, if it asked; `at` puts the race's ms on the probe's axis. */
export function httpsFromRace(event: Extract<RaceEvent, { type: 'dns:https' }>, name: string, at: (ms: number) => number): HttpsReport {
  return httpsReport(name, event.error ? { error: event.error } : { answer: event }, at(event.ms));
}

export function endpointReport(endpoint: AttemptEndpoint): EndpointReport {
  const report: EndpointReport = { priority: endpoint.priority, target: endpoint.target, alpn: [...endpoint.alpn], hint: endpoint.hint };
  if (endpoint.ech) report.ech = endpoint.ech.toString('base64');
  return report;
}

/** `HTTPS 1 svc.example.test, port 8443, hint` (or `alias x.test` for an AliasMode target): one short note. */
export function endpointNote(endpoint: EndpointReport, port: number, originPort: number): string {
  const what = endpoint.priority === 0 ? `alias ${endpoint.target}` : `HTTPS ${endpoint.priority} ${endpoint.target}`;
  return [what, port !== originPort ? `port ${port}` : '', endpoint.hint ? 'hint' : ''].filter((part) => part !== '').join(', ');
}
