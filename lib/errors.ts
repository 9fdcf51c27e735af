/**
 * Every error this library throws or rejects with. Match on `code`, never on
 * `message`: codes are stable across versions, messages are for people.
 */
import { CancelError as PCancelError } from 'p-cancelable';

/** A DNS failure, shaped like the errors of `node:dns` so existing checks keep working. */
export type DnsErrorCode =
  | 'ENOTFOUND' // NXDOMAIN: the name does not exist
  | 'ENODATA' // NODATA: the name exists but has no record of this type
  | 'ETIMEOUT' // no server answered within timeout × attempts
  | 'ESERVFAIL' // every server answered SERVFAIL
  | 'EREFUSED' // every server refused
  | 'ECONNREFUSED' // every server's port was closed (ICMP port unreachable)
  | 'EBADNAME' // the name is not a valid host name
  | 'EBADRESP' // every reply was malformed
  | 'ECANCELLED' // the query was cancelled
  | 'ECONNRESET' // a TCP exchange was cut
  // Not a Node code: the cache's queue of lookups waiting for an upstream slot was full
  // (`maxQueued`), so nothing was sent; ETIMEOUT would blame the servers.
  | 'EQUEUEFULL'
  // Not a Node code: a DoT/DoH server's certificate was refused (untrusted, wrong name,
  // expired). Node reports these with OpenSSL's codes (kept on `cause`); one code lets
  // callers tell "not trusted" from "not reachable". Never retried in plaintext.
  | 'ECERT'
  // getaddrinfo's own failures, as dns.lookup reports them (system backend): a temporary
  // failure (e.g. no DNS answer in time), a permanent one, out of memory, a system error.
  | 'EAI_AGAIN'
  | 'EAI_FAIL'
  | 'EAI_MEMORY'
  | 'EAI_SYSTEM';

export interface DnsErrorDetails {
  hostname: string;
  /** The record type asked for, when one was. */
  rrtype?: 'A' | 'AAAA' | 'HTTPS' | undefined;
  /** `ip:port` of the server whose answer decided the outcome, when one did. */
  server?: string | undefined;
  /** For negative answers: how long (seconds) the answer may be cached (RFC 2308). */
  negativeTtl?: number | undefined;
  cause?: unknown;
}

const syscallFor = (rrtype: 'A' | 'AAAA' | 'HTTPS' | undefined): string =>
  rrtype === 'AAAA' ? 'queryAaaa' : rrtype === 'A' ? 'queryA' : rrtype === 'HTTPS' ? 'queryHttps' : 'getaddrinfo';

export class DnsError extends Error {
  override name = 'DnsError';
  readonly code: DnsErrorCode;
  readonly errno: undefined = undefined;
  readonly hostname: string;
  readonly syscall: string;
  readonly rrtype: 'A' | 'AAAA' | 'HTTPS' | undefined;
  readonly server: string | undefined;
  readonly negativeTtl: number | undefined;

  constructor(code: DnsErrorCode, details: DnsErrorDetails, message?: string) {
    const what = details.rrtype ? `${details.rrtype} ${details.hostname}` : details.hostname;
    const where = details.server ? ` (server ${details.server})` : '';
    super(message ?? `${syscallFor(details.rrtype)} ${code} ${what}${where}`, { cause: details.cause });
    this.code = code;
    this.hostname = details.hostname;
    this.syscall = syscallFor(details.rrtype);
    this.rrtype = details.rrtype;
    this.server = details.server;
    this.negativeTtl = details.negativeTtl;
  }
}

/** An option or argument that cannot be used. Names the option and the value. */
export class InvalidArgumentError extends TypeError {
  override name = 'InvalidArgumentError';
  readonly code = 'ERR_HE_INVALID_ARGUMENT';
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, expected: string) {
    super(`Invalid ${option}: ${describe(value)} (expected ${expected})`);
    this.option = option;
    this.value = value;
  }
}

/** One connection attempt's failure, as kept in `AllAttemptsFailedError#errors`. */
export class AttemptError extends Error {
  override name = 'AttemptError';
  readonly code: string;
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  /** Milliseconds from the attempt's start to its failure. */
  readonly durationMs: number;
  /** `'tcp'` when the TCP connect failed, `'tls'` when the TLS handshake did. */
  readonly phase: 'tcp' | 'tls';

