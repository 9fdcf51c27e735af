import { isIP } from 'node:net';
import fc from 'fast-check';
import t from 'tap';
import { commonPrefixLength, parseIp } from '../../lib/address/ip-bytes.js';
import { Scope, commonPrefixLen, isEncapsulatedSource, policyOf, scopeOf } from '../../lib/address/policy-table.js';
import { type Destination, sortDestinations } from '../../lib/address/rfc6724.js';

type History = Map<string, { rttMs: number; usedBefore?: boolean; demoted?: boolean }>;

/** [destination, its source or undefined (unusable)] in input order → addresses in sorted order. */
function order(pairs: Array<[string, string | undefined]>, history?: History): string[] {
  const destinations = pairs.map(([address]) => ({ address, family: (isIP(address) === 4 ? 4 : 6) as 4 | 6 }));
  return sortDestinations(destinations, new Map(pairs), history).map((d) => d.address);
}

const ip = (text: string): Uint8Array => {
  const bytes = parseIp(text);
  if (bytes === undefined) throw new Error(`test address ${text} does not parse`);
  return bytes;
};

// RFC 6724 §10.2, all nine examples. Each lists the destinations in the RFC's order with the
// source the RFC says is selected for each. Every example is also run reversed: the result
// must not depend on input order (rule 10 only breaks true ties).
const rfcExamples: Array<{ name: string; in: Array<[string, string]>; want: string[] }> = [
  {
    name: '1 S2 prefer matching scope (v6 global source, v4 link-local source)',
    in: [
      ['2001:db8:1::1', '2001:db8:1::2'],
      ['198.51.100.121', '169.254.13.78'],
    ],
    want: ['2001:db8:1::1', '198.51.100.121'],
  },
  {
    name: '2 S2 prefer matching scope (v6 link-local source, v4 global source)',
    in: [
      ['2001:db8:1::1', 'fe80::1'],
      ['198.51.100.121', '198.51.100.117'],
    ],
    want: ['198.51.100.121', '2001:db8:1::1'],
  },
  {
    name: '3 S6 prefer higher precedence (v6 over v4)',
    in: [
      ['2001:db8:1::1', '2001:db8:1::2'],
      ['10.1.2.3', '10.1.2.4'],
    ],
    want: ['2001:db8:1::1', '10.1.2.3'],
  },
  {
    name: '4 S8 prefer smaller scope',
    in: [
      ['2001:db8:1::1', '2001:db8:1::2'],
      ['fe80::1', 'fe80::2'],
    ],
    want: ['fe80::1', '2001:db8:1::1'],
  },
  {
    // The RFC's result is 2001:db8:1::1 first by rule 4 (its source 2001:db8:3::1 is a home
    // address). Rule 4 needs Mobile IPv6 flags user space cannot read: rule 8 decides instead.
    name: '5 S4 prefer home address: not applicable, S8 decides',
    in: [
      ['2001:db8:1::1', '2001:db8:3::1'],
      ['fe80::1', 'fe80::2'],
    ],
    want: ['fe80::1', '2001:db8:1::1'],
  },
  {
    // The RFC's result is 2001:db8:1::1 first by rule 3 (fe80::2 is deprecated). Rule 3
    // needs the kernel's deprecated flag: rule 8 decides instead.
    name: '6 S3 avoid deprecated addresses: not applicable, S8 decides',
    in: [
      ['2001:db8:1::1', '2001:db8:1::2'],
      ['fe80::1', 'fe80::2'],
    ],
    want: ['fe80::1', '2001:db8:1::1'],
  },
  {
    name: '7 S9 longest matching prefix (64 vs 40 bits)',
    in: [
      ['2001:db8:1::1', '2001:db8:1::2'],
      ['2001:db8:3ffe::1', '2001:db8:3f44::2'],
    ],
    want: ['2001:db8:1::1', '2001:db8:3ffe::1'],
  },
  {
    name: '8 S5 prefer matching label (6to4 source)',
    in: [
      ['2002:c633:6401::1', '2002:c633:6401::2'],
      ['2001:db8:1::1', '2002:c633:6401::2'],
    ],
    want: ['2002:c633:6401::1', '2001:db8:1::1'],
  },
  {
    name: '9 S6 prefer higher precedence (native over 6to4)',
    in: [
      ['2002:c633:6401::1', '2002:c633:6401::2'],
      ['2001:db8:1::1', '2001:db8:1::2'],
    ],
    want: ['2001:db8:1::1', '2002:c633:6401::1'],
  },
];

