/**
 * What one accepted reply says about (name, type): records, a CNAME target still to ask,
 * a negative answer, or a server failure. Pure; the reply is untrusted input.
 */
import type { AddressRecord, RecordType, ServiceRecord } from './types.js';
import type { DecodedRecord as Rr, DecodedReply } from './reply.js';
import { decodeServiceData, TYPE_HTTPS } from './svcb.js';

/**
 * RFC 1034 §3.6.2 does not bound chains; resolvers do. 8 links, as the project asks; a
 * loop or a longer chain is ESERVFAIL, what a recursive resolver would answer.
 */
export const MAX_CNAME_LINKS = 8;

export type ServerFailureCode = 'ESERVFAIL' | 'EREFUSED' | 'EBADRESP';

export type Outcome =
  | { kind: 'records'; records: AddressRecord[] | ServiceRecord[]; ttl: number; cnames: string[] }
  /** The chain ended without the asked type and without a SOA: the target must be asked. */
  | { kind: 'follow'; target: string; ttl: number; cnames: string[] }
  | { kind: 'negative'; code: 'ENOTFOUND' | 'ENODATA'; negativeTtl: number | undefined; cnames: string[] }
  /**
   * A CNAME loop or a chain too long (ESERVFAIL), or a malformed HTTPS RRset (EBADRESP,
   * RFC 9460 §2.2): the server answered, asking again would not help.
   */
  | { kind: 'broken'; code: 'ESERVFAIL' | 'EBADRESP'; reason: string }
  /** This server could not answer: the next one is asked. */
  | { kind: 'failure'; code: ServerFailureCode; reason: string };

/** The chain walked so far, across queries, for loop and depth checks (names lower-cased). */
export interface ChainSoFar {
  visited: ReadonlySet<string>;
  links: number;
}

const RCODE_FAILURES: Readonly<Record<string, ServerFailureCode>> = { SERVFAIL: 'ESERVFAIL', REFUSED: 'EREFUSED' };

export function interpret(reply: DecodedReply, name: string, type: RecordType, chain: ChainSoFar): Outcome {
  const { rcode, answers } = reply;
  if (hasExtendedRcode(reply)) return { kind: 'failure', code: 'EBADRESP', reason: 'extended RCODE (RFC 6891 §6.1.3)' };
  if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') {
    return { kind: 'failure', code: RCODE_FAILURES[rcode] ?? 'EBADRESP', reason: `RCODE ${rcode}` };
  }
  const walked = followCnames(answers, name, chain);
  if (typeof walked === 'string') return { kind: 'broken', code: 'ESERVFAIL', reason: walked };
  const { owner, cnames, ttl: chainTtl } = walked;
  // RFC 6604 §3: with a chain, the RCODE speaks of its last name.
  if (rcode === 'NXDOMAIN') return negative('ENOTFOUND', reply, owner, cnames);
  const rrset = type === 'HTTPS' ? collectServiceRecords(answers, owner) : collectRecords(answers, owner, type);
  if (typeof rrset === 'string') return { kind: 'broken', code: 'EBADRESP', reason: rrset };
  if (rrset.length > 0) {
    let ttl = chainTtl;
    for (const r of rrset) if (r.ttl < ttl) ttl = r.ttl;
    return { kind: 'records', records: rrset, ttl, cnames };
  }
  // A SOA means the server knows the target has no such data (RFC 2308 §2.2); without one
  // the chain left the server's data and the target is asked (RFC 1034 §5.3.3 step 3).
  if (cnames.length > 0 && soaNegativeTtl(reply, owner) === undefined) {
    return { kind: 'follow', target: owner, ttl: chainTtl, cnames };
  }
  return negative('ENODATA', reply, owner, cnames);
}

/** RFC 2181 §8: a TTL with the top bit set counts as 0. */
function ttlOf(rr: Rr): number {
  return capTtl(rr.ttl!); // dns-packet sets ttl on every record but OPT
}

function capTtl(ttl: number): number {
  return ttl > 0x7fffffff ? 0 : ttl;
}