  constructor(info: { address: string; port: number; family: 4 | 6; durationMs: number; phase: 'tcp' | 'tls' }, cause: unknown) {
    const code = errorCode(cause) ?? 'ERR_HE_ATTEMPT_FAILED';
    const host = info.family === 6 ? `[${info.address}]` : info.address;
    super(`${host}:${info.port} ${info.phase === 'tls' ? 'TLS ' : ''}${code} after ${Math.round(info.durationMs)} ms`, {
      cause,
    });
    this.code = code;
    this.address = info.address;
    this.port = info.port;
    this.family = info.family;
    this.durationMs = info.durationMs;
    this.phase = info.phase;
  }
}

/** Every address was tried and every attempt failed (addresses the `policy` blocked were not tried). */
export class AllAttemptsFailedError extends AggregateError {
  override name = 'AllAttemptsFailedError';
  readonly code = 'ERR_HE_ALL_ATTEMPTS_FAILED';
  readonly hostname: string;
  readonly port: number;
  /** Addresses the `policy` option blocked: never connected to. */
  readonly blocked: string[];
  declare readonly errors: AttemptError[];

  constructor(hostname: string, port: number, errors: AttemptError[], blocked: string[] = []) {
    const skipped = blocked.length > 0 ? `; blocked by the address policy: ${blocked.join(', ')}` : '';
    super(errors, `connect to ${hostname}:${port} failed; tried ${errors.map((e) => e.message).join(', ')}${skipped}`);
    this.hostname = hostname;
    this.port = port;
    this.blocked = blocked;
  }
}

/**
 * The `policy` option blocked every address `hostname` has: nothing was connected to
 * (a `lookup` with a policy: every address it found). `port` is set for connections.
 */
export class AddressBlockedError extends Error {
  override name = 'AddressBlockedError';
  readonly code = 'ERR_HE_ADDRESS_BLOCKED';
  readonly hostname: string;
  readonly port: number | undefined;
  /** The addresses blocked, in the order they came up. */
  readonly addresses: string[];

  constructor(hostname: string, addresses: string[], port?: number) {
    const what = port === undefined ? `lookup ${hostname}` : `connect to ${hostname}:${port}`;
    super(`${what} blocked by the address policy: ${addresses.join(', ')}`);
    this.hostname = hostname;
    this.port = port;
    this.addresses = addresses;
  }
}

/** The whole operation did not finish within its `timeout`. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
  readonly code = 'ERR_HE_TIMEOUT';
  readonly timeout: number;

  constructor(what: string, timeout: number, cause?: unknown) {
    super(`${what} timed out after ${timeout} ms`, { cause });
    this.timeout = timeout;
  }
}

/** The caller's AbortSignal fired. `name` is `AbortError`, as in Node core. */
export class AbortError extends Error {
  override name = 'AbortError';
  readonly code = 'ABORT_ERR';

  constructor(cause?: unknown) {
    super('The operation was aborted', { cause });
  }
}

/**
 * `cancel()` was called on connect()'s promise. It is p-cancelable's CancelError
 * (`isCanceled`, `instanceof` works with either), with a stable `code`.
 */
export class CancelError extends PCancelError {
  readonly code = 'ERR_HE_CANCELLED';
}

/**
 * The most telling of several DNS failures, when no address came at all: a name that
 * does not exist (`ENOTFOUND`) first, so checks of `err.code === 'ENOTFOUND'` behave as
 * with getaddrinfo; then failures that explain the silence (`ESERVFAIL`, `ETIMEOUT`,
 * `EREFUSED`, anything else: the records may exist); "no record of that type"
 * (`ENODATA`) last. On a tie the first given wins. `undefined` for no errors.
 */
export function mostTellingDnsError<E>(errors: readonly E[]): E | undefined {
  const rank = (err: unknown): number => {
    const code = errorCode(err);
    return code === 'ENOTFOUND' ? 0 : code === 'ENODATA' ? 2 : 1;
  };
  let best = -1;
  for (let i = 0; i < errors.length; i++) if (best < 0 || rank(errors[i]) < rank(errors[best])) best = i;
  return best < 0 ? undefined : errors[best];
}

/** Reads `code` off an unknown thrown value. */
export function errorCode(err: unknown): string | undefined {
  if (err !== null && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
