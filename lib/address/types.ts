/** The shapes address ordering and the racer share. */

export type Family = 4 | 6;

/** One address to connect to. */
export interface Candidate {
  address: string;
  family: Family;
}

/**
 * Puts candidates in connection order (production: RFC 6724 sort, then family
 * interleaving). It may only reorder: addresses it leaves out are appended in their
 * given order, unknown ones are ignored. If it throws or rejects, the race ends with
 * that error.
 */
export type OrderFunction = (candidates: Candidate[]) => Candidate[] | Promise<Candidate[]>;
