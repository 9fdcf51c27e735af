import t from 'tap';
import { parseIp } from '../../lib/address/ip-bytes.js';
import { DEFAULT_POLICY_TABLE, policyOf, policyTableFrom, preferredFamily, scopeOf } from '../../lib/address/policy-table.js';
import { keysRemembered, sortDestinations } from '../../lib/address/rfc6724.js';
import { parseGaiConf } from '../../lib/system/gai-conf.js';

const ip = (address: string) => parseIp(address)!;
const table = (text: string) => policyTableFrom(parseGaiConf(text));

t.test('no gai.conf lines: RFC 6724 default table, IPv6 preferred', async (t) => {
  t.equal(table(''), DEFAULT_POLICY_TABLE);
  t.equal(preferredFamily(), 6);
  t.same(policyOf(ip('192.0.2.1')), { precedence: 35, label: 4 });
});

t.test('a precedence line replaces the precedence table only; what no line matches gets ::/0', async (t) => {
  const policy = table('precedence 2001:db8::/32 37\n');
  t.same(policyOf(ip('2001:db8::1'), policy), { precedence: 37, label: 1 }, 'label from the default table');
  t.same(policyOf(ip('192.0.2.1'), policy), { precedence: 40, label: 4 }, 'IPv4 falls to ::/0');
  t.same(policyOf(ip('fc00::1'), policy), { precedence: 40, label: 13 });
  t.equal(preferredFamily(policy), 4, '40 against 37: IPv4 first');
  t.equal(preferredFamily(table('precedence ::ffff:0:0/96 100\n')), 4);
  t.equal(preferredFamily(table('precedence ::ffff:0:0/96 10\n')), 6);
});

t.test('label lines replace the label table only', async (t) => {
  const policy = table('label ::/0 1\nlabel 2001:db8::/32 7\n');
  t.same(policyOf(ip('2001:db8::1'), policy), { precedence: 40, label: 7 });
  t.same(policyOf(ip('192.0.2.1'), policy), { precedence: 35, label: 1 });
});

t.test('scopev4 lines set IPv4 scopes; IPv6 scopes are unchanged', async (t) => {
  const policy = table('scopev4 192.0.2.0/24 5\n');
  t.equal(scopeOf(ip('192.0.2.1'), policy), 5);
  t.equal(scopeOf(ip('127.0.0.1'), policy), 14, 'the added catch-all replaces the built-in loopback scope, as in glibc');
  t.equal(scopeOf(ip('fe80::1'), policy), 2);
  t.equal(scopeOf(ip('127.0.0.1')), 2, 'default: RFC 6724 §3.2');
});

t.test('sortDestinations orders with the table it is given, each table remembering its own keys', async (t) => {
  const destinations = [
    { address: '2001:db8::1', family: 6 as const },
    { address: '192.0.2.1', family: 4 as const },
  ];
  const sources = new Map([
    ['2001:db8::1', '2001:db8::100'],
    ['192.0.2.1', '192.0.2.100'],
  ]);
  t.same(
    sortDestinations(destinations, sources).map((d) => d.address),
    ['2001:db8::1', '192.0.2.1'],
  );
  const v4First = table('precedence ::ffff:0:0/96 100\n');
  t.same(
    sortDestinations(destinations, sources, undefined, v4First).map((d) => d.address),
    ['192.0.2.1', '2001:db8::1'],
  );
  t.equal(keysRemembered(v4First), 2);
  t.equal(keysRemembered(table('label ::/0 9\n')), 0, 'a table never used remembers nothing');
});