t.test('R7 RFC 6724 §10.2 examples', async (t) => {
  for (const c of rfcExamples) {
    t.same(order(c.in), c.want, c.name);
    t.same(order([...c.in].reverse()), c.want, `${c.name}, reversed`);
  }
});

// Dual-stack hosts as they are met in practice: the source is what the kernel would pick.
// `wantReversed`: the result for the reversed input, where rule 10 keeps ties in input order.
const typical: Array<{ name: string; in: Array<[string, string | undefined]>; want: string[]; wantReversed?: string[] }> = [
  {
    name: 'S6 global v6 + global v4: v6 first',
    in: [
      ['192.0.2.1', '192.0.2.2'],
      ['2001:db8::1', '2001:db8::2'],
    ],
    want: ['2001:db8::1', '192.0.2.1'],
  },
  {
    name: 'S6 global v6 + NATed v4 (10/8 source): v6 first',
    in: [
      ['198.51.100.1', '10.0.0.2'],
      ['2001:db8::1', '2001:db8::2'],
    ],
    want: ['2001:db8::1', '198.51.100.1'],
  },
  {
    name: 'S5 v6 reachable only from a ULA source: v4 first',
    in: [
      ['2001:db8::1', 'fd00::2'],
      ['192.0.2.1', '192.0.2.2'],
    ],
    want: ['192.0.2.1', '2001:db8::1'],
  },
  {
    name: 'S6 ULA destination from a ULA source: v4 first (precedence 3 < 35)',
    in: [
      ['fd00::1', 'fd00::2'],
      ['192.0.2.1', '192.0.2.2'],
    ],
    want: ['192.0.2.1', 'fd00::1'],
  },
  {
    name: 'S6 loopback: ::1 before 127.0.0.1',
    in: [
      ['127.0.0.1', '127.0.0.1'],
      ['::1', '::1'],
    ],
    want: ['::1', '127.0.0.1'],
  },
  {
    name: 'S1 unusable v6 after v4',
    in: [
      ['2001:db8::1', undefined],
      ['192.0.2.1', '192.0.2.2'],
      ['2001:db8::2', undefined],
      ['192.0.2.3', '192.0.2.2'],
    ],
    want: ['192.0.2.1', '192.0.2.3', '2001:db8::1', '2001:db8::2'],
    wantReversed: ['192.0.2.3', '192.0.2.1', '2001:db8::2', '2001:db8::1'],
  },
  {
    name: 'S6 Teredo destination and source: v4 first (precedence 5 < 35)',
    in: [
      ['2001:0:4136:e378::1', '2001:0:4136:e378::2'],
      ['192.0.2.1', '192.0.2.2'],
    ],
    want: ['192.0.2.1', '2001:0:4136:e378::1'],
  },
  {
    name: 'S2 v6 global destination from a loopback source loses to v4',
    in: [
      ['2001:db8::1', '::1'],
      ['192.0.2.1', '192.0.2.2'],
    ],
    want: ['192.0.2.1', '2001:db8::1'],
  },
  {
    name: 'IPv4-mapped IPv6 destination ranks as IPv4',
    in: [
      ['::ffff:192.0.2.1', '::ffff:192.0.2.2'],
      ['2001:db8::1', '2001:db8::2'],
    ],
    want: ['2001:db8::1', '::ffff:192.0.2.1'],
  },
  {
    name: 'S8 link-local multicast before global multicast',
    in: [
      ['ff0e::1', '2001:db8::2'],
      ['ff02::1', 'fe80::2'],
    ],
    want: ['ff02::1', 'ff0e::1'],
  },
  {
    name: 'S8 zone ids are ignored when classifying',
    in: [
      ['2001:db8::1', '2001:db8::2'],
      ['fe80::1%eth0', 'fe80::2%eth0'],
    ],
    want: ['fe80::1%eth0', '2001:db8::1'],
  },
];

