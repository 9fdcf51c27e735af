/**
 * The objects `probe --json` and `resolve --json` print (README, "CLI"), and the
 * renderers read. Times are milliseconds from the start of the command (one axis for
 * DNS and connections), TTLs are seconds. Fields marked optional are extras; scripts
 * may rely on every required field being present (null, not absent).
 */
import type { AddressRecord, Answer, AnswerSource } from '../dns/types.js';

/** A family as the reports name it (the racer's `Family` is 4 | 6). */
export type FamilyKey = 'ipv6' | 'ipv4';
/** Families in the order they are shown: IPv6 first, as RFC 8305 §4 prefers it. */
export const FAMILIES: readonly FamilyKey[] = ['ipv6', 'ipv4'];
export const RECORD_TYPE: Record<FamilyKey, 'AAAA' | 'A'> = { ipv6: 'AAAA', ipv4: 'A' };

/** An error as JSON: match on `code` (a `DnsError`/errno/`ERR_HE_*` code). */
export interface ReportError {
  code: string;
  message: string;
}

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

interface ReportAddress {
  address: string;
  /** Seconds; null when no DNS record stands behind it (IP literal, hosts file). */
  ttl: number | null;
}

/** One family's DNS outcome. `error` set ⇔ the query failed (then `addresses` is empty). */
export interface DnsFamilyReport {
  addresses: ReportAddress[];
  /** When the answer or the error arrived; null when not asked (e.g. an IP literal of the other family). */
  ms: number | null;
  error: ReportError | null;
  /** `ip:port` of the server that answered. */
  server?: string | null;
  /** CNAME targets followed, in order. */
  cnames?: string[];
  source?: AnswerSource;
  /** Who answered (or failed): the built-in client, or getaddrinfo; null when not asked or unknown. */
  backend?: 'dns' | 'system' | null;
}

/**
 * What became of one connection attempt:
 * - `won`: connected first; this socket is the race's winner (at most one attempt);
 * - `connected`: connected, but not the winner (the probe closed it);
 * - `failed`: the TCP connect or the TLS handshake failed (`error` says why);
 * - `timeout`: still pending when the probe's timeout passed;
 * - `abandoned`: still pending when the race was decided, so cancelled (RFC 8305 §5).
 */
export type AttemptOutcome = 'won' | 'connected' | 'failed' | 'timeout' | 'abandoned';
export const ATTEMPT_OUTCOMES: readonly AttemptOutcome[] = ['won', 'connected', 'failed', 'timeout', 'abandoned'];

export interface AttemptReport {
  address: string;
  family: 4 | 6;
  startMs: number;
  /** When the outcome was known (connected, failed, timed out or cancelled). */
  endMs: number;
  outcome: AttemptOutcome;
  /** Set for `failed` and `timeout`; null otherwise. */
  error: ReportError | null;
  /** Where a failure happened: the TCP connect or the TLS handshake. */
  phase?: 'tcp' | 'tls';
  /** With `endpoint`: the port dialled, the service endpoint's (RFC 9460 §7.2). */
  port?: number;
  /** The HTTPS service endpoint the address came from (`probe --tls`). */
  endpoint?: EndpointReport;
}

/**
 * Whether a family works. The probe must try each family that has addresses to an
 * outcome (not only the race, whose losers are cancelled), or `reachable: false`
 * would wrongly call it broken.
 */
export interface FamilyReport {
  reachable: boolean;
  /** Connect time (attempt start → connected, TLS included) of the family's fastest success; null if none. */
  ms: number | null;
  /** Why the family is not reachable: the last attempt error, or the DNS error; null when reachable. */
  error: ReportError | null;
}

export interface WinnerReport {
  address: string;
  family: 4 | 6;
  /** From the start of the probe (DNS included) until the winner connected. */
  ms: number;
  /** With `endpoint`: the port it connected to. */
  port?: number;
  /** The HTTPS service endpoint it came from, if any. */
  endpoint?: EndpointReport;
  /** The protocol TLS negotiated by ALPN (`probe --tls`); null when none was. */
  alpn?: string | null;
}

export type Verdict = 'dual-stack' | 'ipv4-only' | 'ipv6-only' | 'ipv6-broken' | 'ipv4-broken' | 'unreachable';

export interface ProbeReport {
  host: string;
  port: number;
  tls?: boolean;
  dns: Record<FamilyKey, DnsFamilyReport>;
  /** In start order. */
  attempts: AttemptReport[];
  families: Record<FamilyKey, FamilyReport>;
  winner: WinnerReport | null;
  verdict: Verdict;
  /** `--tls`: the HTTPS record the race asked (Happy Eyeballs v3). */
  https?: HttpsReport;
}

/** `resolve --json`: the same per-family shape, with the extras always present. */
export interface ResolveFamilyReport extends DnsFamilyReport {
  type: 'AAAA' | 'A';
  cnames: string[];
  server: string | null;
}

export interface ResolveReport {
  host: string;
  ipv6: ResolveFamilyReport;
  ipv4: ResolveFamilyReport;
  /** The HTTPS record (RFC 9460), asked beside them. */
  https?: HttpsReport;
}

/**
 * Any thrown value as `{ code, message }`: the `code` of lib/errors.ts classes and
 * Node errors, else the error's name. (Read by duck typing so this types-and-shapes
 * module loads nothing at run time.)
 */
export function reportError(err: unknown): ReportError {
  const code = stringField(err, 'code');
  if (err instanceof Error) return { code: code ?? err.name, message: err.message };
  return { code: code ?? 'ERR_UNKNOWN', message: String(err) };
}

/**
 * One family's DNS outcome (the answer, or what the query rejected with) that arrived
 * `ms` after the start, as both reports hold it. TTLs are kept only for records DNS gave.
 */
export function dnsFamilyReport(type: 'AAAA' | 'A', outcome: { answer: Answer } | { error: unknown }, ms: number): ResolveFamilyReport {
  if ('error' in outcome) {
    return { type, addresses: [], ms, error: reportError(outcome.error), cnames: [], server: serverOf(outcome.error) };
  }
  const { answer } = outcome;
  const fromDns = answer.source === 'dns' || answer.source === 'cache' || answer.source === 'stale';
  return {
    type,
    addresses: answer.records.map((r: AddressRecord) => ({ address: r.address, ttl: fromDns ? r.ttl : null })),
    ms,
    error: null,
    cnames: [...answer.cnames],
    server: answer.server ?? null,
    source: answer.source,
  };
}

/** `DnsError#server`, when the error names the server whose answer decided it. */
function serverOf(err: unknown): string | null {
  return stringField(err, 'server') ?? null;
}

function stringField(value: unknown, key: 'code' | 'server'): string | undefined {
  if (value === null || typeof value !== 'object' || !(key in value)) return undefined;
  const field: unknown = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}
