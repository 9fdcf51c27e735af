/**
 * One settled cache entry in compact form, and the steps that build it from an upstream
 * outcome and rebuild an Answer (or DnsError) from it. The fetched Answer object is not
 * kept: an entry holds its addresses packed into one string (packed.ts), a few small
 * integers and pointers to shared strings (size per name: docs/benchmarks.md, "Figures
 * behind the code").
 */
import { DnsError, type DnsErrorCode, errorCode } from '../errors.js';
import type { AddressRecordType, Answer, AnswerSource, RecordType, ServiceAnswer } from '../dns/types.js';
import type { CacheSettings } from './options.js';
import { pack, unpack } from './packed.js';
import { serviceRecordsAt, StoredServiceRecords, storeServiceRecords } from './service-records.js';

const NO_CNAMES: readonly string[] = Object.freeze([]);

/** The parts of an entry most entries share (one object for all of them): see `details()`. */
export class Details {
  constructor(
    /** Answer name, or the failed error's hostname, when it is not the cache key itself. */
    readonly name: string | undefined,
    /** Failure code of a remembered failure. */
    readonly code: DnsErrorCode | undefined,
    readonly cnames: readonly string[],
    /** Seconds the records' TTL is longer than the entry's (a CNAME's shorter TTL cut the entry's). */
    readonly recordTtlOver: number,
  ) {}
}

const PLAIN = new Details(undefined, undefined, NO_CNAMES, 0);
const FAILURES = new Map<DnsErrorCode, Details>();

/** Shared details when nothing is particular (one per failure code), else a new object. */
function details(name: string, key: string, code: DnsErrorCode | undefined, cnames: readonly string[], recordTtlOver: number): Details {
  if (name !== key || cnames.length > 0 || recordTtlOver > 0) return new Details(name === key ? undefined : name, code, cnames, recordTtlOver);
  if (code === undefined) return PLAIN;
  let shared = FAILURES.get(code);
  if (shared === undefined) FAILURES.set(code, (shared = new Details(undefined, code, NO_CNAMES, 0)));
  return shared;
}