t.test('R7 typical dual-stack orderings', async (t) => {
  for (const c of typical) {
    t.same(order(c.in), c.want, c.name);
    t.same(order([...c.in].reverse()), c.wantReversed ?? c.want, `${c.name}, reversed`);
  }
});

t.test('S7 prefer native transport: a destination reached from a 6to4 or Teredo source ranks after a native one', async (t) => {
  // Both mismatch labels (S5 tie), same precedence 40 (S6 tie), both global (S8 tie). Rule 9
  // would prefer the tunnelled one (14 common bits vs 0), so only rule 7 puts it last.
  const tunnelled: [string, string] = ['2001:db8:1::1', '2002:c633:6401::2'];
  const native: [string, string] = ['2001:db8:2::1', 'fd00::2'];
  t.same(order([tunnelled, native]), ['2001:db8:2::1', '2001:db8:1::1']);
  t.same(order([native, tunnelled]), ['2001:db8:2::1', '2001:db8:1::1']);
  const teredo: [string, string] = ['2001:db8:1::1', '2001:0:4136:e378::2'];
  t.same(order([teredo, native]), ['2001:db8:2::1', '2001:db8:1::1']);
});

t.test('S9 applies to IPv6 only, up to the 64-bit prefix', async (t) => {
  // golang/go#13283: a 10/8 source must not pull 23/8 destinations forward.
  const v4 = ['54.83.193.112', '184.72.238.214', '23.23.172.185', '75.101.148.21', '23.23.134.56', '23.21.50.150'];
  t.same(order(v4.map((a) => [a, '10.2.3.4'])), v4, 'IPv4 keeps DNS order');
  t.same(
    order([
      ['198.51.100.1', '198.51.100.2'],
      ['192.0.2.1', '192.0.2.2'],
    ]),
    ['198.51.100.1', '192.0.2.1'],
    'IPv4 with a longer match later keeps DNS order',
  );
  // Same /64 as the source for both: the interface ID is not compared, so rule 10 decides.
  const a: [string, string] = ['2001:db8:1::ffff', '2001:db8:1::2'];
  const b: [string, string] = ['2001:db8:1::3', '2001:db8:1::2'];
  t.same(order([a, b]), ['2001:db8:1::ffff', '2001:db8:1::3']);
  t.same(order([b, a]), ['2001:db8:1::3', '2001:db8:1::ffff']);
});

t.test('S1 unusable destinations: undefined source, missing from the map, or not parseable', async (t) => {
  const destinations: Destination[] = [
    { address: '2001:db8::1', family: 6 }, // undefined source
    { address: '2001:db8::2', family: 6 }, // not in the map
    { address: 'not-an-address', family: 4 },
    { address: '2001:db8::3', family: 6 }, // source does not parse
    { address: '192.0.2.1', family: 4 },
  ];
  const sources = new Map<string, string | undefined>([
    ['2001:db8::1', undefined],
    ['not-an-address', '192.0.2.2'],
    ['2001:db8::3', 'garbage'],
    ['192.0.2.1', '192.0.2.2'],
  ]);
  const history: History = new Map([['2001:db8::3', { rttMs: 1, usedBefore: true }]]);
  t.same(
    sortDestinations(destinations, sources, history).map((d) => d.address),
    ['192.0.2.1', '2001:db8::1', '2001:db8::2', 'not-an-address', '2001:db8::3'],
    'the usable one first; the unusable keep their order, history or not',
  );
});

