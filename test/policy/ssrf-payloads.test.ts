/**
 * Host forms from public SSRF payload collections (PayloadsAllTheThings "Server Side
 * Request Forgery", HackTricks "URL format bypass", IPFuscator's outputs, the bug bounty
 * cheat sheets) and names resolving into every denied range: each one, under
 * `policy: 'public'`, ends in ERR_HE_ADDRESS_BLOCKED (or, for a numeric host that is no
 * IPv4 address, ERR_HE_INVALID_ARGUMENT) with no attempt started.
 *
 * Hosts that land on loopback run with the real socket factory while listeners wait on
 * each loopback address they would reach (0.0.0.0 and :: reach them too on Linux): none
 * may see a connection. Hosts that would land elsewhere run with a factory that never
 * dials and must never be called: tests send no packet outside loopback.
 */
import t from 'tap';
import { connect } from '../../lib/connect.js';
import type { RaceEvent } from '../../lib/racer/timeline.js';
import { deniedIPv4, deniedIPv6 } from '../../lib/policy/special-purpose.js';
import { listenAll, neverDial, startPolicyDns, zone } from '../helpers/policy-lab.js';

/** `lands`: the loopback listener a connection would reach, or 'elsewhere' (never dialled). */
interface Row {
  host: string;
  lands: string;
  /** Goes to DNS (a name), or must not (a literal or numeric host). @default false */
  dns?: boolean;
  /** @default 'ERR_HE_ADDRESS_BLOCKED' */
  code?: string;
}

const LO = '127.0.0.1';
const LO6 = '::1';
const X = 'elsewhere';
const listeners = [LO, '127.0.0.2', '127.1.2.3', '127.127.127.127', '127.255.255.254', LO6];

const literal = (lands: string, ...hosts: string[]): Row[] => hosts.map((host) => ({ host, lands }));
const named = (lands: string, ...hosts: string[]): Row[] => hosts.map((host) => ({ host, lands, dns: true }));

