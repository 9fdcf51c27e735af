/**
 * One settled cache entry in compact form, and the steps that build it from an upstream
 * outcome and rebuild an Answer (or DnsError) from it. The fetched Answer object is not
 * kept: an entry holds the address strings, the name and a few numbers, so a name with
 * two records costs a few hundred bytes (see scripts/bench-cache.ts).
 */
import { DnsError, type DnsErrorCode, errorCode } from '../errors.js';
import type { Answer, AnswerSource, RecordType } from '../dns/types.js';
import type { CacheSettings } from './options.js';

const NO_CNAMES: readonly string[] = Object.freeze([]);

export class Entry {
  constructor(
    /** Answer name, or the failed error's hostname (the cache may swap in an equal shared string). */
    public name: string,
    /** Addresses of a positive answer; `null` for a remembered failure. */
    readonly addrs: readonly string[] | null,
    /** Failure code when `addrs` is null. */
    readonly code: DnsErrorCode | undefined,
    readonly cnames: readonly string[],
    public server: string | undefined,
    /** Clock ms when stored, whole (a small integer takes no heap box); ages and expiry count from here. */
    readonly storedAt: number,
    /** Whole seconds the entry is fresh (answer TTL, clamped). */
    readonly ttl: number,
    /** Whole seconds handed out on the records (RFC 2181 §5.2: one TTL per RRset), >= ttl. */
    readonly recordTtl: number,
    /** LRU stamp, set by the store. */
    public seq = 0,
  ) {}

  expiresAt(): number {
    return this.storedAt + this.ttl * 1000;
  }
}

/** Upstream failures that are authoritative answers (RFC 2308): cached for the negative TTL. */
export const isNegative = (code: string | undefined): boolean => code === 'ENOTFOUND' || code === 'ENODATA';

/** Upstream failures that say nothing about the name: cached briefly (errorTtl), stale served instead. */
const TRANSIENT = new Set<string>(['ESERVFAIL', 'ETIMEOUT', 'EREFUSED', 'ECONNREFUSED', 'ECONNRESET', 'EBADRESP']);
const isTransient = (code: string | undefined): boolean => code !== undefined && TRANSIENT.has(code);

const clamp = (value: number, low: number, high: number): number => Math.min(Math.max(Math.floor(value), low), high);

const isTtl = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v < Infinity;

/** Builds the entry for a fetched Answer, or an EBADRESP error when the Answer is malformed. */
export function entryFromAnswer(
  answer: unknown,
  asked: string,
  type: RecordType,
  now: number,
  s: CacheSettings,
): Entry | DnsError {
  const a = answer as Partial<Answer> | null;
  const bad = (why: string) => new DnsError('EBADRESP', { hostname: asked, rrtype: type }, `cache: bad answer for ${type} ${asked}: ${why}`);
  if (a === null || typeof a !== 'object') return bad('not an object');
  if (!Array.isArray(a.records)) return bad('records is not an array');
  if (!isTtl(a.ttl)) return bad('ttl is not a number >= 0');
  const addrs = new Array<string>(a.records.length);
  let recordMin = Infinity;
  for (let i = 0; i < addrs.length; i++) {
    const r: unknown = a.records[i];
    if (r === null || typeof r !== 'object') return bad(`record ${i} is not an object`);
    const { address, ttl } = r as { address?: unknown; ttl?: unknown };
    if (typeof address !== 'string' || !isTtl(ttl)) return bad(`record ${i} needs an address string and a ttl`);
    addrs[i] = flatten(address);
    recordMin = Math.min(recordMin, ttl);
  }
  const cnames = Array.isArray(a.cnames) && a.cnames.length > 0 ? a.cnames.map(String) : NO_CNAMES;
  const name = typeof a.name === 'string' ? a.name : asked;
  const server = typeof a.server === 'string' ? a.server : undefined;
  const ttl = clamp(Math.min(a.ttl, recordMin), s.minTtl, s.maxTtl);
  // Records keep their own TTL when a CNAME shortened the answer's (never below it).
  const recordTtl = Math.max(ttl, clamp(recordMin, s.minTtl, s.maxTtl));
  return new Entry(name, addrs, undefined, cnames, server, Math.floor(now), ttl, recordTtl);
}

/**
 * Builds the entry remembering a failure, or `undefined` when the failure is not to be
 * cached (aborts, cancellations, errors without a DNS code).
 */
export function entryFromError(err: unknown, asked: string, now: number, s: CacheSettings): Entry | undefined {
  const code = errorCode(err);
  let ttl: number;
  if (isNegative(code)) {
    // RFC 2308 §5: a negative answer without an SOA (no negativeTtl) gets the minimum.
    const negativeTtl = (err as { negativeTtl?: unknown }).negativeTtl;
    ttl = clamp(isTtl(negativeTtl) ? negativeTtl : 0, s.negativeMinTtl, s.negativeMaxTtl);
  } else if (isTransient(code)) {
    ttl = s.errorTtl;
  } else {
    return undefined;
  }
  const e = err as { hostname?: unknown; server?: unknown };
  const hostname = typeof e.hostname === 'string' ? e.hostname : asked;
  const server = typeof e.server === 'string' ? e.server : undefined;
  return new Entry(hostname, null, code as DnsErrorCode, NO_CNAMES, server, Math.floor(now), ttl, ttl);
}

/**
 * Addresses decoded from packets are often V8 cons strings (pieces glued by `+`), about
 * twice the size of a flat string; reading a character flattens one in place and the GC
 * then drops the pieces.
 */
function flatten(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** Whole seconds left of `ttl` at `now`, counting down from `storedAt`, never negative. */
function remaining(ttl: number, storedAt: number, now: number): number {
  const left = ttl - Math.floor((now - storedAt) / 1000);
  return left > 0 ? left : 0;
}

/** A fresh Answer object for one caller (callers may mutate what they get). */
export function toAnswer(e: Entry, type: RecordType, now: number, source: AnswerSource, staleTtl: number): Answer {
  const addrs = e.addrs as readonly string[];
  const stale = source === 'stale';
  const ttl = stale ? staleTtl : remaining(e.ttl, e.storedAt, now);
  const recordTtl = stale ? staleTtl : remaining(e.recordTtl, e.storedAt, now);
  const records = new Array<{ address: string; ttl: number }>(addrs.length);
  for (let i = 0; i < addrs.length; i++) records[i] = { address: addrs[i] as string, ttl: recordTtl };
  return { name: e.name, type, records, ttl, cnames: e.cnames.slice(), server: e.server, source };
}

/** The error a remembered failure is re-thrown as: same code, hostname and rrtype. */
export function toError(e: Entry, type: RecordType, now: number): DnsError {
  const code = e.code as DnsErrorCode;
  const negativeTtl = isNegative(code) ? remaining(e.ttl, e.storedAt, now) : undefined;
  return new DnsError(code, { hostname: e.name, rrtype: type, server: e.server, negativeTtl });
}
