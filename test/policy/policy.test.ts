/** The `policy` option's three forms, their order (deny → allow → preset), and their checks. */
import t from 'tap';
import { InvalidArgumentError } from '../../lib/errors.js';
import { AddressPolicy, resolverAddressPolicy, setResolverAddressPolicy } from '../../lib/policy/policy.js';

const compile = (value: unknown): AddressPolicy => AddressPolicy.from(value)!;
const verdicts = (policy: AddressPolicy, addresses: string[]): boolean[] => addresses.map((a) => policy.allows(a, a.includes(':') ? 6 : 4, 'host.example'));

t.test("'public' is the preset alone, and one shared object", async (t) => {
  const policy = compile('public');
  t.equal(policy, compile('public'));
  t.same(verdicts(policy, ['93.184.216.34', '10.0.0.1', '2606:4700::1', 'fd00::1', '::ffff:10.0.0.1']), [true, false, true, false, false]);
});

t.test('rules: deny always blocks, then allow always allows, then the preset decides', async (t) => {
  const policy = compile({ preset: 'public', allow: ['127.0.0.0/8', 'fd12::/16'], deny: ['127.0.0.2/32', '203.0.113.0/24', '93.184.216.0/24'] });
  const table: Array<[string, boolean, string]> = [
    ['127.0.0.1', true, 'allow beats the preset'],
    ['127.0.0.2', false, 'deny beats allow'],
    ['93.184.216.34', false, 'deny beats a public address'],
    ['8.8.8.8', true, 'the preset allows the rest of the Internet'],
    ['10.0.0.1', false, 'the preset denies what allow does not cover'],
    ['fd12::1', true, 'allow, IPv6'],
    ['fd13::1', false, 'outside the allowed /16: the preset decides'],
    ['::ffff:127.0.0.1', true, 'an IPv4-mapped address is its IPv4 host: allowed with it'],
    ['::ffff:127.0.0.2', false, 'and denied with it'],
    ['64:ff9b::127.0.0.1', false, 'allow does not extend to NAT64 (another host); the preset judges the embedded 127.0.0.1'],
    ['64:ff9b::93.184.216.34', false, 'deny does extend to NAT64: it reaches the denied host'],
    ['2002:5db8:d822::1', false, 'and to 6to4'],
    ['::93.184.216.34', false, 'and to IPv4-compatible'],
  ];
  for (const [address, expected, why] of table) t.equal(policy.allows(address, address.includes(':') ? 6 : 4, 'h'), expected, `${address}: ${why}`);
});

t.test('rules without a preset: deny and allow alone, everything else allowed', async (t) => {
  t.same(verdicts(compile({ deny: ['10.0.0.0/8'] }), ['10.1.1.1', '192.168.1.1', '::ffff:10.1.1.1', '::1']), [false, true, false, true]);
  t.same(verdicts(compile({ allow: ['10.0.0.0/8'] }), ['10.1.1.1', '192.168.1.1']), [true, true], 'allow alone restricts nothing');
  t.same(verdicts(compile({}), ['127.0.0.1', '::1']), [true, true], 'empty rules: no restriction');
  t.same(verdicts(compile({ preset: 'public', allow: [], deny: [] }), ['127.0.0.1', '8.8.8.8']), [false, true]);
});

t.test('an IPv4-mapped CIDR is also its IPv4 CIDR, and a bare address is a host route', async (t) => {
  const policy = compile({ preset: 'public', allow: ['::ffff:127.0.0.0/104', '::1'] });
  t.same(verdicts(policy, ['127.9.9.9', '::ffff:127.9.9.9', '::1', '::2']), [true, true, true, false]);
});

t.test('a function decides alone: true allows, anything else or a throw blocks (fail closed)', async (t) => {
  const calls: unknown[][] = [];
  const policy = compile((address: string, family: 4 | 6, host: string) => {
    calls.push([address, family, host]);
    if (address === '192.0.2.66') throw new Error('policy bug');
    return address === '10.0.0.1' ? true : address === '10.0.0.2' ? ('yes' as unknown as boolean) : false;
  });
  t.equal(policy.allows('10.0.0.1', 4, 'Given.Host'), true, 'even a private address, when the function says so');
  t.equal(policy.allows('10.0.0.2', 4, 'h'), false, 'a truthy non-boolean is no');
  t.equal(policy.allows('8.8.8.8', 4, 'h'), false);
  t.equal(policy.allows('192.0.2.66', 4, 'h'), false, 'a throw blocks');
  t.equal(policy.allows('fe80::1%eth0', 6, 'h'), false);
  t.same(calls[0], ['10.0.0.1', 4, 'Given.Host'], 'address, family and the host as given');
  t.same(calls.at(-1), ['fe80::1%eth0', 6, 'h'], 'the exact address, zone id included');
});

t.test('what is not an IP address is blocked by every non-function policy', async (t) => {
  for (const policy of [compile('public'), compile({}), compile({ allow: ['0.0.0.0/0', '::/0'] })]) {
    t.same(verdicts(policy, ['', 'localhost', '1.2.3', '::g', '127.1', '01.2.3.4']), [false, false, false, false, false, false]);
  }
});

t.test('zone ids are ignored for matching: fe80::1%eth0 is link-local', async (t) => {
  t.same(verdicts(compile('public'), ['fe80::1%eth0', 'fe80::1%1']), [false, false]);
  t.same(verdicts(compile({ allow: ['fe80::/10'], preset: 'public' }), ['fe80::1%eth0']), [true]);
});