const rows: Row[] = [
  // 127.0.0.1 in every spelling inet_aton and the URL parser accept.
  ...literal(
    LO,
    '127.0.0.1',
    '127.1',
    '127.0.1',
    '2130706433',
    '017700000001',
    '0x7f000001',
    '0X7F000001',
    '0x7f.1',
    '0x7f.0.1',
    '0x7f.0x0.0x0.0x1',
    '0177.0.0.1',
    '0177.0.0.01',
    '0177.1',
    '00177.0000.0000.0001',
    '0x7f.0.0.1',
    '0x0000007f.0x00000000.0x00000000.0x00000001',
    '0x000000000007f.0x0.0x0000.0x0000000000000000000000001',
    '0177.0.0.0x1',
    '0x7f.0.0.01',
    '127.000.000.001',
    '127.0.0.1.',
    '127.1.',
    '2130706433.',
    '0x7f000001.',
    '0177.0.0.1.',
    '127.0.0x1',
    '0x7F.0X0.0X0.0X1',
  ),
  // Elsewhere in 127/8.
  ...literal('127.0.0.2', '127.0.0.2', '2130706434', '0x7f000002', '127.2'),
  ...literal('127.1.2.3', '127.1.2.3', '2130772483', '0x7f010203', '017700201003', '127.1.515', '127.66051', '0x7f.0x1.0x2.0x3'),
  ...literal('127.127.127.127', '127.127.127.127', '0x7f7f7f7f', '0177.0177.0177.0177'),
  ...literal('127.255.255.254', '127.255.255.254', '127.16777214', '0x7ffffffe'),
  // "This host": 0.0.0.0 reaches the local host on Linux.
  ...literal(LO, '0.0.0.0', '0', '0x0', '00000', '0.0', '0.0.0', '0x', '0.0.0.0.', '000.000.000.000', '0x00000000'),
  // Unicode spellings the URL parser folds to ASCII (UTS #46).
  ...literal(LO, '１２７．０．０．１', '127。0。0。1', '①②⑦.⓪.⓪.①', '127．0．0．1', '127｡0｡0｡1', '０ｘ７ｆ．１', '２１３０７０６４３３'),
  ...named(LO, 'ⓛⓞⓒⓐⓛⓗⓞⓢⓣ', 'ｌｏｃａｌｈｏｓｔ'),
  // IPv6 loopback and unspecified (:: reaches ::1 on Linux).
  ...literal(
    LO6,
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '[0:0:0:0:0:0:0:1]',
    '0000:0000:0000:0000:0000:0000:0000:0001',
    '::0:1',
    '0::1',
    '[0000::1]',
    '::1%lo',
    '[::1%lo]',
    '::',
    '[::]',
    '0:0:0:0:0:0:0:0',
    '::0',
    '[0::]',
  ),
  // IPv4-mapped: the IPv4 host itself.
  ...literal(
    LO,
    '::ffff:127.0.0.1',
    '[::ffff:127.0.0.1]',
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:127.0.0.1',
    '0000:0000:0000:0000:0000:ffff:7f00:0001',
    '::FFFF:127.0.0.1',
    '::ffff:0.0.0.0',
    '::ffff:0:0',
    '[::ffff:7f00:1]',
  ),
  ...literal('127.1.2.3', '::ffff:127.1.2.3', '::ffff:7f01:203'),
  // IPv4-compatible, NAT64, 6to4, Teredo: never dialled.
  ...literal(
    X,
    '::127.0.0.1',
    '::7f00:1',
    '[0:0:0:0:0:0:127.0.0.1]',
    '::169.254.169.254',
    '::10.0.0.1',
    '64:ff9b::127.0.0.1',
    '64:ff9b::7f00:1',
    '[64:ff9b::127.0.0.1]',
    '64:ff9b::169.254.169.254',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b::10.0.0.1',
    '64:ff9b::192.168.0.1',
    '64:ff9b::0.0.0.0',
    '64:ff9b:1::127.0.0.1',
    '64:ff9b:1:ffff::a9fe:a9fe',
    '64:ff9b:1::a00:1',
    '2002:7f00:0001::1',
    '2002:7f00:1::',
    '2002:a9fe:a9fe::1',
    '2002:0a00:0001::1',
    '2002:c0a8:0001::1',
    '2002:ac10:0001::',
    '2002::',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    '2001::1',
    '2001:0:53aa:64c::1',
    '[2001::1]',
  ),
  // Link-local, unique-local (AWS's IPv6 metadata address is fd00:ec2::254), site-local, multicast.
  ...literal(
    X,
    'fe80::1',
    'fe80::1%eth0',
    '[fe80::1%25eth0]',
    'fe80::a9fe:a9fe',
    'FE80::1',
    'fd00:ec2::254',
    '[fd00:ec2::254]',
    'fd00::1',
    'fc00::1',
    'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    'fec0::1',
    'ff02::1',
    'ff05::2',
    'ff02::fb',
  ),
  // Cloud metadata services.
  ...literal(
    X,
    '169.254.169.254',
    '2852039166',
    '0xa9fea9fe',
    '0251.0376.0251.0376',
    '0xa9.0xfe.0xa9.0xfe',
    '169.254.43518',
    '0251.254.169.254',
    '169.16689662',
    '0251.0376.0124776',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '[::ffff:169.254.169.254]',
    '0:0:0:0:0:ffff:a9fe:a9fe',
    '169.254.170.2',
    '169.254.169.253',
    '100.100.100.200',
    '192.0.0.192',
    '⑯⑨｡②⑤④｡⑯⑨｡②⑤④',
    '１６９．２５４．１６９．２５４',
  ),
  // Private, shared, documentation, benchmarking, protocol, multicast, reserved, broadcast.
  ...literal(
    X,
    '10.0.0.1',
    '10.255.255.255',
    '012.0.0.1',
    '167772161',
    '0xa000001',
    '10.1',
    '172.16.0.1',
    '172.31.255.254',
    '0xac.0x10.0.1',
    '2886729729',
    '192.168.0.1',
    '192.168.1.1',
    '3232235777',
    '0300.0250.0001.0001',
    '0xc0a80101',
    '192.168.257',
    '0xc0.0xa8.0x1.0x1',
    '100.64.0.1',
    '100.127.255.254',
    '198.18.0.1',
    '198.19.255.254',
    '192.0.2.1',
    '198.51.100.1',
    '203.0.113.1',
    '192.0.0.1',
    '192.0.0.8',
    '192.0.0.170',
    '192.88.99.1',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    '0xffffffff',
    '4294967295',
    '::ffff:10.0.0.1',
    '::ffff:192.168.1.1',
    '::ffff:a00:1',
  ),
  // localhost names (RFC 6761: always loopback, answered without DNS).
  ...named(LO, 'localhost', 'LOCALHOST', 'localhost.', 'LocalHost', 'foo.localhost', 'a.b.localhost.', 'LOCALHOST.', 'x-1.localhost'),
  // Names that public services point at private addresses, modelled in the fake DNS.
  ...named(
    LO,
    'localtest.me',
    'sub.localtest.me',
    '127.0.0.1.nip.io',
    '127-0-0-1.sslip.io',
    'localtest.me.',
    '7f000001.c0a80001.rbndr.us',
    'spoofed.burpcollaborator.net',
  ),
  ...named(X, 'metadata.google.internal', 'instance-data', '169.254.169.254.nip.io', '10.0.0.1.nip.io', 'fd00--ec2--254.sslip.io', 'both.ssrf.test'),
  // Numeric hosts that name no IPv4 address: refused before DNS.
  ...['1.2.3.4.5', '256.0.0.1', '127.0.0.256', '4294967296', '0x100000000', '127.0.0.09', '08.0.0.1', '127..0.1', '1.2.3.4.5.'].map((host) => ({
    host,
    lands: X,
    code: 'ERR_HE_INVALID_ARGUMENT',
  })),
];

