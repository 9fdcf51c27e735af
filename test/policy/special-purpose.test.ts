/**
 * The 'public' preset against the IANA registries as published: each registry row
 * (address block, "Globally Reachable") is written out here as IANA lists it, the most
 * specific row containing an address decides, and the preset must agree at the first,
 * middle and last address of every row and just outside it. The arithmetic here is
 * BigInt, independent of the preset's word matching.
 */
import t from 'tap';
import { parseIPv4, parseIPv6 } from '../../lib/policy/cidr.js';
import {
  deniedIPv4,
  deniedIPv6,
  embeddedIPv4,
  embeddingIPv6,
  isPublicIPv4,
  isPublicIPv6,
  reachableIPv4,
  reachableIPv6,
} from '../../lib/policy/special-purpose.js';

/** `true`/`false`: the registry's Globally Reachable; `null`: withdrawn (no booleans) or N/A. */
type Reach = boolean | null;

// iana-ipv4-special-registry (RFC 6890), every row; plus multicast from its own registry (RFC 5771).
const ipv4Rows: Array<[string, Reach]> = [
  ['0.0.0.0/8', false],
  ['0.0.0.0/32', false],
  ['10.0.0.0/8', false],
  ['100.64.0.0/10', false],
  ['127.0.0.0/8', false],
  ['169.254.0.0/16', false],
  ['172.16.0.0/12', false],
  ['192.0.0.0/24', false],
  ['192.0.0.0/29', false],
  ['192.0.0.8/32', false],
  ['192.0.0.9/32', true],
  ['192.0.0.10/32', true],
  ['192.0.0.170/32', false],
  ['192.0.0.171/32', false],
  ['192.0.2.0/24', false],
  ['192.31.196.0/24', true],
  ['192.52.193.0/24', true],
  ['192.88.99.0/24', null],
  ['192.88.99.2/32', false],
  ['192.168.0.0/16', false],
  ['192.175.48.0/24', true],
  ['198.18.0.0/15', false],
  ['198.51.100.0/24', false],
  ['203.0.113.0/24', false],
  ['240.0.0.0/4', false],
  ['255.255.255.255/32', false],
  ['224.0.0.0/4', false],
];

// iana-ipv6-special-registry, every row; plus site-local (RFC 3879) and multicast (RFC 4291).
// The embedding rows (mapped, compatible, NAT64, 6to4) are judged by their IPv4 below.
const ipv6Rows: Array<[string, Reach]> = [
  ['::1/128', false],
  ['::/128', false],
  ['100::/64', false],
  ['100:0:0:1::/64', false],
  ['2001::/23', false],
  ['2001::/32', null],
  ['2001:1::1/128', true],
  ['2001:1::2/128', true],
  ['2001:1::3/128', true],
  ['2001:2::/48', false],
  ['2001:3::/32', true],
  ['2001:4:112::/48', true],
  ['2001:10::/28', null],
  ['2001:20::/28', true],
  ['2001:30::/28', true],
  ['2001:db8::/32', false],
  ['2620:4f:8000::/48', true],
  ['3fff::/20', false],
  ['5f00::/16', false],
  ['fc00::/7', false],
  ['fe80::/10', false],
  ['fec0::/10', false],
  ['ff00::/8', false],
];

interface Block {
  base: bigint;
  bits: number;
  width: number;
  reach: Reach;
}

function toBig(text: string): bigint {
  if (!text.includes(':')) return text.split('.').reduce((n, part) => n * 256n + BigInt(part), 0n);
  const [head = '', tail = ''] = text.split('::');
  const h = head ? head.split(':') : [];
  const tl = text.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...h, ...Array<string>(8 - h.length - tl.length).fill('0'), ...tl];
  return groups.reduce((n, g) => n * 65536n + BigInt(`0x${g}`), 0n);
}

function fromBig(value: bigint, width: number): string {
  if (width === 32) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  return Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(':');
}

