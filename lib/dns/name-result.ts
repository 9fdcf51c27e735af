/** What asking one name for one type gave, and the DnsError it becomes. */
import { DnsError, errorCode, type DnsErrorCode } from '../errors.js';
import { serverKey } from './transport.js';
import type { Answer, DnsServer, RecordType, ServiceAnswer } from './types.js';

/** Why one name gave no answer; turned into a `DnsError` naming the name as asked. */
export interface NameFailure {
  code: DnsErrorCode;
  server: DnsServer | undefined;
  negativeTtl?: number | undefined;
  cause?: unknown;
}

export type NameResult = { kind: 'answer'; answer: Answer | ServiceAnswer } | ({ kind: 'error' } & NameFailure);

export function nameError(hostname: string, rrtype: RecordType, failure: NameFailure): DnsError {
  const server = failure.server && serverKey(failure.server);
  const error = new DnsError(failure.code, { hostname, rrtype, server, negativeTtl: failure.negativeTtl, cause: failure.cause });
  // A refused certificate is acted on by a person: say why in the message itself.
  if (failure.code === 'ECERT') error.message += `: certificate refused: ${(failure.cause as Error).message} (${errorCode(failure.cause)})`;
  return error;
}
