import t from 'tap';
import { InvalidArgumentError } from '../../lib/errors.js';
import { decodeServiceData, encodeServiceData, encodeTarget, type ServiceData } from '../../lib/dns/svcb.js';
import { formatServiceData, parseServiceRdata, parseServiceRecord } from '../../lib/dns/svcb-presentation.js';
import { fieldOfKey, keyOfField, keyOfName, nameOfKey } from '../../lib/dns/svcb-keys.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** RFC 9460 Appendix D: presentation form(s), the RDATA, and the decoded record. */
const VECTORS: Array<{ title: string; texts: string[]; wire: string; record: ServiceData }> = [
  {
    title: 'D.1 AliasMode',
    texts: ['0 foo.example.com.'],
    wire: '0000 03666f6f076578616d706c6503636f6d00',
    record: { priority: 0, target: 'foo.example.com', params: {} },
  },
  {
    title: 'D.2 TargetName is "."',
    texts: ['1 .'],
    wire: '0001 00',
    record: { priority: 1, target: '.', params: {} },
  },
  {
    title: 'D.2 specifies a port',
    texts: ['16 foo.example.com. port=53'],
    wire: '0010 03666f6f076578616d706c6503636f6d00 0003 0002 0035',
    record: { priority: 16, target: 'foo.example.com', params: { port: 53 } },
  },
  {
    title: 'D.2 a generic key and unquoted value',
    texts: ['1 foo.example.com. key667=hello'],
    wire: '0001 03666f6f076578616d706c6503636f6d00 029b 0005 68656c6c6f',
    record: { priority: 1, target: 'foo.example.com', params: { key667: Buffer.from('hello') } },
  },
  {
    title: 'D.2 a generic key and quoted value with a decimal escape',
    texts: ['1 foo.example.com. key667="hello\\210qoo"'],
    wire: '0001 03666f6f076578616d706c6503636f6d00 029b 0009 68656c6c6fd2716f6f',
    record: { priority: 1, target: 'foo.example.com', params: { key667: hex('68656c6c6fd2716f6f') } },
  },
  {
    title: 'D.2 two quoted IPv6 hints',
    texts: ['1 foo.example.com. ipv6hint="2001:db8::1,2001:db8::53:1"'],
    wire: '0001 03666f6f076578616d706c6503636f6d00 0006 0020 20010db8000000000000000000000001 20010db8000000000000000000530001',
    record: { priority: 1, target: 'foo.example.com', params: { ipv6hint: ['2001:db8::1', '2001:db8::53:1'] } },
  },
  {
    title: 'D.2 an IPv6 hint using the embedded IPv4 syntax',
    texts: ['1 example.com. ipv6hint="2001:db8:122:344::192.0.2.33"'],
    wire: '0001 076578616d706c6503636f6d00 0006 0010 20010db8012203440000 0000c0000221',
    record: { priority: 1, target: 'example.com', params: { ipv6hint: ['2001:db8:122:344::c000:221'] } },
  },
  {
    title: 'D.2 SvcParamKey ordering is arbitrary in presentation format but sorted in wire format',
    texts: ['16 foo.example.org. alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1'],
    wire: '0010 03666f6f076578616d706c65036f726700 0000 0004 0001 0004 0001 0009 026832 05 68332d3139 0004 0004 c0000201',
    record: { priority: 16, target: 'foo.example.org', params: { mandatory: ['alpn', 'ipv4hint'], alpn: ['h2', 'h3-19'], ipv4hint: ['192.0.2.1'] } },
  },
  {
    title: 'D.2 an alpn value with an escaped comma and an escaped backslash in two presentation formats',
    texts: ['16 foo.example.org. alpn="f\\\\\\\\oo\\\\,bar,h2"', '16 foo.example.org. alpn=f\\\\\\092oo\\092,bar,h2'],
    wire: '0010 03666f6f076578616d706c65036f726700 0001 000c 08 665c6f6f2c626172 02 6832',
    record: { priority: 16, target: 'foo.example.org', params: { alpn: ['f\\oo,bar', 'h2'] } },
  },
];

