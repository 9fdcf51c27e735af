/**
 * Build request: one question, RD set, an EDNS0 OPT record (RFC 1035 §4.1, RFC 6891 §6).
 * Encoded by hand: the layout is fixed and this runs once per query.
 */
import { randomFill } from './random.js';
import { DnsError } from '../errors.js';
import { randomizeCase } from './dns0x20.js';
import type { RecordType } from './types.js';

/** RFC 1035 §3.2.2 type values; HTTPS is RFC 9460 §14.1. */
const TYPE_CODES: Readonly<Record<RecordType, number>> = { A: 1, AAAA: 28, HTTPS: 65 };
const CLASS_IN = 1;
const TYPE_OPT = 41;
const FLAG_RD = 0x0100;
const HEADER_BYTES = 12;
const OPT_BYTES = 11;

/**
 * One (name, type) to ask, with its whole query encoded once: the first try sends it
 * under its ID; any later try (next server, attempt, TCP) sends a copy under its own, so
 * a packet once handed out is never written again.
 */
export interface Question {
  name: string;
  type: RecordType;
  template: Buffer;
  /** Offset just past the question section. */
  questionEnd: number;
  /** Whether a try has taken `template` as its packet. */
  sent: boolean;
  /** DNS 0x20: every try sends the name in a fresh random case and wants it echoed exactly. */
  mixCase?: boolean;
}

/** Throws DnsError EBADNAME when the name cannot be put on the wire. `mixCase`: DNS 0x20 (dns0x20.ts). */
export function makeQuestion(name: string, type: RecordType, udpPayloadSize = 1232, mixCase = false): Question {
  const ascii = isAscii(name);
  const nameBytes = ascii ? (name.length === 0 ? 1 : name.length + 2) : wireLength(name, type);
  if (nameBytes > 255) throw badName(name, type);
  const questionEnd = HEADER_BYTES + nameBytes + 4;
  const packet = Buffer.allocUnsafe(questionEnd + OPT_BYTES);
  // ID 0 (set per try); QR=0, opcode QUERY, RD=1 (RFC 1035 §4.1.1); QDCOUNT 1; ANCOUNT,
  // NSCOUNT 0; ARCOUNT 1 (the OPT record). Byte stores: this runs once per query.
  packet[0] = 0;
  packet[1] = 0;
  packet[2] = FLAG_RD >> 8;
  packet[3] = FLAG_RD & 0xff;
  packet[4] = 0;
  packet[5] = 1;
  packet[6] = 0;
  packet[7] = 0;
  packet[8] = 0;
  packet[9] = 0;
  packet[10] = 0;
  packet[11] = 1;
  if (ascii) writeAsciiName(name, type, packet, HEADER_BYTES, nameBytes);
  else writeName(name, type, packet, HEADER_BYTES, nameBytes);
  const code = TYPE_CODES[type];
  packet[questionEnd - 4] = code >> 8;
  packet[questionEnd - 3] = code & 0xff;
  packet[questionEnd - 2] = CLASS_IN >> 8;
  packet[questionEnd - 1] = CLASS_IN & 0xff;
  writeOpt(packet, questionEnd, udpPayloadSize);
  return { name, type, template: packet, questionEnd, sent: false, mixCase };
}

function isAscii(name: string): boolean {
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * `writeName` for an ASCII name in one pass, without a native call: each character is
 * its byte, each dot the length of the label before it.
 */
function writeAsciiName(name: string, type: RecordType | undefined, wire: Buffer, offset: number, length: number): void {
  let lengthAt = offset;
  for (let i = 0; i < length - 2; i++) {
    const c = name.charCodeAt(i);
    if (c !== 0x2e) {
      wire[offset + 1 + i] = c;
      continue;
    }
    const label = offset + 1 + i - lengthAt - 1;
    if (label === 0 || label > 63) throw badName(name, type);
    wire[lengthAt] = label;
    lengthAt = offset + 1 + i;
  }
  if (length > 1) {
    const label = offset + length - 1 - lengthAt - 1;
    if (label === 0 || label > 63) throw badName(name, type);
    wire[lengthAt] = label;
  }
  wire[offset + length - 1] = 0;
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
  /** DNS 0x20: the reply's question must equal ours byte for byte, case included. */
  exactCase?: boolean;
}

/** CSPRNG bytes drawn in blocks, two per ID: one randomFillSync serves 2,048 queries. */
const idPool = new Uint16Array(2048);
let idsUsed = idPool.length;

/**
 * A fresh 16-bit ID from the CSPRNG: an off-path forger must guess it together with the
 * source port (RFC 5452 §9.2). Never sequential, never Math.random. Drawn from a block of
 * CSPRNG output rather than a `randomInt` call each: every 16-bit value stays equally
 * likely and unpredictable, without the per-call cost.
 */
export function newQueryId(): number {
  if (idsUsed === idPool.length) {
    randomFill(idPool);
    idsUsed = 0;
  }
  return idPool[idsUsed++]!;
}

/** The question's query under `id`: the template itself the first time, then copies. */
export function buildQuery(question: Question, id = newQueryId()): SentQuery {
  const { name, type, template, questionEnd } = question;
  let packet = template;
  if (question.sent) {
    packet = Buffer.allocUnsafe(template.length);
    packet.set(template, 0);
  }
  question.sent = true;
  packet.writeUInt16BE(id, 0);
  const exactCase = question.mixCase === true;
  if (exactCase) randomizeCase(packet, HEADER_BYTES, questionEnd - 4);
  return { id, name, type, packet, questionEnd, exactCase };
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
  const length = wireLength(name, type);
  const wire = Buffer.allocUnsafe(length);
  writeName(name, type, wire, 0, length);
  return wire;
}

function wireLength(name: string, type: RecordType | undefined): number {
  const length = name.length === 0 ? 1 : Buffer.byteLength(name, 'utf8') + 2; // the root is one 0
  if (length > 255) throw badName(name, type);
  return length;
}

/** The text goes in one place on; each dot then becomes the length of the label before it. */
function writeName(name: string, type: RecordType | undefined, wire: Buffer, offset: number, length: number): void {
  const end = offset + length - 1; // where the final 0 goes
  if (length > 1) {
    wire.write(name, offset + 1, 'utf8');
    let lengthAt = offset;
    for (let i = offset + 1; i <= end; i++) {
      if (i < end && wire[i] !== 0x2e) continue;
      const label = i - lengthAt - 1;
      if (label === 0 || label > 63) throw badName(name, type);
      wire[lengthAt] = label;
      lengthAt = i;
    }
  }
  wire[end] = 0;
}

function badName(name: string, type: RecordType | undefined): DnsError {
  return new DnsError('EBADNAME', { hostname: name, rrtype: type });
}
