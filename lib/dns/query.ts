/**
 * Build request: one question, RD set, an EDNS0 OPT record (RFC 1035 §4.1, RFC 6891 §6).
 * Encoded by hand: the layout is fixed and this runs once per query.
 */
import { randomInt } from 'node:crypto';
import { DnsError } from '../errors.js';
import type { RecordType } from './types.js';

/** RFC 1035 §3.2.2 type values. */
export const TYPE_CODES: Readonly<Record<RecordType, number>> = { A: 1, AAAA: 28 };
export const CLASS_IN = 1;
const TYPE_OPT = 41;
const FLAG_RD = 0x0100;
const HEADER_BYTES = 12;
const OPT_BYTES = 11;

/** One (name, type) to ask, with the name already in wire form (encoded once per name). */
export interface Question {
  name: string;
  type: RecordType;
  wire: Buffer;
}

/** Throws DnsError EBADNAME when the name cannot be put on the wire. */
export function makeQuestion(name: string, type: RecordType): Question {
  return { name, type, wire: encodeName(name, type) };
}

/** A query as sent: what a reply must echo to be accepted. */
export interface SentQuery {
  id: number;
  name: string;
  type: RecordType;
  /** The whole DNS message (no TCP length prefix). */
  packet: Buffer;
  /** Offset just past the question section: `packet[12, questionEnd)` is the question. */
  questionEnd: number;
}

/**
 * A fresh 16-bit ID from the CSPRNG: an off-path forger must guess it together with the
 * source port (RFC 5452 §9.2). Never sequential, never Math.random.
 */
export function newQueryId(): number {
  return randomInt(0, 0x10000);
}

/** Encodes the query for a question. */
export function buildQuery(question: Question, udpPayloadSize: number, id = newQueryId()): SentQuery {
  const { name, type, wire: qname } = question;
  const questionEnd = HEADER_BYTES + qname.length + 4;
  const packet = Buffer.allocUnsafe(questionEnd + OPT_BYTES);
  packet.writeUInt16BE(id, 0);
  packet.writeUInt16BE(FLAG_RD, 2); // QR=0, opcode QUERY, RD=1 (RFC 1035 §4.1.1)
  packet.writeUInt16BE(1, 4); // QDCOUNT
  packet.writeUInt32BE(0, 6); // ANCOUNT, NSCOUNT
  packet.writeUInt16BE(1, 10); // ARCOUNT: the OPT record
  qname.copy(packet, HEADER_BYTES);
  packet.writeUInt16BE(TYPE_CODES[type], questionEnd - 4);
  packet.writeUInt16BE(CLASS_IN, questionEnd - 2);
  writeOpt(packet, questionEnd, udpPayloadSize);
  return { id, name, type, packet, questionEnd };
}

/** RFC 6891 §6.1.2: root owner, TYPE 41, CLASS = UDP payload size, TTL = ext-rcode/version/flags 0. */
function writeOpt(packet: Buffer, offset: number, udpPayloadSize: number): void {
  packet[offset] = 0;
  packet.writeUInt16BE(TYPE_OPT, offset + 1);
  packet.writeUInt16BE(udpPayloadSize, offset + 3);
  packet.writeUInt32BE(0, offset + 5);
  packet.writeUInt16BE(0, offset + 9);
}

/**
 * RFC 1035 §3.1 wire name: length-prefixed labels of 1..63 bytes, 255 bytes in all.
 * Callers validate names; this only refuses what cannot be put on the wire.
 */
export function encodeName(name: string, type?: RecordType): Buffer {
  if (name.length === 0) return Buffer.from([0]); // the root
  // The text goes in at offset 1; each dot then becomes the length of the label before it.
  const octets = Buffer.byteLength(name, 'utf8');
  if (octets + 2 > 255) throw badName(name, type);
  const wire = Buffer.allocUnsafe(octets + 2);
  wire.write(name, 1, 'utf8');
  let lengthAt = 0;
  for (let i = 1; i <= octets + 1; i++) {
    if (i <= octets && wire[i] !== 0x2e) continue;
    const length = i - lengthAt - 1;
    if (length === 0 || length > 63) throw badName(name, type);
    wire[lengthAt] = length;
    lengthAt = i;
  }
  wire[octets + 1] = 0;
  return wire;
}

function badName(name: string, type: RecordType | undefined): DnsError {
  return new DnsError('EBADNAME', { hostname: name, rrtype: type });
}
