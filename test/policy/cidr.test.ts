/**
 * Address parsing and CIDR matching, checked against Node's own implementations:
 * `net.isIPv4`/`net.isIPv6` (which text is an address), URL's IPv6 serializer (which
 * words it names) and `net.BlockList` (which prefixes hold it).
 */
import net from 'node:net';
import t from 'tap';
import { CidrList, parseCidr, parseIPv4, parseIPv6, wordMask, type Cidr } from '../../lib/policy/cidr.js';
import { Rng } from '../../scripts/harness/fuzz-rng.js';

const words = new Uint32Array(4);
const v6 = (text: string): number[] | false => (parseIPv6(text, words) ? [...words] : false);
const hex = (groups: number[]): string => groups.map((g) => g.toString(16)).join(':');

t.test('parseIPv4: strict dotted quads only, as net.isIPv4', async (t) => {
  const cases: Array<[string, number]> = [
    ['0.0.0.0', 0],
    ['127.0.0.1', 0x7f000001],
    ['255.255.255.255', 0xffffffff],
    ['192.0.2.33', 0xc0000221],
    ['01.2.3.4', -1],
    ['1.2.3', -1],
    ['1.2.3.4.5', -1],
    ['256.1.1.1', -1],
    ['1..2.3', -1],
    ['1.2.3.', -1],
    ['.1.2.3', -1],
    ['0x7f.0.0.1', -1],
    ['1.2.3.4 ', -1],
    ['', -1],
  ];
  for (const [text, value] of cases) {
    t.equal(parseIPv4(text), value, JSON.stringify(text));
    t.equal(parseIPv4(text) >= 0, net.isIPv4(text), `${JSON.stringify(text)} agrees with net.isIPv4`);
  }
  t.equal(parseIPv4('x10.0.0.1y', 1, 9), 0x0a000001, 'a slice of a longer string');
});

t.test('parseIPv6: the forms of RFC 4291 §2.2, and what is not one', async (t) => {
  t.same(v6('::'), [0, 0, 0, 0]);
  t.same(v6('::1'), [0, 0, 0, 1]);
  t.same(v6('1::'), [0x00010000, 0, 0, 0]);
  t.same(v6('2001:DB8::8:800:200C:417A'), [0x20010db8, 0, 0x00080800, 0x200c417a], 'RFC 4291 §2.2 example, upper case');
  t.same(v6('::ffff:192.0.2.1'), [0, 0, 0xffff, 0xc0000201], 'dotted IPv4 tail');
  t.same(v6('64:ff9b::10.0.0.1'), [0x0064ff9b, 0, 0, 0x0a000001]);
  t.same(v6('fe80::1%eth0'), [0xfe800000, 0, 0, 1], 'zone id ignored');
  t.same(v6('::%lo'), [0, 0, 0, 0]);
  t.same(v6('1:2:3:4:5:6:7:8'), [0x00010002, 0x00030004, 0x00050006, 0x00070008]);
  t.same(v6('1:2:3:4:5:6::8'), [0x00010002, 0x00030004, 0x00050006, 0x00000008], ':: standing for one group');
  for (const bad of [
    '',
    ':',
    ':::',
    '1:::2',
    '1::2::3',
    ':1::',
    '1:',
    '12345::',
    'g::',
    '::%',
    '::1.2.3',
    '1:2:3:4:5:6:7:1.2.3.4',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1.2.3.4',
    '::1 ',
    '::ffff:01.2.3.4',
    '::1.2.3.4:5',
  ]) {
    t.equal(v6(bad), false, JSON.stringify(bad));
    t.notOk(net.isIPv6(bad), `${JSON.stringify(bad)} is not IPv6 to Node either`);
  }
});

t.test('parseIPv6 agrees with net.isIPv6 on 20,000 mutated addresses, and with URL on the words', async (t) => {
  const rng = new Rng(19, 6);
  const alphabet = '0123456789abcdefABCDEF:::..%%gx_ -';
  let disagreements: string[] = [];
  let checkedWords = 0;
  for (let i = 0; i < 20_000; i++) {
    const groups = Array.from({ length: 8 }, () => (rng.chance(0.4) ? 0 : rng.int(0x10000)));
    // The canonical text (RFC 5952, as the URL serializer writes it) and the full one.
    const canonical = new URL(`http://[${hex(groups)}]/`).hostname.slice(1, -1);
    let text = rng.chance(0.5) ? canonical : hex(groups);
    if (rng.chance(0.2)) text = `${text}%eth${rng.int(3)}`;
    const mutate = rng.chance(0.7);
    if (mutate) {
      for (let n = rng.range(1, 3); n > 0; n--) {
        const at = rng.int(text.length + 1);
        const op = rng.int(3);
        const char = rng.pick([...alphabet]);
        text =
          op === 0
            ? text.slice(0, at) + char + text.slice(at)
            : op === 1
              ? text.slice(0, at) + text.slice(at + 1)
              : text.slice(0, at) + char + text.slice(at + 1);
      }
    }
    const mine = parseIPv6(text, words);
    if (mine !== net.isIPv6(text)) disagreements.push(text);
    if (!mutate) {
      checkedWords++;
      const expected = [0, 2, 4, 6].map((k) => (groups[k]! * 0x10000 + groups[k + 1]!) >>> 0);
      if (!mine || [...words].some((w, k) => w !== expected[k])) disagreements.push(`words of ${text}`);
    }
  }
  disagreements = disagreements.slice(0, 10);
  t.same(disagreements, [], 'no disagreement');
  t.ok(checkedWords > 5000, `${checkedWords} unmutated addresses checked word by word`);
});