t.test('RFC 9460 Appendix D vectors: presentation → wire → record → presentation → wire', async (t) => {
  for (const v of VECTORS) {
    const wire = hex(v.wire);
    for (const text of v.texts) t.same(parseServiceRdata(text), wire, `${v.title}: ${text} encodes to the vector`);
    const decoded = decodeServiceData(wire);
    t.same(decoded, { ok: true, record: v.record }, `${v.title}: decodes`);
    t.same(encodeServiceData(v.record), wire, `${v.title}: the record encodes to the vector`);
    const formatted = formatServiceData(v.record);
    t.same(parseServiceRdata(formatted), wire, `${v.title}: our presentation (${formatted}) parses back to the vector`);
  }
});

t.test('our presentation of the vectors is the canonical text', async (t) => {
  const formatted = VECTORS.map((v) => formatServiceData(v.record));
  t.same(formatted, [
    '0 foo.example.com.',
    '1 .',
    '16 foo.example.com. port=53',
    '1 foo.example.com. key667="hello"',
    '1 foo.example.com. key667="hello\\210qoo"',
    '1 foo.example.com. ipv6hint=2001:db8::1,2001:db8::53:1',
    '1 example.com. ipv6hint=2001:db8:122:344::c000:221',
    '16 foo.example.org. mandatory=alpn,ipv4hint alpn=h2,h3-19 ipv4hint=192.0.2.1',
    '16 foo.example.org. alpn=f\\\\\\\\oo\\\\,bar,h2',
  ]);
});

t.test('RFC 9460 Appendix D.3 failure cases are refused with a typed error', async (t) => {
  const failures = [
    '1 foo.example.com. key123=abc key123=def',
    '1 foo.example.com. mandatory',
    '1 foo.example.com. alpn',
    '1 foo.example.com. port',
    '1 foo.example.com. ipv4hint',
    '1 foo.example.com. ipv6hint',
    '1 foo.example.com. no-default-alpn=abc',
    '1 foo.example.com. mandatory=key123',
    '1 foo.example.com. mandatory=mandatory',
    '1 foo.example.com. mandatory=key123,key123 key123=abc',
  ];
  for (const text of failures) t.throws(() => parseServiceRdata(text), InvalidArgumentError, text);
});

t.test('every SvcParamKey round-trips: all parameters in one record', async (t) => {
  const ech = Buffer.concat([Buffer.of(0, 4), Buffer.from('ECH!')]);
  const record: ServiceData = {
    priority: 1,
    target: '.',
    params: {
      mandatory: ['alpn', 'port'],
      alpn: ['h2', 'h3'],
      noDefaultAlpn: true,
      port: 8443,
      ipv4hint: ['192.0.2.1', '192.0.2.2'],
      ech,
      ipv6hint: ['2001:db8::1'],
      dohpath: '/dns-query{?dns}',
      key65000: Buffer.from([0x61, 0xd2, 0x20, 0x22, 0x5c]),
    },
  };
  const wire = encodeServiceData(record);
  t.same(decodeServiceData(wire), { ok: true, record });
  const text = formatServiceData(record);
  t.equal(
    text,
    `1 . mandatory=alpn,port alpn=h2,h3 no-default-alpn port=8443 ipv4hint=192.0.2.1,192.0.2.2 ech=${ech.toString('base64')} ipv6hint=2001:db8::1 dohpath="/dns-query{?dns}" key65000="a\\210\\032\\"\\\\"`,
  );
  t.same(parseServiceRdata(text), wire, 'the text parses back to the same RDATA');
  t.same(parseServiceRecord(text), record);
  t.same(
    parseServiceRecord('1 . key7="/q{?dns}" key1=\\002h2'),
    { priority: 1, target: '.', params: { alpn: ['h2'], dohpath: '/q{?dns}' } },
    'keyNNNNN of a known key is its wire form',
  );
  t.same(
    parseServiceRecord('1 . alpn="h2,http/1.1"\tport="443"'.replace('port="443"', 'port=443')).params,
    { alpn: ['h2', 'http/1.1'], port: 443 },
    'quotes and tabs',
  );
});

