/**
 * Human output of `probe` and `resolve`: pure functions of a report and a style, so
 * what people see is tested without a terminal. Order: what DNS said per family (IPv6
 * first) with each address's outcome, the race as a timeline, the winner, the verdict.
 */
import {
  FAMILIES,
  RECORD_TYPE,
  type AttemptReport,
  type DnsFamilyReport,
  type FamilyKey,
  type HttpsReport,
  type ProbeReport,
  type ResolveReport,
} from './probe-report.js';
import { hostPort } from '../options.js';
import { fit, formatMs, OUTCOME_MARK, plural } from './format.js';
import { endpointNote } from './https-report.js';
import { renderTimeline } from './timeline.js';
import { describeVerdict } from './verdict.js';
import type { Style } from './style.js';

const FAMILY_NAME: Record<FamilyKey, string> = { ipv6: 'IPv6', ipv4: 'IPv4' };
const FAMILY_NUMBER: Record<FamilyKey, 4 | 6> = { ipv6: 6, ipv4: 4 };

export function renderProbe(report: ProbeReport, style: Style): string {
  const title = `probe ${hostPort(report.host, report.port)}${report.tls ? ' with TLS' : ''}`;
  const lines = [style.bold(title)];
  const width = addressWidth(FAMILIES.map((family) => report.dns[family]));
  for (const family of FAMILIES) lines.push('', ...familySection(report, family, width, style));
  if (report.https) lines.push('', ...httpsSection(report.https, style));
  const timeline = renderTimeline(report, style);
  if (timeline.length > 0) lines.push('', style.bold('race'), ...timeline);
  lines.push('', winnerLine(report, style), verdictLine(report, style));
  return `${lines.join('\n')}\n`;
}

export function renderResolve(report: ResolveReport, style: Style): string {
  const lines = [style.bold(`resolve ${report.host}`)];
  for (const family of FAMILIES) {
    const dns = report[family];
    lines.push('', dnsHeading(style.bold(dns.type.padEnd(4)), dns, style), ...cnameLines(dns, style));
    const width = addressWidth([dns]);
    for (const { address, ttl } of dns.addresses) lines.push(`  ${fit(address, width)}  ${style.dim(ttlText(ttl))}`);
  }
  if (report.https) lines.push('', ...httpsSection(report.https, style));
  return `${lines.join('\n')}\n`;
}

/** `HTTPS  2 records in 3.1 ms`, AliasMode targets followed, then each record as a zone file has it (RFC 9460 §2.1). */
function httpsSection(https: HttpsReport, style: Style): string[] {
  const heading = style.bold('HTTPS');
  const asked = https.name.startsWith('_') ? ` for ${https.name}` : '';
  const ms = formatMs(https.ms as number); // reports hold only HTTPS answers that were asked
  if (https.error) return [`${heading} ${style.red(https.error.code)} in ${ms}${asked}`];
  const lines = [`${heading} ${plural(https.records.length, 'record', 'records')} in ${ms}${asked}`];
  if (https.aliases.length > 0) lines.push(style.dim(`  via AliasMode ${https.aliases.join(' → ')}`));
  for (const { text, ttl } of https.records) lines.push(`  ${text}  ${style.dim(ttlText(ttl))}`);
  return lines;
}

/** One family: the DNS heading, a row per address (ttl, outcome), whether it works. */
function familySection(report: ProbeReport, family: FamilyKey, width: number, style: Style): string[] {
  const dns = report.dns[family];
  const heading = style.bold(`${FAMILY_NAME[family]} ${RECORD_TYPE[family].padEnd(4)}`);
  const lines = [dnsHeading(heading, dns, style), ...cnameLines(dns, style)];
  for (const { address, ttl } of dns.addresses) {
    const attempts = report.attempts.filter((a) => a.address === address && a.family === FAMILY_NUMBER[family]);
    const cells = attempts.length > 0 ? attempts.map((a) => attemptCell(a, report.port, style)) : [style.dim('– not tried')];
    lines.push(`  ${fit(address, width)}  ${style.dim(ttlText(ttl).padEnd(8))}  ${cells.join('; ')}`);
  }
  if (dns.addresses.length > 0) lines.push(`  → ${reachability(report, family, style)}`);
  return lines;
}