t.test('S10 stable, pure and generic', async (t) => {
  t.same(sortDestinations([], new Map()), [], 'empty');
  const input = Object.freeze(['192.0.2.5', '192.0.2.1', '192.0.2.9', '192.0.2.3'].map((address, i) => Object.freeze({ address, family: 4 as const, tag: i })));
  const sources = new Map(input.map((d) => [d.address, '192.0.2.2']));
  const sorted = sortDestinations(input, sources);
  t.same(sorted, input, 'equal destinations keep their input order');
  t.not(sorted, input, 'a new array');
  t.equal(sorted[0], input[0], 'the same objects, extra fields kept');
});

t.test('R8 history: lower RTT, then used before, between rules 8 and 9', async (t) => {
  const a: [string, string] = ['2001:db8:1::1', '2001:db8:1::2']; // longer prefix (S9 would pick it)
  const b: [string, string] = ['2001:db8:3ffe::1', '2001:db8:3f44::2'];
  const cases: Array<{ name: string; history: History; want: string[] }> = [
    { name: 'no history: S9 decides', history: new Map(), want: [a[0], b[0]] },
    {
      name: 'lower RTT beats S9',
      history: new Map([
        [a[0], { rttMs: 80 }],
        [b[0], { rttMs: 20 }],
      ]),
      want: [b[0], a[0]],
    },
    { name: 'a measured RTT beats an unknown one', history: new Map([[b[0], { rttMs: 500 }]]), want: [b[0], a[0]] },
    {
      name: 'NaN RTT counts as unknown',
      history: new Map([
        [a[0], { rttMs: NaN }],
        [b[0], { rttMs: 500 }],
      ]),
      want: [b[0], a[0]],
    },
    {
      name: 'equal RTT: used before wins',
      history: new Map([
        [a[0], { rttMs: 30 }],
        [b[0], { rttMs: 30, usedBefore: true }],
      ]),
      want: [b[0], a[0]],
    },
    {
      name: 'unknown RTTs: used before wins',
      history: new Map([
        [a[0], { rttMs: Infinity }],
        [b[0], { rttMs: NaN, usedBefore: true }],
      ]),
      want: [b[0], a[0]],
    },
    {
      name: 'RTT outranks used before',
      history: new Map([
        [a[0], { rttMs: 10 }],
        [b[0], { rttMs: 20, usedBefore: true }],
      ]),
      want: [a[0], b[0]],
    },
  ];
  for (const c of cases) {
    t.same(order([a, b], c.history), c.want, c.name);
    t.same(order([b, a], c.history), c.want, `${c.name}, reversed`);
  }
  // Rules 1-8 outrank history.
  const v6: [string, string] = ['2001:db8::1', '2001:db8::2'];
  const v4: [string, string] = ['192.0.2.1', '192.0.2.2'];
  const slowV6 = new Map([
    [v6[0], { rttMs: 900 }],
    [v4[0], { rttMs: 5, usedBefore: true }],
  ]);
  t.same(order([v4, v6], slowV6), [v6[0], v4[0]], 'S6 outranks RTT');
  const linkLocal: [string, string] = ['fe80::1', 'fe80::2'];
  const slowLinkLocal = new Map([
    [linkLocal[0], { rttMs: 900 }],
    [v6[0], { rttMs: 5 }],
  ]);
  t.same(order([v6, linkLocal], slowLinkLocal), [linkLocal[0], v6[0]], 'S8 outranks RTT');
});

