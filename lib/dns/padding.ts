/**
 * EDNS(0) Padding (RFC 7830) for queries over encrypted transports: the length of an
 * encrypted query would otherwise tell an observer which name was asked. Queries are
 * padded to a multiple of 128 octets, the block length RFC 8467 §4.1 recommends to
 * clients. Plain UDP and TCP queries are never padded (RFC 7830 §6: padding helps only
 * under encryption).
 */
import type { Question, SentQuery } from './query.js';

/** RFC 7830 §3: the Padding option's code. */
export const OPTION_PADDING = 12;
/** RFC 8467 §4.1: "Clients SHOULD pad queries to the closest multiple of 128 octets." */
export const QUERY_BLOCK = 128;
/** An option's code and length fields (RFC 6891 §6.1.2). */
const OPTION_HEADER = 4;
/** query.ts ends its template with the OPT record: root name, TYPE, CLASS, TTL, RDLEN. */
const OPT_BYTES = 11;

/**
 * The question's query under `id`, with a Padding option appended to its OPT record.
 * A new buffer every time: the template is never written to.
 */
export function paddedQuery(question: Question, id: number): SentQuery {
  const { name, type, template, questionEnd } = question;
  const unpadded = template.length;
  /* c8 ignore next -- query.ts always ends the template with an empty OPT record */
  if (unpadded !== questionEnd + OPT_BYTES) throw new Error('query template without a trailing empty OPT record');
  const padding = paddingLength(unpadded + OPTION_HEADER, QUERY_BLOCK);
  // Buffer.alloc: padding octets are zeros (RFC 7830 §3).
  const packet = Buffer.alloc(unpadded + OPTION_HEADER + padding);
  template.copy(packet, 0, 0, unpadded);
  packet.writeUInt16BE(id, 0);
  packet.writeUInt16BE(OPTION_HEADER + padding, unpadded - 2); // the OPT record's RDLEN
  packet.writeUInt16BE(OPTION_PADDING, unpadded);
  packet.writeUInt16BE(padding, unpadded + 2);
  return { id, name, type, packet, questionEnd };
}

/** Octets that bring `length` up to the next multiple of `block` (0 when it is one). */
export function paddingLength(length: number, block: number): number {
  return (block - (length % block)) % block;
}