/** RFC 2308 §5: negative TTL = min(SOA TTL, SOA MINIMUM), from a SOA that owns `name` or an ancestor. */
export function soaNegativeTtl(reply: DecodedReply, name: string): number | undefined {
  for (const rr of reply.authorities) {
    if (rr.type !== 'SOA' || rr.class !== 'IN' || !isSameOrAncestor(rr.name, name)) continue;
    const { minimum } = rr.data as { minimum: number }; // dns-packet always decodes it
    return Math.min(ttlOf(rr), capTtl(minimum));
  }
  return undefined;
}

function negative(code: 'ENOTFOUND' | 'ENODATA', reply: DecodedReply, owner: string, cnames: string[]): Outcome {
  return { kind: 'negative', code, negativeTtl: soaNegativeTtl(reply, owner), cnames };
}

/** Walks CNAMEs owned by `name` (case-insensitive, RFC 4343) inside the answer section. */
function followCnames(answers: Rr[], name: string, chain: ChainSoFar): { owner: string; cnames: string[]; ttl: number } | string {
  const cnames: string[] = [];
  let owner = name;
  let ttl = Number.POSITIVE_INFINITY;
  let seen: Set<string> | undefined; // built on the first link only: most answers have none
  for (;;) {
    const link = cnameOf(answers, owner);
    if (!link || typeof link.data !== 'string') return { owner, cnames, ttl };
    seen ??= new Set(chain.visited).add(asciiLower(name));
    const target = link.data;
    if (seen.has(asciiLower(target))) return `CNAME loop at ${target}`;
    if (chain.links + cnames.length >= MAX_CNAME_LINKS) return `CNAME chain longer than ${MAX_CNAME_LINKS}`;
    seen.add(asciiLower(target));
    cnames.push(target);
    ttl = Math.min(ttl, ttlOf(link));
    owner = target;
  }
}

/** The first CNAME owned by `owner`; a plain loop, as this runs on every reply. */
function cnameOf(answers: Rr[], owner: string): Rr | undefined {
  for (const rr of answers) if (rr.type === 'CNAME' && rr.class === 'IN' && sameName(rr.name, owner)) return rr;
  return undefined;
}

/**
 * Only the asked type, class IN, owned by the chain's last name. dns-packet decodes A and
 * AAAA data from exactly 4 and 16 bytes, so the text is always a valid address.
 */
function collectRecords(answers: Rr[], owner: string, type: 'A' | 'AAAA'): AddressRecord[] {
  const records: AddressRecord[] = [];
  for (const rr of answers) {
    if (rr.type === type && rr.class === 'IN' && sameName(rr.name, owner)) {
      records.push({ address: rr.data as string, ttl: ttlOf(rr) });
    }
  }
  return records;
}

/** dns-packet's name for a type it has no codec for: the data stays raw bytes. */
const HTTPS_NAME = `UNKNOWN_${TYPE_HTTPS}`;

/**
 * The HTTPS RRset owned by the chain's last name, decoded (svcb.ts); one malformed record
 * rejects the whole RRset (RFC 9460 §2.2): then the reason, naming the record.
 */
function collectServiceRecords(answers: Rr[], owner: string): ServiceRecord[] | string {
  const records: ServiceRecord[] = [];
  for (const rr of answers) {
    if (rr.type !== HTTPS_NAME || rr.class !== 'IN' || !sameName(rr.name, owner)) continue;
    const decoded = decodeServiceData(rr.data as Buffer); // unknown types always decode to a Buffer
    if (!decoded.ok) return `malformed HTTPS RRset (RFC 9460 §2.2): record ${records.length + 1}: ${decoded.reason}`;
    records.push({ ...decoded.record, ttl: ttlOf(rr) });
  }
  return records;
}

function hasExtendedRcode(reply: DecodedReply): boolean {
  for (const rr of reply.additionals) if (rr.type === 'OPT' && rr.extendedRcode !== 0) return true;
  return false;
}

/** RFC 4343: DNS names compare without ASCII case (and only ASCII case). */
export function sameName(a: string, b: string): boolean {
  return a === b || (a.length === b.length && asciiLower(a) === asciiLower(b));
}

export function asciiLower(name: string): string {
  return /[A-Z]/.test(name) ? name.replace(/[A-Z]+/g, (s) => s.toLowerCase()) : name;
}

function isSameOrAncestor(ancestor: string, name: string): boolean {
  if (ancestor === '.') return true;
  const a = asciiLower(ancestor);
  const n = asciiLower(name);
  return n === a || n.endsWith(`.${a}`);
}