t.test('the order is a total preorder: idempotent, a permutation, usable first', async () => {
  const pool = ['2001:db8:1::1', '2001:db8:2::1', 'fe80::1', '::1', '2002:c633:6401::1', 'fd00::1', '192.0.2.1', '10.0.0.1', '127.0.0.1', '169.254.1.1'];
  const sourcesPool = [undefined, '2001:db8:1::2', 'fe80::2', '::1', '2002:c633:6401::2', 'fd00::2', '192.0.2.2', '127.0.0.1', '169.254.1.2'];
  const entry = fc.record({
    address: fc.constantFrom(...pool),
    source: fc.constantFrom(...sourcesPool),
    rtt: fc.option(fc.integer({ min: 1, max: 3 })),
    used: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.uniqueArray(entry, { selector: (e) => e.address, maxLength: pool.length }), (entries) => {
      const destinations = entries.map((e) => ({ address: e.address, family: isIP(e.address) as 4 | 6 }));
      const sources = new Map(entries.map((e) => [e.address, e.source]));
      const history = new Map(entries.map((e) => [e.address, { rttMs: e.rtt ?? NaN, usedBefore: e.used }]));
      const once = sortDestinations(destinations, sources, history);
      const twice = sortDestinations(once, sources, history);
      const usable = once.map((d) => sources.get(d.address) !== undefined);
      return (
        once.every((d, i) => d === twice[i]) &&
        once.length === destinations.length &&
        destinations.every((d) => once.includes(d)) &&
        usable.every((u, i) => u || !usable.slice(i).includes(true))
      );
    }),
  );
});

t.test('policy table (RFC 6724 §2.1), as Go classifies', async (t) => {
  const cases: Array<[string, number, number]> = [
    ['127.0.0.1', 35, 4],
    ['198.51.100.1', 35, 4],
    ['2601:645:8002:a500:986f:1db8:c836:bd65', 40, 1],
    ['::1', 50, 0],
    ['::', 1, 3],
    ['::1.2.3.4', 1, 3],
    ['2002::ab12', 30, 2],
    ['2001::1', 5, 5],
    ['2001:1::1', 40, 1],
    ['fc00::1', 3, 13],
    ['fdff::1', 3, 13],
    ['fec0::1', 1, 11],
    ['3ffe::1', 1, 12],
    ['fe80::1', 40, 1],
  ];
  for (const [address, precedence, label] of cases) t.same(policyOf(ip(address)), { precedence, label }, address);
});

t.test('scope (RFC 6724 §3.1, §3.2; RFC 4291 §2.7)', async (t) => {
  const cases: Array<[string, number]> = [
    ['127.0.0.1', Scope.linkLocal],
    ['127.255.255.254', Scope.linkLocal],
    ['::1', Scope.linkLocal],
    ['169.254.1.2', Scope.linkLocal],
    ['169.255.1.2', Scope.global],
    ['126.0.0.1', Scope.global],
    ['10.1.2.3', Scope.global],
    ['8.8.8.8', Scope.global],
    ['224.0.0.0', Scope.global],
    ['224.2.2.2', Scope.global],
    ['fe80::1', Scope.linkLocal],
    ['febf::1', Scope.linkLocal],
    ['fec0::1', Scope.siteLocal],
    ['fd00::1', Scope.global],
    ['2001:db8::1', Scope.global],
    ['ff01::1', Scope.interfaceLocal],
    ['ff02::', Scope.linkLocal],
    ['ff04::', Scope.adminLocal],
    ['ff05::', Scope.siteLocal],
    ['ff08::', Scope.organizationLocal],
    ['ff0e::', Scope.global],
    ['ff12::1', Scope.linkLocal],
  ];
  for (const [address, scope] of cases) t.equal(scopeOf(ip(address)), scope, address);
});