const blocks = (rows: Array<[string, Reach]>, width: number): Block[] =>
  rows.map(([cidr, reach]) => {
    const [address = '', bits = ''] = cidr.split('/');
    return { base: toBig(address), bits: Number(bits), width, reach };
  });

const contains = (b: Block, value: bigint): boolean => value >> BigInt(b.width - b.bits) === b.base >> BigInt(b.width - b.bits);

/** The registry's verdict: the most specific row decides; withdrawn rows and Teredo (N/A) deny; no row: public. */
function expected(all: Block[], value: bigint): boolean {
  let best: Block | undefined;
  for (const b of all) if (contains(b, value) && (best === undefined || b.bits > best.bits)) best = b;
  return best === undefined ? true : best.reach === true;
}

function probes(all: Block[]): bigint[] {
  const out: bigint[] = [];
  const top = (1n << BigInt(all[0]!.width)) - 1n;
  for (const b of all) {
    const size = 1n << BigInt(b.width - b.bits);
    for (const v of [b.base, b.base + size / 2n, b.base + size - 1n, b.base - 1n, b.base + size]) if (v >= 0n && v <= top) out.push(v);
  }
  return out;
}

const words = new Uint32Array(4);
const publicV6 = (text: string): boolean => {
  if (!parseIPv6(text, words)) throw new Error(`bad test address ${text}`);
  return isPublicIPv6(words);
};

const v4Blocks = blocks(ipv4Rows, 32);
const v4Probes = probes(v4Blocks);

t.test('IPv4: first, middle, last address of every registry row and their neighbours', async (t) => {
  const wrong: string[] = [];
  for (const value of v4Probes) {
    const text = fromBig(value, 32);
    if (isPublicIPv4(parseIPv4(text)) !== expected(v4Blocks, value)) wrong.push(`${text} should be ${expected(v4Blocks, value) ? 'public' : 'denied'}`);
  }
  t.same(wrong, []);
  t.ok(v4Probes.length > 100, `${v4Probes.length} addresses checked`);
});

t.test('IPv4: well-known addresses', async (t) => {
  const cases: Array<[string, boolean]> = [
    ['8.8.8.8', true],
    ['1.1.1.1', true],
    ['93.184.216.34', true],
    ['100.63.255.255', true],
    ['100.128.0.0', true],
    ['172.15.255.255', true],
    ['172.32.0.0', true],
    ['192.0.1.255', true],
    ['192.0.3.0', true],
    ['198.17.255.255', true],
    ['198.20.0.0', true],
    ['223.255.255.255', true],
    ['11.0.0.0', true],
    ['126.255.255.255', true],
    ['169.254.169.254', false],
    ['127.0.0.1', false],
    ['127.255.255.254', false],
    ['0.0.0.0', false],
    ['10.0.0.1', false],
    ['192.168.1.1', false],
    ['100.100.100.200', false],
    ['192.0.0.192', false],
    ['239.255.255.250', false],
    ['255.255.255.255', false],
    ['192.0.0.9', true],
    ['192.0.0.10', true],
    ['192.0.0.11', false],
  ];
  for (const [address, verdict] of cases) t.equal(isPublicIPv4(parseIPv4(address)), verdict, address);
});

t.test('IPv6: first, middle, last address of every registry row and their neighbours', async (t) => {
  const v6Blocks = blocks(ipv6Rows, 128);
  const embedding = embeddingIPv6.map((r) => blocks([[r.cidr, null]], 128)[0]!);
  const wrong: string[] = [];
  let count = 0;
  for (const value of probes(v6Blocks)) {
    // Neighbours that fall into an embedding block are judged by their IPv4 (next test).
    if (embedding.some((b) => contains(b, value))) continue;
    count++;
    const text = fromBig(value, 128);
    if (publicV6(text) !== expected(v6Blocks, value)) wrong.push(`${text} should be ${expected(v6Blocks, value) ? 'public' : 'denied'}`);
  }
  t.same(wrong, []);
  t.ok(count > 90, `${count} addresses checked`);
});