t.test('parseCidr: prefixes, bare addresses, and each kind of mistake', async (t) => {
  t.match(parseCidr('10.0.0.0/8'), { family: 4, bits: 8, address: 0x0a000000 });
  t.match(parseCidr('127.0.0.1'), { family: 4, bits: 32, address: 0x7f000001 }, 'a bare IPv4 address is a /32');
  t.match(parseCidr('0.0.0.0/0'), { family: 4, bits: 0, address: 0 });
  t.match(parseCidr('fd00::/8'), { family: 6, bits: 8 });
  t.match(parseCidr('::1'), { family: 6, bits: 128 }, 'a bare IPv6 address is a /128');
  t.same((parseCidr('2001:db8::/32') as Extract<Cidr, { family: 6 }>).words, [0x20010db8, 0, 0, 0]);
  const mistakes: Array<[string, RegExp]> = [
    ['10.0.0.1/8', /host bits/],
    ['fd00::1/8', /host bits/],
    ['10.0.0.0/33', /0 to 32/],
    ['::/129', /0 to 128/],
    ['10.0.0.0/08', /0 to 32/],
    ['10.0.0.0/', /0 to 32/],
    ['10.0.0.0/-1', /0 to 32/],
    ['10.0.0/8', /not an IPv4 or IPv6/],
    ['fe80::%eth0/64', /zone/],
    ['example.com/24', /not an IPv4 or IPv6/],
    ['g::/16', /not an IPv4 or IPv6/],
  ];
  for (const [text, problem] of mistakes) t.match(parseCidr(text), problem, text);
});

t.test('CidrList agrees with net.BlockList on 20,000 random (prefix, address) pairs of each family', async (t) => {
  const rng = new Rng(19, 7);
  let wrong = 0;
  for (let i = 0; i < 20_000; i++) {
    // IPv4: a random prefix, and an address near it (inside or just outside).
    const bits4 = rng.range(0, 32);
    const net4 = (rng.u32() & wordMask(bits4)) >>> 0;
    const address4 = rng.chance(0.5) ? (net4 | (rng.u32() & ~wordMask(bits4))) >>> 0 : (net4 ^ (1 << rng.int(32))) >>> 0;
    const text4 = [24, 16, 8, 0].map((s) => (net4 >>> s) & 0xff).join('.');
    const addr4 = [24, 16, 8, 0].map((s) => (address4 >>> s) & 0xff).join('.');
    const ref4 = new net.BlockList();
    ref4.addSubnet(text4, bits4, 'ipv4');
    if (new CidrList([parseCidr(`${text4}/${bits4}`) as Cidr]).hasV4(parseIPv4(addr4)) !== ref4.check(addr4, 'ipv4')) wrong++;
    // IPv6 likewise, away from ::ffff:0:0/96 (BlockList matches mapped addresses against IPv4 rules).
    const bits6 = rng.range(0, 128);
    const groups = Array.from({ length: 8 }, () => rng.int(0x10000));
    groups[0] = groups[0]! | 0x2000;
    const netGroups = groups.map((g, k) => g & (0xffff << (16 - Math.min(16, Math.max(0, bits6 - 16 * k)))) & 0xffff);
    const flip = rng.int(128);
    const addrGroups = rng.chance(0.5)
      ? netGroups.map((g, k) => g | (rng.int(0x10000) & ~(0xffff << (16 - Math.min(16, Math.max(0, bits6 - 16 * k))))))
      : netGroups.map((g, k) => (k === flip >> 4 ? g ^ (0x8000 >> (flip & 15)) : g));
    const ref6 = new net.BlockList();
    ref6.addSubnet(hex(netGroups), bits6, 'ipv6');
    parseIPv6(hex(addrGroups), words);
    if (new CidrList([parseCidr(`${hex(netGroups)}/${bits6}`) as Cidr]).hasV6(words) !== ref6.check(hex(addrGroups), 'ipv6')) wrong++;
  }
  t.equal(wrong, 0);
});

t.test('CidrList holds both families and counts its prefixes', async (t) => {
  const list = new CidrList(['10.0.0.0/8', '192.168.1.0/24', 'fd00::/8', '::1'].map((c) => parseCidr(c) as Cidr));
  t.equal(list.size, 4);
  t.ok(list.hasV4(parseIPv4('10.200.0.1')));
  t.ok(list.hasV4(parseIPv4('192.168.1.255')));
  t.notOk(list.hasV4(parseIPv4('192.168.2.1')));
  parseIPv6('fdff::1', words);
  t.ok(list.hasV6(words));
  parseIPv6('::2', words);
  t.notOk(list.hasV6(words));
  t.equal(new CidrList([]).size, 0);
  t.notOk(new CidrList([]).hasV4(0));
});
