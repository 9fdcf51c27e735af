import { CancelError as PCancelError } from 'p-cancelable';
import t from 'tap';
import {
  AbortError,
  AllAttemptsFailedError,
  AttemptError,
  CancelError,
  DnsError,
  InvalidArgumentError,
  TimeoutError,
  errorCode,
  mostTellingDnsError,
} from '../lib/errors.js';

t.test('DnsError speaks node:dns: code, hostname, syscall per record type', async (t) => {
  const cases = [
    { rrtype: 'A' as const, syscall: 'queryA', message: 'queryA ENOTFOUND A example.test (server 127.0.0.1:53)' },
    { rrtype: 'AAAA' as const, syscall: 'queryAaaa', message: 'queryAaaa ENOTFOUND AAAA example.test (server 127.0.0.1:53)' },
    { rrtype: undefined, syscall: 'getaddrinfo', message: 'getaddrinfo ENOTFOUND example.test (server 127.0.0.1:53)' },
  ];
  for (const c of cases) {
    const err = new DnsError('ENOTFOUND', { hostname: 'example.test', rrtype: c.rrtype, server: '127.0.0.1:53', negativeTtl: 30 });
    t.equal(err.code, 'ENOTFOUND');
    t.equal(err.syscall, c.syscall);
    t.equal(err.message, c.message);
    t.equal(err.hostname, 'example.test');
    t.equal(err.server, '127.0.0.1:53');
    t.equal(err.negativeTtl, 30);
    t.equal(err.name, 'DnsError');
  }
  const cause = new Error('inner');
  t.equal(new DnsError('ETIMEOUT', { hostname: 'x', cause }, 'custom').message, 'custom');
  t.equal(new DnsError('ETIMEOUT', { hostname: 'x', cause }).cause, cause);
});

t.test('InvalidArgumentError names the option and shows the value', async (t) => {
  const cases: Array<[unknown, string]> = [
    ['abc', '"abc"'],
    ['x'.repeat(100), `"${'x'.repeat(77)}..."`],
    [12n, '12n'],
    [() => 1, 'a function'],
    [{ a: 1 }, '{"a":1}'],
    [undefined, 'undefined'],
    [Symbol('s'), 'Symbol(s)'],
  ];
  for (const [value, shown] of cases) {
    const err = new InvalidArgumentError('port', value, 'an integer');
    t.equal(err.code, 'ERR_HE_INVALID_ARGUMENT');
    t.equal(err.option, 'port');
    t.equal(err.value, value);
    t.equal(err.message, `Invalid port: ${shown} (expected an integer)`);
    t.type(err, TypeError);
  }
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  t.equal(new InvalidArgumentError('o', circular, 'x').message, 'Invalid o: [object Object] (expected x)');
});

t.test('AttemptError and AllAttemptsFailedError list every address tried', async (t) => {
  const refused = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
  const a6 = new AttemptError({ address: '::1', port: 80, family: 6, durationMs: 1.4, phase: 'tcp' }, refused);
  const a4 = new AttemptError({ address: '127.0.0.1', port: 80, family: 4, durationMs: 12, phase: 'tls' }, new Error('x'));
  t.equal(a6.message, '[::1]:80 ECONNREFUSED after 1 ms');
  t.equal(a6.code, 'ECONNREFUSED');
  t.equal(a6.cause, refused);
  t.equal(a4.code, 'ERR_HE_ATTEMPT_FAILED');
  t.equal(a4.message, '127.0.0.1:80 TLS ERR_HE_ATTEMPT_FAILED after 12 ms');
  const all = new AllAttemptsFailedError('dual.test', 80, [a6, a4]);
  t.type(all, AggregateError);
  t.equal(all.code, 'ERR_HE_ALL_ATTEMPTS_FAILED');
  t.same(all.errors, [a6, a4]);
  t.equal(all.message, `connect to dual.test:80 failed; tried ${a6.message}, ${a4.message}`);
});

t.test('TimeoutError, AbortError and errorCode', async (t) => {
  const timeout = new TimeoutError('connect to x:1', 100);
  t.equal(timeout.code, 'ERR_HE_TIMEOUT');
  t.equal(timeout.timeout, 100);
  t.equal(timeout.message, 'connect to x:1 timed out after 100 ms');
  const abort = new AbortError('why');
  t.equal(abort.name, 'AbortError');
  t.equal(abort.code, 'ABORT_ERR');
  t.equal(abort.cause, 'why');
  t.equal(errorCode(abort), 'ABORT_ERR');
  t.equal(errorCode({ code: 1 }), undefined);
  t.equal(errorCode(null), undefined);
  t.equal(errorCode('ECONNREFUSED'), undefined);
});

t.test("CancelError: p-cancelable's (isCanceled, instanceof either), with a code", async (t) => {
  const err = new CancelError();
  t.type(err, PCancelError);
  t.match(err, { name: 'CancelError', code: 'ERR_HE_CANCELLED', isCanceled: true, message: 'Promise was canceled' });
});

t.test('mostTellingDnsError: ENOTFOUND, then any other failure, then ENODATA; the first on a tie', async (t) => {
  const e = (code: string, tag: string) => Object.assign(new Error(tag), { code });
  const pick = (...errors: unknown[]) => (mostTellingDnsError(errors) as Error | undefined)?.message;
  t.equal(pick(e('ENODATA', 'a'), e('ETIMEOUT', 'b'), e('ENOTFOUND', 'c')), 'c');
  t.equal(pick(e('ENODATA', 'a'), e('ESERVFAIL', 'b')), 'b');
  t.equal(pick(e('ETIMEOUT', 'a'), e('ESERVFAIL', 'b')), 'a', 'a tie: the first');
  t.equal(pick(new Error('no code'), e('ENODATA', 'b')), 'no code', 'an error without a code ranks with the failures');
  t.equal(mostTellingDnsError([]), undefined);
});
