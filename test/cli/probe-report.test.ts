import t from 'tap';
import { dnsFamilyReport, reportError, ATTEMPT_OUTCOMES, FAMILIES, RECORD_TYPE } from '../../lib/cli/probe-report.js';
import type { Answer, AnswerSource } from '../../lib/dns/types.js';

// Shaped like lib/errors.ts DnsError / TimeoutError (not imported: its coverage is its own tests').
const dnsError = (code: string, message: string, server?: string): Error =>
  Object.assign(new Error(message), { name: 'DnsError', code, hostname: 'a.test', server });
const timeoutError = (message: string): Error => Object.assign(new Error(message), { name: 'TimeoutError', code: 'ERR_HE_TIMEOUT' });

t.test('reportError keeps a stable code and the message', async (t) => {
  const dns = dnsError('ENODATA', 'queryAaaa ENODATA AAAA a.test');
  t.strictSame(reportError(dns), { code: 'ENODATA', message: 'queryAaaa ENODATA AAAA a.test' });
  t.strictSame(reportError(timeoutError('probe timed out after 100 ms')), { code: 'ERR_HE_TIMEOUT', message: 'probe timed out after 100 ms' });
  t.strictSame(reportError(Object.assign(new Error('x'), { code: 42 })), { code: 'Error', message: 'x' }, 'a code that is not a string');
  t.strictSame(reportError(new RangeError('bad')), { code: 'RangeError', message: 'bad' }, 'no code: the name');
  t.strictSame(reportError({ code: 'EPIPE' }), { code: 'EPIPE', message: '[object Object]' });
  t.strictSame(reportError('boom'), { code: 'ERR_UNKNOWN', message: 'boom' });
});

const answer = (source: AnswerSource, server?: string): Answer => ({
  name: 'www.a.test',
  type: 'AAAA',
  records: [
    { address: '2001:db8::1', ttl: 300 },
    { address: '2001:db8::2', ttl: 299 },
  ],
  ttl: 299,
  cnames: ['cdn.a.test'],
  server,
  source,
});

for (const source of ['dns', 'cache', 'stale'] as const) {
  t.test(`an answer from ${source} keeps its TTLs`, async (t) => {
    t.strictSame(dnsFamilyReport('AAAA', { answer: answer(source, '127.0.0.1:5300') }, 12.5), {
      type: 'AAAA',
      addresses: [
        { address: '2001:db8::1', ttl: 300 },
        { address: '2001:db8::2', ttl: 299 },
      ],
      ms: 12.5,
      error: null,
      cnames: ['cdn.a.test'],
      server: '127.0.0.1:5300',
      source,
    });
  });
}

for (const source of ['literal', 'hosts'] as const) {
  t.test(`an answer from ${source} has no TTLs and no server`, async (t) => {
    const report = dnsFamilyReport('AAAA', { answer: answer(source) }, 0);
    t.strictSame(
      report.addresses.map((a) => a.ttl),
      [null, null],
    );
    t.equal(report.server, null);
    t.equal(report.source, source);
  });
}

t.test('a DNS error becomes an empty family with the error and the server it names', async (t) => {
  const err = dnsError('ESERVFAIL', 'queryA ESERVFAIL A a.test (server 127.0.0.1:53)', '127.0.0.1:53');
  t.strictSame(dnsFamilyReport('A', { error: err }, 40), {
    type: 'A',
    addresses: [],
    ms: 40,
    error: { code: 'ESERVFAIL', message: err.message },
    cnames: [],
    server: '127.0.0.1:53',
  });
  t.equal(dnsFamilyReport('A', { error: dnsError('ETIMEOUT', 'queryA ETIMEOUT A a.test') }, 1).server, null);
  t.equal(dnsFamilyReport('A', { error: timeoutError('dns timed out after 5 ms') }, 5).server, null, 'no server field');
  t.equal(dnsFamilyReport('A', { error: null }, 5).error?.code, 'ERR_UNKNOWN');
  t.equal(dnsFamilyReport('A', { error: { server: 53 } }, 5).server, null, 'a server that is not a string');
});

t.test('shared constants', async (t) => {
  t.strictSame(FAMILIES, ['ipv6', 'ipv4'], 'IPv6 first (RFC 8305 §4)');
  t.strictSame(RECORD_TYPE, { ipv6: 'AAAA', ipv4: 'A' });
  t.strictSame(ATTEMPT_OUTCOMES, ['won', 'connected', 'failed', 'timeout', 'abandoned']);
});
