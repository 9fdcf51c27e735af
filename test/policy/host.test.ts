/**
 * Host strings under a policy, against Node's WHATWG URL parser (Ada) as the reference:
 * a numeric host must name the same IPv4 address the URL parser makes of it, and what
 * the URL parser refuses is refused.
 */
import t from 'tap';
import { InvalidArgumentError } from '../../lib/errors.js';
import { endsInNumber, hostUnderPolicy, parseUrlIPv4, parseUrlIPv4Number } from '../../lib/policy/host.js';
import { Rng } from '../../scripts/harness/fuzz-rng.js';

/** What the URL parser makes of `host`, or undefined when it refuses it. */
function urlHost(host: string): string | undefined {
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return undefined;
  }
}

function ours(host: string): string | undefined {
  try {
    return hostUnderPolicy(host, 'host');
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    return undefined;
  }
}

t.test('the classic numeric spellings of 127.0.0.1 and 169.254.169.254', async (t) => {
  const cases: Array<[string, string]> = [
    ['2130706433', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0X7F000001', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['0177.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['0x7f.0x0.0x0.0x1', '127.0.0.1'],
    ['0177.0.0.01', '127.0.0.1'],
    ['127.0.0.1.', '127.0.0.1'],
    ['0x000000000007f.0x0.0x0000.0x0000000000000000000000001', '127.0.0.1'],
    ['2852039166', '169.254.169.254'],
    ['0xa9fea9fe', '169.254.169.254'],
    ['0251.0376.0251.0376', '169.254.169.254'],
    ['0xa9.0xfe.0xa9.0xfe', '169.254.169.254'],
    ['169.254.43518', '169.254.169.254'],
    ['169.16689662', '169.254.169.254'],
    ['0', '0.0.0.0'],
    ['0x', '0.0.0.0'],
    ['00000', '0.0.0.0'],
    ['4294967295', '255.255.255.255'],
  ];
  for (const [host, address] of cases) {
    t.equal(hostUnderPolicy(host, 'host'), address, host);
    t.equal(urlHost(host), address, `${host}: the URL parser agrees`);
  }
});

t.test('a numeric last label that makes no IPv4 address is refused, never sent to DNS', async (t) => {
  for (const host of [
    '4294967296',
    '256.1.1.1',
    '1.2.3.4.5',
    '1.256.1.1',
    '127.0.0.09',
    '08.1',
    '0x7g.1',
    'example.123',
    'foo.0x',
    '127..1',
    '1.2.3.4.5.',
    '999999999999999999999999',
  ]) {
    const err = t.throws(() => hostUnderPolicy(host, 'host'), InvalidArgumentError, host) as InvalidArgumentError;
    t.match(err, { code: 'ERR_HE_INVALID_ARGUMENT', option: 'host', value: host });
    t.equal(urlHost(host), undefined, `${host}: the URL parser refuses it too`);
  }
});

t.test('Unicode hosts are mapped by UTS #46 first: full-width and enclosed digits are IPv4 literals', async (t) => {
  const cases: Array<[string, string]> = [
    ['１２７．０．０．１', '127.0.0.1'],
    ['127。0。0。1', '127.0.0.1'],
    ['①②⑦.⓪.⓪.①', '127.0.0.1'],
    ['⑯⑨｡②⑤④｡⑯⑨｡②⑤④', '169.254.169.254'],
    ['ⓛⓞⓒⓐⓛⓗⓞⓢⓣ', 'localhost'],
    ['LOCALHOST', 'LOCALHOST'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['ＥＸＡＭＰＬＥ.test', 'example.test'],
  ];
  for (const [host, expected] of cases) t.equal(hostUnderPolicy(host, 'host'), expected, host);
  for (const bad of ['a\u200db.example', 'ü/evil.example', 'ü@127.0.0.1', 'ü%2e.example', '\u00ad', 'ü:80']) {
    t.throws(() => hostUnderPolicy(bad, 'hostname'), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'hostname' }, JSON.stringify(bad));
  }
});

t.test('IP literals and ordinary names pass unchanged', async (t) => {
  for (const host of [
    '127.0.0.1',
    '::1',
    'fe80::1%eth0',
    '::ffff:127.0.0.1',
    'example.com',
    'Example.COM',
    '_acme.example',
    'localhost.',
    'a.b.c',
    '1a.example',
    'example.0x7g',
  ]) {
    t.equal(hostUnderPolicy(host, 'host'), host, host);
  }
});

t.test('20,000 random numeric hosts: the same IPv4 address as the URL parser, or refused by both', async (t) => {
  const rng = new Rng(19, 4);
  const disagree: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const count = rng.range(1, 5);
    const parts: string[] = [];
    for (let p = 0; p < count; p++) {
      const last = p === count - 1;
      const value = rng.chance(0.1) ? rng.int(0x200) : last ? rng.u32() : rng.int(256);
      const radix = rng.pick([10, 8, 16]);
      const digits = value.toString(radix);
      const zeros = '0'.repeat(rng.chance(0.3) ? rng.int(4) : 0);
      const cased = rng.chance(0.5) ? digits.toUpperCase() : digits;
      parts.push(radix === 16 ? `0${rng.pick(['x', 'X'])}${zeros}${cased}` : radix === 8 ? `0${zeros}${digits}` : digits);
    }
    let host = parts.join('.');
    if (rng.chance(0.1)) host += '.';
    if (rng.chance(0.05)) host = host.replace(/\d/, rng.pick(['g', '9', '']));
    // The URL parser also lowercases names; only the numeric reading is compared.
    const expected = urlHost(host)?.toLowerCase();
    if (ours(host)?.toLowerCase() !== expected) disagree.push(`${host}: URL ${expected}, ours ${ours(host)}`);
  }
  t.same(disagree.slice(0, 10), []);
});

t.test('the WHATWG steps one by one', async (t) => {
  t.ok(endsInNumber('a.1'));
  t.ok(endsInNumber('a.0x'));
  t.ok(endsInNumber('a.1.'));
  t.notOk(endsInNumber('.'));
  t.notOk(endsInNumber(''));
  t.notOk(endsInNumber('a.b1'));
  t.notOk(endsInNumber('a..'));
  t.equal(parseUrlIPv4Number(''), -1);
  t.equal(parseUrlIPv4Number('0x'), 0);
  t.equal(parseUrlIPv4Number('0'), 0);
  t.equal(parseUrlIPv4Number('010'), 8);
  t.equal(parseUrlIPv4Number('0x1F'), 31);
  t.equal(parseUrlIPv4Number('09'), -1);
  t.equal(parseUrlIPv4('1.2.3.4'), 0x01020304);
  t.equal(parseUrlIPv4('1.2.3.4.'), 0x01020304);
  t.equal(parseUrlIPv4('1.16777216'), -1, 'the last part must fit the bytes left (3 here)');
  t.equal(parseUrlIPv4('1.16777215'), 0x01ffffff);
  t.equal(parseUrlIPv4('127.0.0.0x'), 0x7f000000, 'a bare 0x is zero');
});