t.test('a malformed RDATA is reported, never thrown (RFC 9460 §2.2)', async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ['too short', '0001', /RDATA of 2 octets/],
    ['name runs off', '0001 05616263', /inside the TargetName/],
    ['name without its end', '0001 03616263', /inside the TargetName/],
    ['compressed name', '0001 c00c', /compressed/],
    ['half a key', '0001 00 00', /inside a SvcParam/],
    ['value runs off', '0001 00 0003 0004 0001', /inside the value/],
    ['keys descending', '0001 00 0003 0002 01bb 0001 0003 026832', /strictly increasing/],
    ['key repeated', '0001 00 0003 0002 01bb 0003 0002 01bb', /strictly increasing/],
    ['port of 3 octets', '0001 00 0003 0003 01bb00', /expected 2/],
    ['empty alpn', '0001 00 0001 0000', /empty/],
    ['alpn id of length 0', '0001 00 0001 0001 00', /do not fill/],
    ['alpn id runs over', '0001 00 0001 0003 056832', /do not fill/],
    ['no-default-alpn with a value', '0001 00 0001 0003 026832 0002 0001 00', /not empty/],
    ['no-default-alpn without alpn', '0001 00 0002 0000', /without alpn/],
    ['ipv4hint of 5 octets', '0001 00 0004 0005 c000020101', /5 octets/],
    ['empty ipv4hint', '0001 00 0004 0000', /0 octets/],
    ['ipv6hint of 15 octets', `0001 00 0006 000f ${'00'.repeat(15)}`, /15 octets/],
    ['ech with a wrong inner length', '0001 00 0005 0004 0005 6162', /ECHConfigList/],
    ['dohpath not UTF-8', '0001 00 0007 0002 c328', /UTF-8/],
    ['mandatory of odd length', '0001 00 0000 0003 000100', /3 octets/],
    ['empty mandatory', '0001 00 0000 0000', /0 octets/],
    ['mandatory lists itself', '0001 00 0000 0002 0000', /itself/],
    ['mandatory not ascending', '0001 00 0000 0004 0003 0001 0001 0003 026832 0003 0002 01bb', /strictly increasing/],
    ['mandatory key missing', '0001 00 0000 0002 0003', /mandatory port is missing/],
    ['name over 255 octets', `0001 ${'3f'.concat('61'.repeat(63)).repeat(4)}00`, /TargetName of 257 octets/],
  ];
  for (const [what, wire, reason] of cases) {
    const result = decodeServiceData(hex(wire));
    t.equal(result.ok, false, what);
    t.match((result as { reason: string }).reason, reason, what);
  }
});

t.test('TargetNames with odd octets round-trip through their escaped text', async (t) => {
  const wire = hex('0001 03 612e62 02 5c20 04 65780aff 00');
  const decoded = decodeServiceData(wire);
  t.same(decoded, { ok: true, record: { priority: 1, target: 'a\\.b.\\\\\\032.ex\\010\\255', params: {} } });
  t.same(encodeTarget('a\\.b.\\\\\\032.ex\\010\\255.'), hex('03 612e62 02 5c20 04 65780aff 00'));
  t.same(parseServiceRdata('1 a\\.b.\\\\\\032.ex\\010\\255.'), wire);
  for (const bad of ['a..b', 'x\\256', 'ab\\', `${'a'.repeat(64)}.b`, 'é.test', 'a\\é.test', Array(130).fill('a').join('.')]) {
    t.throws(() => encodeTarget(bad), InvalidArgumentError, bad);
  }
});

t.test('records that cannot be encoded are refused with an error naming the field', async (t) => {
  const ok = { priority: 1, target: '.' };
  const bad: Array<[unknown, RegExp]> = [
    [{ ...ok, priority: -1, params: {} }, /priority/],
    [{ ...ok, priority: 1.5, params: {} }, /priority/],
    [{ ...ok, target: 5, params: {} }, /target/],
    [{ ...ok, params: null }, /params/],
    [{ ...ok, params: { bogus: 1 } }, /params/],
    [{ ...ok, params: { key1: Buffer.from('x') } }, /params/],
    [{ ...ok, params: { key65535: Buffer.alloc(0) } }, /params/],
    [{ ...ok, params: { mandatory: ['nope'] } }, /params.mandatory/],
    [{ ...ok, params: { mandatory: ['port', 'port'], port: 1 } }, /params.mandatory/],
    [{ ...ok, params: { mandatory: [] } }, /params.mandatory/],
    [{ ...ok, params: { alpn: [''] } }, /params.alpn/],
    [{ ...ok, params: { alpn: ['é€'] } }, /params.alpn/],
    [{ ...ok, params: { noDefaultAlpn: false } }, /params.noDefaultAlpn/],
    [{ ...ok, params: { port: 70000 } }, /params.port/],
    [{ ...ok, params: { ipv4hint: ['::1'] } }, /params.ipv4hint/],
    [{ ...ok, params: { ipv6hint: ['fe80::1%eth0'] } }, /params.ipv6hint/],
    [{ ...ok, params: { dohpath: 7 } }, /params.dohpath/],
    [{ ...ok, params: { ech: 'AAA=' } }, /params.ech/],
    [{ ...ok, params: { ech: Buffer.from('xy') } }, /self-consistent/],
    [{ ...ok, params: { noDefaultAlpn: true } }, /self-consistent/],
    [{ ...ok, params: { key9: Buffer.alloc(70000) } }, /at most 65535/],
  ];
  for (const [record, message] of bad)
    t.throws(() => encodeServiceData(record as ServiceData), { name: 'InvalidArgumentError', message }, JSON.stringify(record));
});

