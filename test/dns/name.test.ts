import fc from 'fast-check';
import t from 'tap';
import { caught } from '../helpers/caught.js';
import { DnsError } from '../../lib/errors.js';
import {
  MAX_LABEL_OCTETS,
  MAX_NAME_OCTETS,
  canonicalName,
  endsWithAscii,
  describeProblem,
  isLocalhostName,
  isPlainHostname,
  isValidHostname,
  normalizeHostname,
} from '../../lib/dns/name.js';

const label63 = 'a'.repeat(63);
// Four labels: 63 + 63 + 63 + 61 octets + 3 dots = 253 octets.
const name253 = `${label63}.${label63}.${label63}.${'b'.repeat(61)}`;

const valid: string[] = [
  'example.com',
  'Example.COM',
  'example.com.',
  'localhost',
  'a',
  'xn--bcher-kva.example',
  '_acme-challenge.example.org',
  '_sip._udp.example',
  'my_host.lan',
  '-weird-.example',
  '123.example',
  '1.2.3.4',
  `${label63}.example`,
  name253,
  `${name253}.`,
];

for (const name of valid) {
  t.test(`valid: ${name.length > 40 ? `${name.length} octets` : name}`, async (t) => {
    t.equal(normalizeHostname(name), name, 'returned unchanged, case kept');
    t.equal(isValidHostname(name), true);
  });
}

const invalid: Array<[unknown, RegExp, string]> = [
  ['', /is empty/, ''],
  ['.', /is empty/, '.'],
  ['..', /empty label/, '..'],
  ['.example.com', /empty label/, '.example.com'],
  ['example..com', /empty label/, 'example..com'],
  ['example.com..', /empty label/, 'example.com..'],
  [`${'a'.repeat(64)}.example`, /label of 64 octets \(at most 63\)/, `${'a'.repeat(64)}.example`],
  [`${name253}x`, /is 254 octets long \(at most 253\)/, `${name253}x`],
  ['exa mple.com', /contains a space/, 'exa mple.com'],
  ['example.com\n', /control character 0x0a/, 'example.com\n'],
  ['exa\u0000mple', /control character 0x00/, 'exa\u0000mple'],
  ['exa\u007fmple', /control character 0x7f/, 'exa\u007fmple'],
  ['bücher.example', /non-ASCII character "ü": use its punycode \(xn--\) form/, 'bücher.example'],
  ['例え.jp', /non-ASCII/, '例え.jp'],
  ['😀.example', /non-ASCII character "😀"/, '😀.example'],
  ['https://example.com/', /contains ":" \(a URL or host:port is not a host name\)/, 'https://example.com/'],
  ['example.com:443', /contains ":"/, 'example.com:443'],
  ['example.com/path', /contains "\/"/, 'example.com/path'],
  ['*.example.com', /contains "\*"$/, '*.example.com'],
  ['exa\\mple.com', /contains "\\"/, 'exa\\mple.com'],
  ['[::1]', /contains "\["/, '[::1]'],
  [undefined, /must be a string, got undefined/, 'undefined'],
  [null, /must be a string, got null/, ''],
  [42, /must be a string, got number/, '42'],
  [{ toString: () => 'x' }, /must be a string, got object/, ''],
  [Symbol('s'), /must be a string, got symbol/, ''],
  [() => 'x', /must be a string, got function/, ''],
];

for (const [name, message, hostname] of invalid) {
  t.test(`invalid: ${typeof name === 'string' ? JSON.stringify(name.length > 40 ? `${name.slice(0, 20)}...` : name) : typeof name}`, async (t) => {
    t.equal(isValidHostname(name), false);
    const err = caught(() => normalizeHostname(name));
    t.type(err, DnsError);
    t.match(err, { name: 'DnsError', code: 'EBADNAME', hostname, message });
  });
}

t.test('limits are the RFC 1035 ones', async (t) => {
  t.equal(MAX_LABEL_OCTETS, 63);
  t.equal(MAX_NAME_OCTETS, 253);
});

const canonical: Array<[string, string]> = [
  ['Example.COM', 'example.com'],
  ['example.com.', 'example.com'],
  ['WWW.Example.Com.', 'www.example.com'],
  ['localhost', 'localhost'],
  ['.', ''],
];

for (const [name, want] of canonical) {
  t.test(`canonicalName(${name}) = ${want}`, async (t) => {
    t.equal(canonicalName(name), want);
  });
}

t.test('the one-pass check accepts exactly the names the full check finds no problem in', async (t) => {
  const chars = ['a', 'Z', '0', '9', '-', '_', '.', '.', ' ', '/', ':', '\u00e9', '\u212a', '\x7f'];
  // Labels up to 70 and names up to ~260 octets, so both length limits are crossed.
  const label = fc.oneof(
    fc.string({ unit: fc.constantFrom(...chars), maxLength: 8 }),
    fc.integer({ min: 60, max: 70 }).map((n) => 'x'.repeat(n)),
  );
  const name = fc.array(label, { maxLength: 6 }).chain((labels) => fc.constantFrom('', '.', '..').map((end) => labels.join('.') + end));
  fc.assert(
    fc.property(name, (s) => isPlainHostname(s) === (describeProblem(s) === undefined)),
    { numRuns: 20_000 },
  );
  for (const s of [...valid, name253, `${name253}.`, `${name253}x`, '', '.', 'a..b', '.a', 'a.', `${label63}x.test`]) {
    t.equal(isPlainHostname(s), describeProblem(s) === undefined, JSON.stringify(s).slice(0, 40));
  }
});

t.test('isLocalhostName', async (t) => {
  for (const name of ['localhost', 'LOCALHOST', 'localhost.', 'a.localhost', 'a.b.LocalHost.']) t.ok(isLocalhostName(name), name);
  for (const name of ['', 'localhost.com', 'mylocalhost', 'localhost.localdomain', 'a.localhostx']) t.notOk(isLocalhostName(name), name);
});

t.test('endsWithAscii: a suffix in any ASCII case, one trailing dot allowed, no other character taken for a letter', async (t) => {
  for (const [name, suffix] of [
    ['a.LocalHost.', 'localhost'],
    ['ONION', 'onion'],
    ['x.invalid', 'invalid'],
  ]) {
    t.ok(endsWithAscii(name!, suffix!), `${name} ends with ${suffix}`);
  }
  for (const [name, suffix] of [
    ['host', 'localhost'],
    ['localhost..', 'localhost'],
    ['onio\u00ee', 'onion'], // î is 0xee: | 0x20 keeps it 0xee
    ['onio\u004e', 'onion'], // N: a letter, so this one matches
  ]) {
    t.equal(endsWithAscii(name!, suffix!), name === 'onio\u004e', `${JSON.stringify(name)} / ${suffix}`);
  }
  // Exhaustively: a character matches a lower-case letter exactly when it is that letter in either case.
  for (let code = 0; code < 0x250; code++) {
    for (const letter of 'az') {
      const want = String.fromCharCode(code).toLowerCase() === letter && code < 0x80;
      if (endsWithAscii(String.fromCharCode(code), letter) !== want) t.fail(`0x${code.toString(16)} vs ${letter}`);
    }
  }
});