/** An address inside a range for a name in the fake DNS to point at: the one after the network address, or the /128 itself. */
function inside(cidr: string): string {
  const [base = '', bits] = cidr.split('/');
  if (bits === '128') return base;
  if (base.includes(':')) return `${base}1`;
  const parts = base.split('.').map(Number);
  parts[3] = parts[3]! + 1;
  return parts.join('.');
}

const rangeNames = [...deniedIPv4, ...deniedIPv6].map((range, i) => {
  const address = inside(range.cidr);
  // :: reaches ::1 on Linux.
  const lands = address === LO ? LO : address === '::1' || address === '::' ? LO6 : X;
  return { name: `r${i}.ranges.ssrf.test`, address, range: range.cidr, lands };
});
const embeddedNames: Array<[string, string, string]> = [
  ['mapped.ssrf.test', '::ffff:127.0.0.1', LO],
  ['mapped-meta.ssrf.test', '::ffff:169.254.169.254', X],
  ['nat64.ssrf.test', '64:ff9b::a9fe:a9fe', X],
  ['nat64-local.ssrf.test', '64:ff9b:1::a00:1', X],
  ['6to4.ssrf.test', '2002:a9fe:a9fe::1', X],
  ['teredo.ssrf.test', '2001:0:4136:e378:8000:63bf:3fff:fdd2', X],
  ['compat.ssrf.test', '::7f00:1', X],
];
rows.push(...rangeNames.map((r) => ({ host: r.name, lands: r.lands, dns: true })));
rows.push(...embeddedNames.map(([name, , lands]) => ({ host: name, lands, dns: true })));

const record = (name: string, address: string) => ({ name, type: address.includes(':') ? ('AAAA' as const) : ('A' as const), data: address });
const zones = [
  zone('ssrf.test', [
    ...rangeNames.map((r) => record(r.name, r.address)),
    ...embeddedNames.map(([name, address]) => record(name, address)),
    record('both.ssrf.test', '10.0.0.1'),
    record('both.ssrf.test', 'fd00::1'),
  ]),
  zone('localtest.me', [record('localtest.me', LO), record('*.localtest.me', LO)]),
  zone('nip.io', [record('127.0.0.1.nip.io', LO), record('169.254.169.254.nip.io', '169.254.169.254'), record('10.0.0.1.nip.io', '10.0.0.1')]),
  zone('sslip.io', [record('127-0-0-1.sslip.io', LO), record('fd00--ec2--254.sslip.io', 'fd00:ec2::254')]),
  zone('rbndr.us', [record('7f000001.c0a80001.rbndr.us', LO)]),
  zone('burpcollaborator.net', [record('spoofed.burpcollaborator.net', LO)]),
  zone('google.internal', [record('metadata.google.internal', '169.254.169.254')]),
  zone('instance-data', [record('instance-data', '169.254.169.254')]),
];

