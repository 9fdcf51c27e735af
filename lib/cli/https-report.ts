/**
 * The HTTPS record (RFC 9460) in the CLI's reports: `resolve` asks it beside AAAA and A
 * (resolve.ts); `probe --tls` takes what its race saw. Records are shown in presentation format, as
 * zone files and kdig show them; endpoints and the ALPN the winner negotiated go with
 * the attempts.
 */
import { formatServiceData } from '../dns/svcb-presentation.js';
import type { ServiceAnswer, ServiceRecord } from '../dns/types.js';
import type { AttemptEndpoint, RaceEvent } from '../racer/timeline.js';
import { reportError, type EndpointReport, type HttpsRecordReport, type HttpsReport } from './probe-report.js';

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