t.test('common prefix length', async (t) => {
  t.equal(commonPrefixLen(ip('fe80::1'), ip('fe80::2')), 64, 'IPv6 stops at the 64-bit prefix');
  t.equal(commonPrefixLen(ip('fe81::1'), ip('fe80::2')), 15);
  t.equal(commonPrefixLen(ip('2001:db8:3f44::2'), ip('2001:db8:3ffe::1')), 40);
  t.equal(commonPrefixLen(ip('::'), ip('8000::')), 0);
  // Go's IPv4 table, 96 bits of ::ffff:0:0/96 in front.
  const v4: Array<[string, string, number]> = [
    ['1.2.3.4', '1.2.3.4', 32],
    ['1.2.255.255', '1.2.0.0', 16],
    ['1.2.127.255', '1.2.0.0', 17],
    ['1.2.63.255', '1.2.0.0', 18],
    ['1.2.31.255', '1.2.0.0', 19],
    ['1.2.15.255', '1.2.0.0', 20],
    ['1.2.7.255', '1.2.0.0', 21],
    ['1.2.3.255', '1.2.0.0', 22],
    ['1.2.1.255', '1.2.0.0', 23],
    ['1.2.0.255', '1.2.0.0', 24],
  ];
  for (const [a, b, want] of v4) t.equal(commonPrefixLength(ip(a), ip(b), 128), 96 + want, `${a} ${b}`);
  t.equal(commonPrefixLength(ip('1.2.3.4'), ip('1.2.3.4'), 100), 100, 'capped at maxBits');
  t.equal(commonPrefixLength(ip('ffff::'), ip('fffe::'), 12), 12, 'capped inside a byte');
});

t.test('encapsulated sources (rule 7)', async (t) => {
  const cases: Array<[string, boolean]> = [
    ['2002:c633:6401::2', true],
    ['2001:0:4136:e378::2', true],
    ['2001:1::2', false],
    ['2001:db8::2', false],
    ['fd00::2', false],
    ['192.0.2.2', false],
  ];
  for (const [address, want] of cases) t.equal(isEncapsulatedSource(ip(address)), want, address);
});

t.test('IP parsing to 16 bytes', async (t) => {
  const hex = (text: string): string | undefined => {
    const bytes = parseIp(text);
    return bytes && Buffer.from(bytes).toString('hex');
  };
  const cases: Array<[string, string | undefined]> = [
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['1::', '00010000000000000000000000000000'],
    ['2001:db8::ff00:42:8329', '20010db8000000000000ff0000428329'],
    ['2001:db8:0:0:1:0:0:1', '20010db8000000000001000000000001'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['fe80::1%eth0', 'fe800000000000000000000000000001'],
    ['192.0.2.33', '00000000000000000000ffffc0000221'],
    ['::ffff:192.0.2.33', '00000000000000000000ffffc0000221'],
    ['64:ff9b::192.0.2.33', '0064ff9b0000000000000000c0000221'],
    ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304'],
    ['FE80::ABCD', 'fe80000000000000000000000000abcd'],
    ['', undefined],
    ['example.com', undefined],
    ['1.2.3', undefined],
    ['01.2.3.4', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['::1::', undefined],
  ];
  for (const [text, want] of cases) t.equal(hex(text), want, JSON.stringify(text));
});

t.test('R8 history: an address that failed last time goes after every usable one, before rule 2; unusable ones stay last', async (t) => {
  const v6: [string, string] = ['2001:db8::1', '2001:db8::2'];
  const v4: [string, string] = ['192.0.2.1', '192.0.2.2'];
  const demoted6 = new Map([[v6[0], { rttMs: NaN, demoted: true }]]);
  t.same(order([v6, v4], demoted6), [v4[0], v6[0]], 'the demoted IPv6 after IPv4, though S6 prefers IPv6');
  t.same(order([v4, v6], demoted6), [v4[0], v6[0]], 'reversed input, same order');
  const both = new Map([
    [v6[0], { rttMs: NaN, demoted: true }],
    [v4[0], { rttMs: NaN, demoted: true }],
  ]);
  t.same(order([v4, v6], both), [v6[0], v4[0]], 'both demoted: the RFC 6724 rules decide between them');
  const unusable: [string, undefined] = ['2001:db8::9', undefined];
  t.same(order([unusable, v6], demoted6), [v6[0], unusable[0]], 'rule 1 still first: demoted but usable beats unusable');
});