t.test('at least 150 SSRF host forms, every one blocked under policy "public" with no connection made', async (t) => {
  t.ok(rows.length >= 150, `${rows.length} host forms`);
  t.equal(new Set(rows.map((r) => r.host)).size, rows.length, 'no host twice');
  const { dns, resolver } = await startPolicyDns(t, zones);
  const lab = await listenAll(t, listeners);
  const failures: string[] = [];
  for (const row of rows) {
    const spy = neverDial();
    const events: RaceEvent[] = [];
    const queriesBefore = dns.count();
    const error = (await connect({
      host: row.host,
      port: lab.port,
      policy: 'public',
      resolver,
      onEvent: (event) => events.push(event),
      // Loopback hosts get the real sockets (the listeners would see a leak); others never dial.
      ...(row.lands === X ? { connectAttempt: spy.factory } : {}),
    }).then(
      (socket) => {
        socket.destroy();
        return undefined;
      },
      (err: unknown) => err as { code?: string; addresses?: string[] },
    )) ?? { code: 'connected' };
    await new Promise((resolve) => setImmediate(resolve));
    const expected = row.code ?? 'ERR_HE_ADDRESS_BLOCKED';
    const problems = [
      error.code !== expected && `${error.code} instead of ${expected}`,
      spy.calls.length > 0 && `an attempt to ${spy.calls[0]!.address} was started`,
      events.some((e) => e.type === 'attempt:start') && 'attempt:start emitted',
      expected === 'ERR_HE_ADDRESS_BLOCKED' && !((error.addresses?.length ?? 0) > 0) && 'no blocked address named',
      expected === 'ERR_HE_ADDRESS_BLOCKED' && !events.some((e) => e.type === 'attempt:blocked') && 'no attempt:blocked event',
      !row.dns && dns.count() !== queriesBefore && 'sent to DNS',
    ].filter(Boolean);
    if (problems.length > 0) failures.push(`${JSON.stringify(row.host)}: ${problems.join('; ')}`);
  }
  t.same(failures, [], 'every host blocked, nothing attempted, literals never sent to DNS');
  t.same(Object.fromEntries(lab.accepted), Object.fromEntries(listeners.map((a) => [a, 0])), 'no listener saw a connection');
  t.ok(dns.count('localtest.me', 'A') >= 1 && dns.count('r3.ranges.ssrf.test') >= 1, 'names went to the fake DNS server');
});

t.test('control: the same harness connects when an allow CIDR lets loopback through (the listeners would see a leak)', async (t) => {
  const { resolver } = await startPolicyDns(t, zones);
  const lab = await listenAll(t, listeners);
  const policy = { preset: 'public' as const, allow: ['127.0.0.0/8', '::1/128'] };
  for (const host of ['0x7f.1', 'localtest.me', '::ffff:127.1.2.3', '①②⑦.⓪.⓪.①', '::1']) {
    const socket = await connect({ host, port: lab.port, policy, resolver });
    socket.destroy();
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal(lab.accepted.get(LO), 3, '0x7f.1, localtest.me and the Unicode digits reached 127.0.0.1');
  t.equal(lab.accepted.get('127.1.2.3'), 1, 'the mapped address reached its IPv4 host');
  t.equal(lab.accepted.get(LO6), 1);
  const spy = neverDial();
  await t.rejects(connect({ host: 'fd00:ec2::254', port: lab.port, policy, resolver, connectAttempt: spy.factory }), { code: 'ERR_HE_ADDRESS_BLOCKED' });
  t.equal(spy.calls.length, 0, 'what allow does not cover stays blocked');
  const callbacks = { connected: () => {}, succeeded: () => {}, failed: () => {} };
  t.throws(
    () => spy.factory({ address: 'fd00:ec2::254', family: 6, port: 80 }, callbacks),
    { code: 'ETESTDIAL' },
    'the never-dialling factory would have failed a leak',
  );
  t.equal(spy.calls.length, 1, 'and recorded it');
});

/** RFC 5952 text, as the URL serializer writes it (dns-packet does not always). */
const canonical = (address: string): string => (address.includes(':') ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address);

t.test('every denied range has a name pointing into it, and its address is named in the error', async (t) => {
  const { resolver } = await startPolicyDns(t, zones);
  for (const r of rangeNames) {
    const spy = neverDial();
    const err = (await connect({ host: r.name, port: 9, policy: 'public', resolver, connectAttempt: spy.factory }).catch((e: unknown) => e)) as {
      code: string;
      addresses: string[];
      hostname: string;
    };
    t.match(err, { code: 'ERR_HE_ADDRESS_BLOCKED', hostname: r.name }, `${r.name} → ${r.address} in ${r.range}`);
    t.same(err.addresses.map(canonical), [canonical(r.address)], 'the blocked address is named');
    t.equal(spy.calls.length, 0);
  }
  const both = (await connect({ host: 'both.ssrf.test', port: 9, policy: 'public', resolver, connectAttempt: neverDial().factory }).catch(
    (e: unknown) => e,
  )) as {
    addresses: string[];
  };
  t.same([...both.addresses].sort(), ['10.0.0.1', 'fd00::1'], 'both families blocked, both named');
});
