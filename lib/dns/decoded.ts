/** A reply as decoded (dns-packet's shapes): what reply.ts and reply-fast.ts give, interpret.ts reads. */

/** One decoded record, as loosely as dns-packet gives it. */
export interface DecodedRecord {
  name: string;
  type: string;
  class?: string;
  /** Set on every record but OPT. */
  ttl?: number;
  data?: unknown;
  /** OPT only. */
  extendedRcode?: number;
}

/**
 * A decoded reply. dns-packet's decode always fills these fields (its types leave them
 * optional and omit `rcode`, the 4-bit header code as a name such as 'NXDOMAIN').
 */
export interface DecodedReply {
  rcode: string;
  answers: DecodedRecord[];
  authorities: DecodedRecord[];
  additionals: DecodedRecord[];
}
