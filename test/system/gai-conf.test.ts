import t from 'tap';
import { parseGaiConf, type PrefixValue } from '../../lib/system/gai-conf.js';

const e = (prefix: string, bits: number, value: number): PrefixValue => ({ prefix, bits, value });

t.test('an empty or comment-only file keeps every built-in table', async (t) => {
  for (const text of ['', '# precedence ::ffff:0:0/96 100\n#label ::/0 1\n', 'reload yes\n']) {
    t.same(parseGaiConf(text), { precedence: undefined, label: undefined, scopev4: undefined }, JSON.stringify(text));
  }
});

t.test('one precedence line replaces the table; ::/0 (40) is added when no line covers everything', async (t) => {
  t.same(parseGaiConf('precedence ::ffff:0:0/96 100\n').precedence, [e('::ffff:0:0', 96, 100), e('::', 0, 40)]);
  t.same(
    parseGaiConf('precedence ::/0 7\nprecedence 2001:db8::/32 9\n').precedence,
    [e('2001:db8::', 32, 9), e('::', 0, 7)],
    'a /0 line of its own: none added',
  );
});

t.test('label lines likewise, with ::/0 label 1 added', async (t) => {
  t.same(parseGaiConf('label 2001:db8::/32 7  # trailing comment\n').label, [e('2001:db8::', 32, 7), e('::', 0, 1)]);
});

t.test('longest prefix first, file order among equal lengths; no bits means /128', async (t) => {
  const text = 'precedence ::1 50\nprecedence 2001:db8::/32 1\nprecedence fc00::/7 2\nprecedence 2001:db9::/32 3\n';
  t.same(parseGaiConf(text).precedence, [e('::1', 128, 50), e('2001:db8::', 32, 1), e('2001:db9::', 32, 3), e('fc00::', 7, 2), e('::', 0, 40)]);
});

t.test('scopev4: IPv4 prefixes become IPv4-mapped; a /96 catch-all of 14 is added', async (t) => {
  t.same(parseGaiConf('scopev4 169.254.0.0/16 2\nscopev4 ::ffff:10.0.0.0/104 5\nscopev4 192.0.2.1 8\n').scopev4, [
    e('::ffff:192.0.2.1', 128, 8),
    e('::ffff:169.254.0.0', 112, 2),
    e('::ffff:10.0.0.0', 104, 5),
    e('::ffff:0.0.0.0', 96, 14),
  ]);
  t.same(parseGaiConf('scopev4 ::ffff:0:0/96 3\n').scopev4, [e('::ffff:0:0', 96, 3)], 'a /96 line of its own: none added');
});

t.test('malformed lines are skipped; a missing value reads as 0 (strtoul)', async (t) => {
  const text = [
    'precedence',
    'precedence ::ffff:0:0/129 5',
    'precedence 192.0.2.0/24 5',
    'precedence ::/x 5',
    'precedence ::/0 -1',
    'precedence ::/0 2147483648',
    'precedence ::/0 4x',
    'scopev4 2001:db8::/32 5',
    'scopev4 ::ffff:0:0/95 5',
    'scopev4 10.0.0.0/33 5',
    'scopev4 10.0.0.0/8 x',
    'scopev4 garbage 5',
    'Precedence ::/0 5',
    'label ::/0',
    'label fe80::/ 3',
  ].join('\n');
  const conf = parseGaiConf(text);
  t.equal(conf.precedence, undefined);
  t.equal(conf.scopev4, undefined);
  t.same(conf.label, [e('::', 0, 0), e('fe80::', 0, 3)], 'empty value and empty bits read as 0');
});
