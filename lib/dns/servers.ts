/**
 * Servers × attempts, as resolv.conf(5) defines them: each round asks every server in
 * turn, one try each; a reply that settles the question (records, NXDOMAIN, NODATA, a
 * CNAME to follow) ends the search, anything else moves on to the next server at once.
 */
import type { DnsErrorCode } from '../errors.js';
import type { CancelScope } from './cancel.js';
import { exchange, type TryContext } from './exchange.js';
import { interpret, type ChainSoFar, type Outcome, type ServerFailureCode } from './interpret.js';
import type { TransportFailureCode } from './transport.js';
import type { Question } from './query.js';
import type { DnsServer } from './types.js';

/** The client's servers and attempts, with what each try needs (made once per client). */
export interface ServerPlan extends TryContext {
  servers: readonly DnsServer[];
  attempts: number;
}

/** A settled outcome and who said it, or why no server could say. */
export type Asked =
  | { kind: 'settled'; outcome: Exclude<Outcome, { kind: 'failure' }>; server: DnsServer }
  | { kind: 'failed'; code: DnsErrorCode; server: DnsServer | undefined; cause: unknown };

interface Failure {
  code: TransportFailureCode | ServerFailureCode;
  server: DnsServer;
  cause: unknown;
}

/** `first`: index of the server asked first (rotate moves it per query). */
export async function askServers(plan: ServerPlan, first: number, question: Question, chain: ChainSoFar, scope: CancelScope): Promise<Asked> {
  const { servers } = plan;
  const failures: Failure[] = [];
  for (let round = 0; round < plan.attempts; round++) {
    for (let i = 0; i < servers.length; i++) {
      const server = servers[(first + i) % servers.length]!;
      const result = await exchange(server, question, plan, scope);
      if (result.kind === 'failure') {
        failures.push({ code: result.code, server, cause: result.cause });
        continue;
      }
      const outcome = interpret(result.reply, question.name, question.type, chain);
      if (outcome.kind !== 'failure') return { kind: 'settled', outcome, server };
      failures.push({ code: outcome.code, server, cause: new Error(outcome.reason) });
    }
  }
  return { kind: 'failed', ...decidingFailure(failures) };
}

/**
 * A refused certificate first: it is a security or configuration problem the user must
 * see, whatever the other servers did. Then a server that answered says more than one
 * that did not: SERVFAIL, then REFUSED, then a bad reply, a cut TCP stream, a timeout;
 * ECONNREFUSED only when every server refused.
 */
const PRECEDENCE: readonly Failure['code'][] = ['ECERT', 'ESERVFAIL', 'EREFUSED', 'EBADRESP', 'ECONNRESET', 'ETIMEOUT', 'ECONNREFUSED'];

function decidingFailure(failures: Failure[]): { code: DnsErrorCode; server: DnsServer | undefined; cause: unknown } {
  for (const code of PRECEDENCE) {
    for (let i = failures.length - 1; i >= 0; i--) if (failures[i]!.code === code) return failures[i]!;
  }
  /* c8 ignore next 2 -- attempts >= 1 and servers non-empty: at least one failure is recorded */
  return { code: 'ETIMEOUT', server: undefined, cause: undefined };
}