/**
 * `AAAA  2 addresses in 12 ms from 127.0.0.1:53 via dns`, or the DNS error code; `via`
 * names the backend that answered: the built-in client (dns) or getaddrinfo (system).
 */
function dnsHeading(heading: string, dns: DnsFamilyReport, style: Style): string {
  if (dns.ms === null) return `${heading}  ${style.dim('not asked')}`;
  const from = dns.server ? ` from ${dns.server}` : dns.source && dns.source !== 'dns' && dns.source !== 'system' ? ` from ${dns.source}` : '';
  const backend = dns.backend ?? (dns.source === 'system' ? 'system' : undefined);
  const via = backend ? ` via ${backend}` : '';
  if (dns.error) return `${heading}  ${style.red(dns.error.code)} in ${formatMs(dns.ms)}${from}${via}`;
  return `${heading}  ${plural(dns.addresses.length, 'address', 'addresses')} in ${formatMs(dns.ms)}${from}${via}`;
}

function cnameLines(dns: DnsFamilyReport, style: Style): string[] {
  return dns.cnames && dns.cnames.length > 0 ? [style.dim(`  via CNAME ${dns.cnames.join(' → ')}`)] : [];
}

/** The address column: as wide as the longest address, at most an IPv6 address without zone. */
function addressWidth(families: DnsFamilyReport[]): number {
  return Math.min(39, Math.max(0, ...families.flatMap((dns) => dns.addresses.map((a) => a.address.length))));
}

function ttlText(ttl: number | null): string {
  return `ttl ${ttl === null ? '-' : ttl}`;
}

function attemptCell(attempt: AttemptReport, port: number, style: Style): string {
  const cell = outcomeCell(attempt, style);
  return attempt.endpoint ? `${cell} ${style.dim(`(${endpointNote(attempt.endpoint, attempt.port!, port)})`)}` : cell;
}

function outcomeCell(attempt: AttemptReport, style: Style): string {
  const took = formatMs(attempt.endMs - attempt.startMs);
  const mark = OUTCOME_MARK[attempt.outcome];
  switch (attempt.outcome) {
    case 'won':
      return style.green(`${mark} connected in ${took}, winner`);
    case 'connected':
      return style.green(`${mark} connected in ${took}`);
    case 'failed':
      return style.red(`${mark} ${attempt.error?.code ?? 'failed'} after ${took}`);
    case 'timeout':
      return style.red(`${mark} timed out after ${took}`);
    case 'abandoned':
      return style.dim(`${mark} abandoned after ${took}`);
  }
}

function reachability(report: ProbeReport, family: FamilyKey, style: Style): string {
  const { reachable, ms, error } = report.families[family];
  if (reachable) return style.green(`reachable${ms === null ? '' : `, connect ${formatMs(ms)}`}`);
  return style.red(`not reachable${error ? `: ${error.code}` : ''}`);
}

function winnerLine(report: ProbeReport, style: Style): string {
  const { winner } = report;
  if (!winner) return `${style.bold('winner ')} ${style.red('none')}`;
  const name = FAMILY_NAME[winner.family === 6 ? 'ipv6' : 'ipv4'];
  const via = winner.endpoint ? `, ${endpointNote(winner.endpoint, winner.port!, report.port)}` : '';
  const alpn = winner.alpn ? `, ALPN ${winner.alpn}` : '';
  return `${style.bold('winner ')} ${style.green(hostPort(winner.address, winner.port ?? report.port))} (${name}${via}${alpn}) after ${formatMs(winner.ms)}`;
}

function verdictLine(report: ProbeReport, style: Style): string {
  const { verdict } = report;
  const tone = verdict === 'unreachable' ? style.red : verdict.endsWith('-broken') ? style.yellow : style.green;
  return `${style.bold('verdict')} ${tone(verdict)}: ${describeVerdict(verdict)}`;
}
