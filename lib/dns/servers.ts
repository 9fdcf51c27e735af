/**
 * Servers × attempts, as resolv.conf(5) defines them: each round asks every server in
 * turn, one try each; a reply that settles the question (records, NXDOMAIN, NODATA, a
 * CNAME to follow) ends the search, anything else moves on to the next server at once
 * (the loop itself is NameLookup's, name-lookup.ts). Here: the plan, and which failure
 * speaks for all when no server settled the question.
 */
import type { DnsErrorCode } from '../errors.js';
import type { TryContext } from './exchange.js';
import type { ServerFailureCode } from './interpret.js';
import type { TransportFailureCode } from './transport.js';
import type { DnsServer } from './types.js';

/** The client's servers and attempts, with what each try needs (made once per client). */
export interface ServerPlan extends TryContext {
  servers: readonly DnsServer[];
  attempts: number;
  /** `Answer.server` of each server, made once. */
  serverKeys: ReadonlyMap<DnsServer, string>;
}

/** Why one try at one server gave no settled outcome. */
export interface Failure {
  code: TransportFailureCode | ServerFailureCode;
  server: DnsServer;
  cause: unknown;
}

/**
 * A refused certificate first: it is a security or configuration problem the user must
 * see, whatever the other servers did. Then a server that answered says more than one
 * that did not: SERVFAIL, then REFUSED, then a bad reply, a cut TCP stream, a timeout;
 * ECONNREFUSED only when every server refused.
 */
const PRECEDENCE: readonly Failure['code'][] = ['ECERT', 'ESERVFAIL', 'EREFUSED', 'EBADRESP', 'ECONNRESET', 'ETIMEOUT', 'ECONNREFUSED'];

export function decidingFailure(failures: Failure[]): { code: DnsErrorCode; server: DnsServer | undefined; cause: unknown } {
  for (const code of PRECEDENCE) {
    for (let i = failures.length - 1; i >= 0; i--) if (failures[i]!.code === code) return failures[i]!;
  }
  /* c8 ignore next 2 -- attempts >= 1 and servers non-empty: at least one failure is recorded */
  return { code: 'ETIMEOUT', server: undefined, cause: undefined };
}