/** Six fields: every one costs 8 bytes on each of up to maxEntries objects. */
export class Entry {
  constructor(
    /**
     * Addresses of a positive answer, packed, or as text when they do not pack; an HTTPS
     * answer's records; `null` for a remembered failure.
     */
    readonly addrs: string | readonly string[] | StoredServiceRecords | null,
    readonly details: Details,
    public server: string | undefined,
    /**
     * Cache clock ms when stored, whole: ages and expiry count from here. The cache counts
     * from its creation, so this stays a small integer (no heap box) for 24 days.
     */
    readonly storedAt: number,
    /** Whole seconds the entry is fresh (answer TTL, clamped). */
    readonly ttl: number,
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
export function entryFromAnswer(answer: unknown, asked: string, key: string, type: RecordType, now: number, s: CacheSettings): Entry | DnsError {
  const a = answer as Partial<Answer> | null;
  const bad = (why: string) => new DnsError('EBADRESP', { hostname: asked, rrtype: type }, `cache: bad answer for ${type} ${asked}: ${why}`);
  if (a === null || typeof a !== 'object') return bad('not an object');
  if (!Array.isArray(a.records)) return bad('records is not an array');
  if (!isTtl(a.ttl)) return bad('ttl is not a number >= 0');
  let addrs: string | readonly string[] | StoredServiceRecords;
  let recordMin = Infinity;
  if (type === 'HTTPS') {
    const kept = storeServiceRecords(a.records);
    if (typeof kept === 'string') return bad(kept);
    addrs = kept.stored;
    recordMin = kept.minTtl;
  } else {
    const texts = new Array<string>(a.records.length);
    for (let i = 0; i < texts.length; i++) {
      const r: unknown = a.records[i];
      if (r === null || typeof r !== 'object') return bad(`record ${i} is not an object`);
      const { address, ttl } = r as { address?: unknown; ttl?: unknown };
      if (typeof address !== 'string' || !isTtl(ttl)) return bad(`record ${i} needs an address string and a ttl`);
      texts[i] = address;
      recordMin = Math.min(recordMin, ttl);
    }
    addrs = pack(texts, type) ?? texts.map(flatten);
  }
  const cnames = Array.isArray(a.cnames) && a.cnames.length > 0 ? a.cnames.map(String) : NO_CNAMES;
  const name = typeof a.name === 'string' ? a.name : asked;
  const server = typeof a.server === 'string' ? a.server : undefined;
  const ttl = clamp(Math.min(a.ttl, recordMin), s.minTtl, s.maxTtl);
  // Records keep their own TTL when a CNAME shortened the answer's (never below it).
  const recordTtl = Math.max(ttl, clamp(recordMin, s.minTtl, s.maxTtl));
  return new Entry(addrs, details(name, key, undefined, cnames, recordTtl - ttl), server, Math.floor(now), ttl);
}

/**
 * Builds the entry remembering a failure, or `undefined` when the failure is not to be
 * cached (aborts, cancellations, errors without a DNS code).
 */
export function entryFromError(err: unknown, asked: string, key: string, now: number, s: CacheSettings): Entry | undefined {
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
  return new Entry(null, details(hostname, key, code as DnsErrorCode, NO_CNAMES, 0), server, Math.floor(now), ttl);
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
  return Math.max(left, 0);
}

/**
 * A fresh Answer object for one caller (callers may mutate what they get); `key` is the
 * entry's cache key. An HTTPS entry gives a ServiceAnswer: the RRset of one name, so its
 * `aliases` is empty (the Resolver follows AliasMode records above the cache).
 */
export function toAnswer(e: Entry, key: string, type: RecordType, now: number, source: AnswerSource, staleTtl: number): Answer | ServiceAnswer {
  const d = e.details;
  const stale = source === 'stale';
  const ttl = stale ? staleTtl : remaining(e.ttl, e.storedAt, now);
  const recordTtl = stale ? staleTtl : remaining(e.ttl + d.recordTtlOver, e.storedAt, now);
  // A literal, not a slice of the shared frozen empty array: that slice takes a slow path.
  const cnames = d.cnames.length === 0 ? [] : d.cnames.slice();
  const addrs = e.addrs as string | readonly string[] | StoredServiceRecords;
  if (typeof addrs === 'string')
    return { name: d.name ?? key, type: type as 'A' | 'AAAA', records: unpack(addrs, type as 'A' | 'AAAA', recordTtl), ttl, cnames, server: e.server, source };
  if (addrs instanceof StoredServiceRecords) {
    return { name: d.name ?? key, type: 'HTTPS', records: serviceRecordsAt(addrs, recordTtl), ttl, cnames, server: e.server, source, aliases: [] };
  }
  const records = addrs.map((address) => ({ address, ttl: recordTtl }));
  return { name: d.name ?? key, type: type as 'A' | 'AAAA', records, ttl, cnames, server: e.server, source };
}

/** The addresses of a positive A or AAAA entry, frozen (shared by every caller). */
export function addressList(e: Entry, type: AddressRecordType): readonly string[] {
  const addrs = e.addrs as string | readonly string[];
  return Object.freeze(typeof addrs === 'string' ? unpack(addrs, type, 0).map((r) => r.address) : addrs.slice());
}

/** The error a remembered failure is re-thrown as: same code, hostname and rrtype. */
export function toError(e: Entry, key: string, type: RecordType, now: number): DnsError {
  const { name, code } = e.details as { name: string | undefined; code: DnsErrorCode };
  const negativeTtl = isNegative(code) ? remaining(e.ttl, e.storedAt, now) : undefined;
  return new DnsError(code, { hostname: name ?? key, rrtype: type, server: e.server, negativeTtl });
}