t.test('IPv6 forms that carry an IPv4 address are judged by it: mapped, compatible, NAT64 (both prefixes), 6to4', async (t) => {
  const forms: Array<[string, (v4: string, n: bigint) => string]> = [
    ['IPv4-mapped', (v4) => `::ffff:${v4}`],
    ['IPv4-compatible', (v4) => `::${v4}`],
    ['NAT64 64:ff9b::/96', (v4) => `64:ff9b::${v4}`],
    ['NAT64 local-use /96 inside 64:ff9b:1::/48', (v4) => `64:ff9b:1:c0de:0:0:${v4}`],
    ['6to4', (_v4, n) => `2002:${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}::1`],
  ];
  const wrong: string[] = [];
  for (const value of v4Probes) {
    const v4 = fromBig(value, 32);
    for (const [name, form] of forms) {
      const text = form(v4, value);
      if (publicV6(text) !== expected(v4Blocks, value)) wrong.push(`${name} ${text}`);
    }
  }
  t.same(wrong, []);
  t.equal(publicV6('64:ff9b::8.8.8.8'), true, 'the NAT64 form of a public IPv4 is allowed');
  t.equal(publicV6('64:ff9b::169.254.169.254'), false, 'the NAT64 form of the metadata address is not');
  t.equal(publicV6('::'), false, ':: is the compatible form of 0.0.0.0');
  t.equal(publicV6('::1'), false, '::1 is the compatible form of 0.0.0.1');
});

t.test('IPv6: well-known addresses', async (t) => {
  const cases: Array<[string, boolean]> = [
    ['2606:4700:4700::1111', true],
    ['2001:4860:4860::8888', true],
    ['2a00:1450:4001:82b::200e', true],
    ['2001:200::1', true],
    ['2001:1::4', false],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', false],
    ['fd00:ec2::254', false],
    ['fe80::a9fe:a9fe', false],
    ['ff02::1', false],
    ['fec0::1', false],
    ['64:ff9b:0:0:1::1', true],
    ['64:ff9b:2::1', true],
    ['2002::1', false],
    ['3fff:fff:ffff::1', false],
    ['4000::1', true],
  ];
  for (const [address, verdict] of cases) t.equal(publicV6(address), verdict, address);
});

t.test('embeddedIPv4 finds the IPv4 address exactly where each form keeps it, and nowhere else', async (t) => {
  const at = (text: string): number => (parseIPv6(text, words), embeddedIPv4(words));
  t.equal(at('::ffff:10.1.2.3'), 0x0a010203);
  t.equal(at('::10.1.2.3'), 0x0a010203);
  t.equal(at('64:ff9b::10.1.2.3'), 0x0a010203);
  t.equal(at('64:ff9b:1:ffff:ffff:ffff:10.1.2.3'), 0x0a010203);
  t.equal(at('2002:a01:203:ffff::1'), 0x0a010203);
  t.equal(at('2002:ffff:ffff::'), 0xffffffff);
  for (const none of ['::1:0:0:1', '::fffe:1.2.3.4', '64:ff9b:0:1::1', '64:ff9b:2::1', '2003::1', '2001::1', 'fe80::1']) t.equal(at(none), -1, none);
});

t.test('the README rows are the preset: every denied and reachable entry parses and decides its own block', async (t) => {
  for (const r of deniedIPv4) t.notOk(isPublicIPv4(parseIPv4(r.cidr.split('/')[0]!)), r.cidr);
  for (const r of reachableIPv4) t.ok(isPublicIPv4(parseIPv4(r.cidr.split('/')[0]!)), r.cidr);
  for (const r of deniedIPv6) t.notOk(publicV6(r.cidr.split('/')[0]!), r.cidr);
  for (const r of reachableIPv6) t.ok(publicV6(r.cidr.split('/')[0]!), r.cidr);
  for (const r of [...deniedIPv4, ...reachableIPv4, ...deniedIPv6, ...reachableIPv6, ...embeddingIPv6]) t.match(r.rfc, /^RFC \d+/, `${r.cidr} cites its RFC`);
});
