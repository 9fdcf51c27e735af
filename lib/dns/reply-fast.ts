/**
 * The common reply decoded without dns-packet: every record A or AAAA of class IN, or an
 * OPT without options (RFC 6891 §6.1.2), names of ASCII labels. The result is exactly
 * what dns-packet's decode gives for the same bytes (same fields, same order, same
 * address text), so nothing downstream can tell; anything else, or anything irregular
 * (a bad pointer, a cut record, an RDLENGTH that does not fit the type), gives
 * `undefined` and the caller decodes with dns-packet, which decides what it means.
 * Pure and never throws: replies are untrusted input.
 */
import type { DecodedRecord, DecodedReply } from './decoded.js';

const HEADER_BYTES = 12;
const TYPE_A = 1;
const TYPE_AAAA = 28;
const TYPE_OPT = 41;
const CLASS_IN = 1;
/** dns-packet refuses a name whose labels and their length bytes pass 254 octets. */
const MAX_NAME_TOTAL = 254;

/** RCODE names as dns-packet gives them (reply.ts passes its table). */
export function decodeCommonReply(reply: Buffer, questionEnd: number, rcode: string): DecodedReply | undefined {
  const end = reply.length;
  if (end < questionEnd) return undefined;
  const sections: DecodedRecord[][] = [[], [], []];
  let offset = questionEnd;
  let question: NameText | undefined;
  for (let s = 0; s < 3; s++) {
    const list = sections[s]!;
    for (let n = (reply[6 + 2 * s]! << 8) | reply[7 + 2 * s]!; n > 0; n--) {
      // The owner: most often a pointer to the question's name (RFC 1035 §4.1.4).
      let name: string;
      let p: number;
      if (reply[offset] === 0xc0 && reply[offset + 1] === HEADER_BYTES) {
        question ??= readName(reply, HEADER_BYTES, HEADER_BYTES);
        if (question === undefined) return undefined;
        name = question.text;
        p = offset + 2;
      } else {
        const owner = readName(reply, offset, offset);
        if (owner === undefined) return undefined;
        name = owner.text;
        p = owner.next;
      }
      if (p + 10 > end) return undefined;
      const type = (reply[p]! << 8) | reply[p + 1]!;
      const klass = (reply[p + 2]! << 8) | reply[p + 3]!;
      const ttl = reply.readUInt32BE(p + 4);
      const rdlength = (reply[p + 8]! << 8) | reply[p + 9]!;
      const data = p + 10;
      offset = data + rdlength;
      if (offset > end) return undefined;
      if (type === TYPE_A && rdlength === 4 && klass === CLASS_IN) {
        list.push({
          name,
          type: 'A',
          ttl,
          class: 'IN',
          flush: false,
          data: `${reply[data]}.${reply[data + 1]}.${reply[data + 2]}.${reply[data + 3]}`,
        } as DecodedRecord);
      } else if (type === TYPE_AAAA && rdlength === 16 && klass === CLASS_IN) {
        list.push({ name, type: 'AAAA', ttl, class: 'IN', flush: false, data: ipv6Text(reply, data) } as DecodedRecord);
      } else if (type === TYPE_OPT && rdlength === 0) {
        const flags = (reply[p + 6]! << 8) | reply[p + 7]!;
        list.push({
          name,
          type: 'OPT',
          udpPayloadSize: klass,
          extendedRcode: reply[p + 4]!,
          ednsVersion: reply[p + 5]!,
          flags,
          flag_do: flags >> 15 === 1,
          options: [],
        } as DecodedRecord);
      } else {
        return undefined;
      }
    }
  }
  return { rcode, answers: sections[0]!, authorities: sections[1]!, additionals: sections[2]! };
}

interface NameText {
  text: string;
  /** Offset just past the name where it was read (not where a pointer led). */
  next: number;
}

/**
 * RFC 1035 §3.1 / §4.1.4 name at `offset`, as dns-packet reads it: pointers only to
 * earlier bytes than the last place read from (`floor`), at most 254 octets of labels.
 * Labels with a byte >= 0x80 (dns-packet decodes them as UTF-8) give `undefined`.
 */
function readName(reply: Buffer, offset: number, floor: number): NameText | undefined {
  const end = reply.length;
  let text = '';
  let total = 0;
  let p = offset;
  let next = -1;
  for (;;) {
    if (p >= end) return undefined;
    const len = reply[p]!;
    if (len === 0) {
      if (next < 0) next = p + 1;
      return { text: total === 0 ? '.' : text, next };
    }
    if (len < 0x40) {
      const start = p + 1;
      p = start + len;
      if (p > end) return undefined;
      total += len + 1;
      if (total > MAX_NAME_TOTAL) return undefined;
      for (let i = start; i < p; i++) if (reply[i]! >= 0x80) return undefined;
      const label = reply.toString('latin1', start, p);
      text = text === '' ? label : `${text}.${label}`;
      continue;
    }
    if (len < 0xc0 || p + 2 > end) return undefined; // 0x40 and 0x80 are no label types here
    const target = ((len & 0x3f) << 8) | reply[p + 1]!;
    if (target >= floor) return undefined;
    if (next < 0) next = p + 2;
    floor = target;
    p = target;
  }
}

/**
 * IPv6 text as dns-packet gives it (its ip-codec): groups in lower-case hex without
 * leading zeros, then the first run of two or more zero groups (not the longest, as RFC
 * 5952 §4.2.3 would) written `::`.
 */
function ipv6Text(reply: Buffer, offset: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((reply[offset + i]! << 8) | reply[offset + i + 1]!);
  // Without ip-codec's two regex replaces: this runs for every AAAA record, between the
  // answer and the connection attempt.
  let from = 0;
  while (from < 7 && !(groups[from] === 0 && groups[from + 1] === 0)) from++;
  if (from === 7) return groups.map((g) => g.toString(16)).join(':');
  let to = from + 2;
  while (to < 8 && groups[to] === 0) to++;
  const hex = (g: number): string => g.toString(16);
  return `${groups.slice(0, from).map(hex).join(':')}::${groups.slice(to).map(hex).join(':')}`;
}