t.test('presentation input mistakes are refused with the reason', async (t) => {
  const bad: Array<[string, RegExp]> = [
    ['', /needs SvcPriority/],
    ['1', /needs SvcPriority/],
    ['65536 .', /SvcPriority 65536/],
    ['x .', /SvcPriority x/],
    ['1 a..b.', /domain name/],
    ['1 . alpn="h2', /unterminated quote/],
    ['1 . alpn=h2\\', /ends with a backslash/],
    ['1 . nope=1', /unknown SvcParamKey nope/],
    ['1 . key65535=x', /unknown SvcParamKey key65535/],
    ['1 . key01=x', /unknown SvcParamKey key01/],
    ['1 . port=1 port=2', /port given twice/],
    ['1 . port=\\049', /must not contain escape/],
    ['1 . port=65536', /port "65536"/],
    ['1 . ipv4hint=1.2.3', /ipv4hint "1.2.3"/],
    ['1 . ipv6hint=1.2.3.4', /ipv6hint "1.2.3.4"/],
    ['1 . ech=***', /not Base 64/],
    ['1 . mandatory=nope', /not a SvcParamKey/],
    ['1 . alpn=h2,,h3', /empty item/],
    ['1 . alpn=h2\\\\x', /backslash before "x"/],
    ['1 . alpn=h2\\\\', /backslash before the end/],
    [`1 . alpn=${'a'.repeat(256)}`, /over 255 octets/],
    ['1 . key9=a"b"c', /quote inside/],
    ['1 . key9=\\300', /over 255/],
    [`1 . key9="${'\\000'.repeat(65536)}"`, /longer than 65535/],
    ['1 . ech=AAQ=', /ECHConfigList/],
  ];
  for (const [text, message] of bad) t.throws(() => parseServiceRdata(text), { name: 'InvalidArgumentError', message }, text);
  t.throws(() => parseServiceRdata(5 as unknown as string), { name: 'InvalidArgumentError' });
});

t.test('the key table: numbers, presentation names and camelCase fields', async (t) => {
  t.equal(keyOfName('no-default-alpn'), 2);
  t.equal(keyOfName('key65535'), 65535);
  t.equal(keyOfName('key65536'), undefined);
  t.equal(keyOfName('ALPN'), undefined);
  t.equal(nameOfKey(7), 'dohpath');
  t.equal(nameOfKey(8), 'key8');
  t.equal(fieldOfKey(2), 'noDefaultAlpn');
  t.equal(fieldOfKey(667), 'key667');
  t.equal(keyOfField('noDefaultAlpn'), 2);
  t.equal(keyOfField('key667'), 667);
  t.equal(keyOfField('key2'), undefined, 'a known key only by its own name');
  t.equal(keyOfField('no-default-alpn'), undefined);
});

t.test('formatting skips fields that are no SvcParam, and escapes unquoted alpn specials', async (t) => {
  const record = { priority: 2, target: 'svc.example', params: { alpn: ['a;b', 'c d'], bogus: 1 } as never };
  t.equal(formatServiceData(record), '2 svc.example. alpn=a\\;b,c\\032d');
  t.same(parseServiceRecord('2 svc.example. alpn=a\\;b,c\\032d').params, { alpn: ['a;b', 'c d'] });
});
