/**
 * The race as a waterfall: one row per DNS answer and per connection attempt, bars on
 * one time axis from the start of the probe to its last event, scaled to the width.
 *
 *   AAAA         ░░░                                12 ms
 *   2001:db8::1     ████████████✗                   12→260 ms failed ECONNREFUSED
 *   192.0.2.1                     ██████★           262→310 ms won
 */
import { FAMILIES, RECORD_TYPE, type AttemptOutcome, type ProbeReport } from './probe-report.js';
import { fit, formatMs, OUTCOME_MARK } from './format.js';
import { endpointNote } from './https-report.js';
import type { Style } from './style.js';

type Tone = 'dns' | 'error' | AttemptOutcome;

interface Row {
  label: string;
  startMs: number;
  endMs: number;
  fill: string;
  mark: string;
  tone: Tone;
  note: string;
}

const LABEL_MAX = 39; // the longest IPv6 address without a zone
const BAR_MIN = 10;
const INDENT = '  ';
const GAP = '  ';

const LEGEND = ['░ DNS', '█ connecting', '★ winner', '✓ connected', '✗ failed', '· abandoned'];

/** The legend's entries, as many per line as fit in `width`. */
export function legendLines(width: number): string[] {
  const lines: string[] = [];
  for (const item of LEGEND) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + GAP.length + item.length <= width) lines[lines.length - 1] = `${last}${GAP}${item}`;
    else lines.push(`${INDENT}${item}`);
  }
  return lines;
}

export function renderTimeline(report: ProbeReport, style: Style): string[] {
  const rows = [...dnsRows(report), ...attemptRows(report)];
  if (rows.length === 0) return [];
  const axisMs = Math.max(1, ...rows.map((r) => r.endMs), report.winner?.ms ?? 0);
  const labelWidth = Math.min(LABEL_MAX, Math.max(4, ...rows.map((r) => r.label.length)));
  const noteWidth = Math.max(...rows.map((r) => r.note.length));
  const fixed = INDENT.length + labelWidth + GAP.length + 1 + GAP.length + noteWidth;
  const barWidth = Math.max(BAR_MIN, style.width - fixed);
  const lines = rows.map((row) => {
    const bar = barOf(row, axisMs, barWidth);
    return `${INDENT}${fit(row.label, labelWidth)}${GAP}${paint(style, row.tone, bar.padEnd(barWidth + 1))}${GAP}${row.note}`;
  });
  const scale = `0 ms${formatMs(axisMs).padStart(barWidth + 1 - 4)}`;
  lines.push(style.dim(`${INDENT}${' '.repeat(labelWidth)}${GAP}${scale}`));
  return [...lines, ...legendLines(style.width).map((line) => style.dim(line))];
}

/**
 * Cells from round(start / axis × width) to round(end / axis × width), at least one,
 * so lengths stay proportional to durations; the mark goes after the last cell.
 */
export function barOf(row: Pick<Row, 'startMs' | 'endMs' | 'fill' | 'mark'>, axisMs: number, width: number): string {
  const from = Math.min(width - 1, Math.round((row.startMs / axisMs) * width));
  const to = Math.round((row.endMs / axisMs) * width);
  return `${' '.repeat(from)}${row.fill.repeat(Math.max(1, to - from))}${row.mark}`;
}

function dnsRows(report: ProbeReport): Row[] {
  const https = report.https;
  const httpsRow: Row[] =
    https?.ms == null
      ? []
      : [
          {
            label: 'HTTPS',
            startMs: 0,
            endMs: https.ms,
            fill: '░',
            mark: https.error ? '✗' : '',
            tone: https.error ? 'error' : 'dns',
            note: https.error ? `${formatMs(https.ms)} ${https.error.code}` : formatMs(https.ms),
          },
        ];
  return httpsRow.concat(
    FAMILIES.flatMap((family) => {
      const dns = report.dns[family];
      if (dns.ms === null) return [];
      const note = dns.error ? `${formatMs(dns.ms)} ${dns.error.code}` : formatMs(dns.ms);
      const tone: Tone = dns.error ? 'error' : 'dns';
      return [{ label: RECORD_TYPE[family], startMs: 0, endMs: dns.ms, fill: '░', mark: dns.error ? '✗' : '', tone, note }];
    }),
  );
}

function attemptRows(report: ProbeReport): Row[] {
  return report.attempts.map((attempt) => {
    // The start in the end's precision (formatMs): `3.7→3.9 ms`, never `4→3.9 ms`.
    const span = `${attempt.startMs.toFixed(attempt.endMs < 10 ? 1 : 0)}→${formatMs(attempt.endMs)}`;
    const why = attempt.error ? ` ${attempt.error.code}` : '';
    const via = attempt.endpoint ? ` (${endpointNote(attempt.endpoint, attempt.port as number, report.port)})` : '';
    return {
      label: attempt.address,
      startMs: attempt.startMs,
      endMs: attempt.endMs,
      fill: attempt.outcome === 'abandoned' ? '·' : '█',
      mark: attempt.outcome === 'abandoned' ? '' : OUTCOME_MARK[attempt.outcome],
      tone: attempt.outcome,
      note: `${span} ${attempt.outcome}${why}${via}`,
    };
  });
}

function paint(style: Style, tone: Tone, text: string): string {
  switch (tone) {
    case 'dns':
      return style.cyan(text);
    case 'won':
    case 'connected':
      return style.green(text);
    case 'abandoned':
      return style.dim(text);
    default:
      return style.red(text); // error, failed, timeout
  }
}
