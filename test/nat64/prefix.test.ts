/** RFC 6052 §2: the address format, checked against the RFC's own examples (§2.4). */
import t from 'tap';
import { embedIPv4, extractIPv4, formatIPv6, parseNat64Prefix, PREFIX_LENGTHS } from '../../lib/nat64/prefix.js';
import { toBytes16 } from '../../lib/system/ip.js';

// RFC 6052 §2.4, Table 1 (the /96 row written without the dotted tail).
const TABLE: Array<[string, string]> = [
  ['2001:db8::/32', '2001:db8:c000:221::'],
  ['2001:db8:100::/40', '2001:db8:1c0:2:21::'],
  ['2001:db8:122::/48', '2001:db8:122:c000:2:2100::'],
  ['2001:db8:122:300::/56', '2001:db8:122:3c0:0:221::'],
  ['2001:db8:122:344::/64', '2001:db8:122:344:c0:2:2100:0'],
  ['2001:db8:122:344::/96', '2001:db8:122:344::c000:221'],
];

t.test('V8: 192.0.2.33 under each prefix length is RFC 6052 §2.4 Table 1, and comes back out', async (t) => {
  for (const [text, expected] of TABLE) {
    const prefix = parseNat64Prefix(text)!;
    t.equal(prefix.text, text, `${text} parses and prints back`);
    t.equal(embedIPv4(prefix, '192.0.2.33'), expected, `${text}: embedded`);
    const back = extractIPv4(toBytes16(expected), prefix.length);
    t.equal(back?.ipv4, '192.0.2.33', `${text}: extracted`);
    t.equal(back?.prefix.text, text, `${text}: the prefix it sits under`);
  }
  t.equal(embedIPv4(parseNat64Prefix('64:ff9b::/96')!, '198.51.100.7'), '64:ff9b::c633:6407', 'the well-known prefix');
  t.equal(embedIPv4(parseNat64Prefix('64:ff9b::/96')!, 'not-an-ip'), undefined);
  t.same(PREFIX_LENGTHS, [32, 40, 48, 56, 64, 96]);
});

t.test('extraction refuses what RFC 6052 never produces: u octet or suffix set', async (t) => {
  t.equal(extractIPv4(toBytes16('2001:db8:122:344:ff00::'), 64), undefined, 'u octet (bits 64-71) not zero');
  t.equal(extractIPv4(toBytes16('2001:db8:c000:221::1'), 32), undefined, 'suffix not zero');
  t.equal(extractIPv4(toBytes16('2001:db8:122:344::c000:221'), 96)?.ipv4, '192.0.2.33');
});

t.test('prefix parsing: RFC 6052 lengths only, nothing set past the length, u octet zero', async (t) => {
  for (const bad of [
    '64:ff9b::/95',
    '64:ff9b::/128',
    '64:ff9b::',
    '64:ff9b::/',
    '192.0.2.0/24',
    '2001:db8::1/32',
    '2001:db8:0:0:ff00::/96',
    'fe80::%eth0/64',
    'x/96',
    42,
    undefined,
    null,
  ]) {
    t.equal(parseNat64Prefix(bad), undefined, `refused: ${String(bad)}`);
  }
  const p = parseNat64Prefix('2001:DB8:0064:0000::/64')!;
  t.equal(p.text, '2001:db8:64::/64', 'canonical text');
  t.equal(p.length, 64);
});

t.test('RFC 5952 text: lowercase, no leading zeros, the longest zero run (first on a tie), never one group', async (t) => {
  const cases: Array<[string, string]> = [
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['0:0:0:0:0:0:0:1', '::1'],
  ];
  for (const [input, expected] of cases) t.equal(formatIPv6(toBytes16(input)), expected, input);
});
