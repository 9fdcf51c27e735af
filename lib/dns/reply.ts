/**
 * Check response: a reply is used only if it answers the query that was sent
 * (RFC 5452 §9.1: same ID, same question; RFC 1035 §4.1.1: QR set). Everything here is
 * pure and never throws: replies are untrusted input.
 */
import { dnsPacketModule } from './packet-codec.js';
import type { SentQuery } from './query.js';
import type { DecodedRecord, DecodedReply } from './decoded.js';
import { decodeCommonReply } from './reply-fast.js';

const HEADER_BYTES = 12;
const FLAG_QR = 0x80; // in byte 2
const FLAG_TC = 0x02; // in byte 2

export type { DecodedRecord, DecodedReply } from './decoded.js';

/**
 * The cheap header and question check, before any decoding: ID, QR, one question equal to
 * ours byte for byte except ASCII case (RFC 1035 §2.3.3; RFC 4343 §3), or with DNS 0x20
 * (`query.exactCase`) byte for byte, case included.
 */
export function matchesQuery(reply: Buffer, query: SentQuery): boolean {
  if (reply.length < query.questionEnd) return false;
  if (reply.readUInt16BE(0) !== query.id) return false;
  if ((reply[2]! & FLAG_QR) === 0) return false;
  if (reply.readUInt16BE(4) !== 1) return false;
  return sameQuestion(reply, query.packet, query.questionEnd, query.exactCase === true);
}

/** TC (RFC 1035 §4.1.1): the reply was cut; none of it may be used (RFC 2181 §9). */
export function isTruncated(reply: Buffer): boolean {
  return (reply[2]! & FLAG_TC) !== 0;
}

/** dns-packet's record codec (its typings leave it out). */
interface RecordCodec {
  decode: { (buf: Buffer, offset: number): DecodedRecord; bytes: number };
}
/** dns-packet's record and question codecs, loaded on the first decode. */
const codecs = (): { answer: RecordCodec; question: RecordCodec } => dnsPacketModule() as unknown as { answer: RecordCodec; question: RecordCodec };

/** dns-packet's names for the 4-bit header RCODE (its rcodes.js). */
// prettier-ignore
const RCODE_NAMES = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
  'RCODE_11',
  'RCODE_12',
  'RCODE_13',
  'RCODE_14',
  'RCODE_15',
] as const;

/**
 * Every record decoded by dns-packet, as its `decode` does, minus the header and question
 * objects: after `matchesQuery` the question is known to be ours byte for byte (pass its
 * end as `questionEnd`), and decoding it again is a large part of the decoding time.
 * dns-packet throws on garbage (bad pointers, overflows, lying counts): that is "no
 * reply". It also reads A/AAAA data past the end of a cut packet without throwing, hence
 * the length check. And it reads A and AAAA data without looking at RDLENGTH, so a record
 * must end where its RDLENGTH says (RFC 1035 §3.4.1: A RDATA is 4 octets; found by the
 * fuzzer: an A with RDLENGTH 1 gave an address made of the next record's bytes).
 */
export function decodeReply(reply: Buffer, questionEnd?: number): DecodedReply | undefined {
  // Plain A/AAAA answers (nearly every reply) without dns-packet: reply-fast.ts.
  const common = questionEnd === undefined ? undefined : decodeCommonReply(reply, questionEnd, RCODE_NAMES[reply[3]! & 0x0f]!);
  if (common) return common;
  try {
    let offset = questionEnd ?? skipQuestions(reply);
    const record = codecs().answer;
    const sections: DecodedRecord[][] = [[], [], []];
    for (let s = 0; s < 3; s++) {
      const list = sections[s]!;
      for (let n = reply.readUInt16BE(6 + 2 * s); n > 0; n--) {
        list.push(record.decode(reply, offset));
        const end = offset + record.decode.bytes;
        if (end !== rdlengthEnd(reply, offset)) return undefined;
        offset = end;
      }
    }
    // Written so that NaN (dns-packet's length of a string read past the end) fails too.
    if (!(offset <= reply.length)) return undefined;
    return { rcode: RCODE_NAMES[reply[3]! & 0x0f]!, answers: sections[0]!, authorities: sections[1]!, additionals: sections[2]! };
  } catch {
    return undefined;
  }
}

/**
 * Where the record at `offset` ends by its RDLENGTH (RFC 1035 §4.1.3). Its owner name was
 * decoded already, so it is labels of at most 63 octets ending in a zero or a pointer.
 */
function rdlengthEnd(reply: Buffer, offset: number): number {
  let p = offset;
  while (reply[p]! !== 0 && reply[p]! < 0xc0) p += reply[p]! + 1;
  p += reply[p] === 0 ? 1 : 2;
  return p + 10 + reply.readUInt16BE(p + 8);
}

/** The question section decoded and skipped, for a reply not checked against a query. */
function skipQuestions(reply: Buffer): number {
  let offset = HEADER_BYTES;
  const question = codecs().question;
  for (let n = reply.readUInt16BE(4); n > 0; n--) {
    question.decode(reply, offset);
    offset += question.decode.bytes;
  }
  return offset;
}

/**
 * QNAME compared without ASCII case (with `exactCase`, with it), then QTYPE and QCLASS
 * exactly. A plain loop: for some 30 bytes it is several times cheaper than a native
 * Buffer#compare call.
 */
function sameQuestion(reply: Buffer, sent: Buffer, end: number, exactCase: boolean): boolean {
  // Case is folded only before nameEnd: with exactCase, nowhere.
  const nameEnd = exactCase ? HEADER_BYTES : end - 4;
  for (let i = HEADER_BYTES; i < end; i++) {
    const a = reply[i]!;
    const b = sent[i]!;
    if (a !== b && (i >= nameEnd || foldCase(a) !== foldCase(b))) return false;
  }
  return true;
}

/** ASCII letters only; length bytes are <= 63 and so never letters. */
function foldCase(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
}
