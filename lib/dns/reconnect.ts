/**
 * What DoT and DoH share about connecting: how a failed connect is reported, and the
 * exponential backoff after failed connects. While a server is backing off, a try fails
 * at once with the last failure, so the client moves on to the next server instead of
 * opening connection after connection to a server that just refused one.
 */
import type { Clock } from '../clock.js';
import { errorCode } from '../errors.js';
import type { TransportFailure } from './transport.js';

/**
 * OpenSSL's certificate verification results as Node names them (X509_V_ERR_* without
 * the prefix), and Node's own host name check.
 */
const CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);

/** Whether a TLS error is the peer's certificate being refused. */
export function isCertificateError(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && CERTIFICATE_CODES.has(code);
}

/**
 * A connect that failed before the TLS handshake completed: ECERT when the certificate
 * was refused (never retried over plaintext), else ECONNREFUSED ("the server could not
 * be reached": refused, unreachable, TLS handshake failed, DoH host not resolved), with
 * Node's error as the cause.
 */
export function connectFailure(err: unknown): TransportFailure {
  return { kind: 'failure', code: isCertificateError(err) ? 'ECERT' : 'ECONNREFUSED', cause: err };
}

/** Consecutive connect failures of one server, and when it may be tried again. */
export class Backoff {
  #failures = 0;
  #retryAt = 0;
  #last: TransportFailure | undefined;

  constructor(
    readonly clock: Clock,
    readonly initialMs: number,
    readonly maxMs: number,
  ) {}

  /** The last failure while backing off; undefined when a connect may be tried. */
  blocked(): TransportFailure | undefined {
    return this.#last !== undefined && this.clock.now() < this.#retryAt ? this.#last : undefined;
  }

  /** A connect failed: wait initial × 2^(failures - 1), at most max, before the next. */
  failed(failure: TransportFailure): void {
    this.#failures++;
    this.#last = failure;
    const delay = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.#failures - 1, 30));
    this.#retryAt = this.clock.now() + delay;
  }

  /** A handshake completed: the next failure starts from the initial delay again. */
  succeeded(): void {
    this.#failures = 0;
    this.#last = undefined;
  }
}