t.test('bad values are InvalidArgumentErrors that name the option and the entry', async (t) => {
  const bad: Array<[unknown, string, RegExp]> = [
    ['private', 'policy', /'public', a function/],
    [true, 'policy', /'public'/],
    [null, 'policy', /'public'/],
    [['10.0.0.0/8'], 'policy', /'public'/],
    [42, 'policy', /'public'/],
    [{ preset: 'Public' }, 'policy.preset', /'public'/],
    [{ presets: 'public' }, 'policy.presets', /preset, allow or deny/],
    [{ allow: '10.0.0.0/8' }, 'policy.allow', /array of CIDR/],
    [{ deny: ['10.0.0.0/8', '10.0.0.1/8'] }, 'policy.deny[1]', /host bits/],
    [{ deny: ['fe80::/64', 'fe80::%eth0/64'] }, 'policy.deny[1]', /zone/],
    [{ allow: [42] }, 'policy.allow[0]', /not a string/],
    [{ allow: ['10.0.0.0/33'] }, 'policy.allow[0]', /0 to 32/],
  ];
  for (const [value, option, message] of bad) {
    const err = t.throws(() => AddressPolicy.from(value), InvalidArgumentError) as InvalidArgumentError;
    t.equal(err.option, option, `${JSON.stringify(value)} names ${option}`);
    t.match(err.message, message);
  }
  t.throws(() => AddressPolicy.from('x', 'options.policy'), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'options.policy' }, 'the caller names the option');
  t.equal(AddressPolicy.from(undefined), undefined, 'undefined: no policy');
  const compiled = compile('public');
  t.equal(AddressPolicy.from(compiled), compiled, 'a compiled policy passes through');
});

t.test("a Resolver's policy is found by the resolver object alone", async (t) => {
  const owner = {};
  t.equal(resolverAddressPolicy(owner), undefined);
  setResolverAddressPolicy(owner, compile('public'));
  t.equal(resolverAddressPolicy(owner), compile('public'));
  t.equal(resolverAddressPolicy(undefined), undefined);
  t.equal(resolverAddressPolicy('resolver'), undefined);
});

t.test('a NAT64 synthesis is judged on both forms, blocked if either is; the preset reads the IPv6 form as the NAT64 form of its IPv4', async (t) => {
  const NSP = '2001:67c:2960:6464::'; // a network-specific prefix in global unicast space
  const synth = (ipv4: string): string => `${NSP}${ipv4}`;
  const pub = compile('public');
  t.equal(pub.allows(synth('10.0.0.5'), 6, 'h', '10.0.0.5'), false, 'a private IPv4 hidden under a global prefix: blocked');
  t.equal(pub.allows(synth('10.0.0.5'), 6, 'h'), true, 'the same address judged alone looks global: why the IPv4 must go with it');
  t.equal(pub.allows(synth('8.8.8.8'), 6, 'h', '8.8.8.8'), true, 'the NAT64 form of a public IPv4 is allowed');
  t.equal(pub.allows('2001:db8:64::808:808', 6, 'h', '8.8.8.8'), true, 'whatever the prefix (here a documentation one, as in the lab)');
  t.equal(pub.allows('fd00:64::808:808', 6, 'h', '8.8.8.8'), true, 'a unique-local prefix too: the address reached is the IPv4');
  const rules = compile({ preset: 'public', allow: ['10.1.2.0/24'], deny: ['2001:db8:64::/96', '8.8.4.0/24'] });
  t.equal(rules.allows('2001:db8:64::808:808', 6, 'h', '8.8.8.8'), false, 'deny judges the IPv6 form as it is');
  t.equal(rules.allows(synth('8.8.4.4'), 6, 'h', '8.8.4.4'), false, 'and the IPv4 form');
  t.equal(rules.allows(synth('10.1.2.3'), 6, 'h', '10.1.2.3'), false, 'allow on the IPv4 lets the IPv4 through, not its NAT64 form (another host)');
  t.equal(
    compile({ allow: [`${NSP}/96`], preset: 'public' }).allows(synth('10.1.2.3'), 6, 'h', '10.1.2.3'),
    false,
    'allowing the prefix does not lift the IPv4 verdict',
  );
  t.equal(
    compile({ allow: [`${NSP}/96`], preset: 'public' }).allows(synth('8.8.8.8'), 6, 'h', '8.8.8.8'),
    true,
    'an allowed prefix with an allowed IPv4: allowed',
  );
  t.equal(compile({ deny: ['10.0.0.0/8'] }).allows(synth('10.1.2.3'), 6, 'h', '10.1.2.3'), false, 'no preset: deny on the IPv4 still blocks its synthesis');
  t.equal(compile({ deny: ['10.0.0.0/8'] }).allows(synth('11.1.2.3'), 6, 'h', '11.1.2.3'), true);
  t.equal(pub.allows('not-an-address', 6, 'h', '8.8.8.8'), false, 'anything else is blocked');
  t.equal(pub.allows(synth('8.8.8.8'), 6, 'h', 'x'), false);
  const asked: Array<[string, number, string]> = [];
  const fn = compile((address: string, family: 4 | 6, host: string) => {
    asked.push([address, family, host]);
    return address !== '10.0.0.5';
  });
  t.equal(fn.allows(synth('10.0.0.5'), 6, 'h', '10.0.0.5'), false);
  t.equal(fn.allows(synth('8.8.8.8'), 6, 'h', '8.8.8.8'), true);
  t.same(
    asked,
    [
      [synth('10.0.0.5'), 6, 'h'],
      ['10.0.0.5', 4, 'h'],
      [synth('8.8.8.8'), 6, 'h'],
      ['8.8.8.8', 4, 'h'],
    ],
    'a function is asked about both forms',
  );
});
