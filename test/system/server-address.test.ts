import t from 'tap';
import { caught } from '../helpers/caught.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { serverKey } from '../../lib/dns/transport.js';
import { DNS_PORT, parseServerAddress } from '../../lib/system/server-address.js';

const valid: Array<[string, { address: string; port: number; family: 4 | 6 }]> = [
  ['192.0.2.53', { address: '192.0.2.53', port: 53, family: 4 }],
  ['127.0.0.1:5300', { address: '127.0.0.1', port: 5300, family: 4 }],
  ['127.0.0.1:1', { address: '127.0.0.1', port: 1, family: 4 }],
  ['127.0.0.1:65535', { address: '127.0.0.1', port: 65535, family: 4 }],
  ['127.0.0.1:00053', { address: '127.0.0.1', port: 53, family: 4 }],
  ['[::1]:5300', { address: '::1', port: 5300, family: 6 }],
  ['[::1]', { address: '::1', port: 53, family: 6 }],
  ['::1', { address: '::1', port: 53, family: 6 }],
  // A bare IPv6 address has no port: the last group is part of the address.
  ['::1:53', { address: '::1:53', port: 53, family: 6 }],
  ['2001:db8::53', { address: '2001:db8::53', port: 53, family: 6 }],
  ['fe80::1%eth0', { address: 'fe80::1%eth0', port: 53, family: 6 }],
  ['[fe80::1%eth0]:853', { address: 'fe80::1%eth0', port: 853, family: 6 }],
  ['::ffff:127.0.0.1', { address: '::ffff:127.0.0.1', port: 53, family: 6 }],
];

for (const [entry, want] of valid) {
  t.test(`parseServerAddress(${JSON.stringify(entry)})`, async (t) => {
    t.same(parseServerAddress(entry), want);
  });
}

const invalid: unknown[] = [
  '',
  'dns.example',
  'localhost:53',
  '127.0.0.1:',
  '127.0.0.1:0',
  '127.0.0.1:65536',
  '127.0.0.1:99999',
  '127.0.0.1:-1',
  '127.0.0.1:+53',
  '127.0.0.1:5 3',
  '127.0.0.1:0x35',
  ':53',
  '[127.0.0.1]:53',
  '[127.0.0.1]',
  '[::1]:',
  '[::1]53',
  '[::1]:0',
  '[::1',
  '::1]',
  '[]:53',
  '127.1',
  ' 127.0.0.1',
  'udp://127.0.0.1',
  undefined,
  53,
  null,
  { address: '127.0.0.1' },
];

for (const entry of invalid) {
  t.test(`parseServerAddress refuses ${JSON.stringify(entry)}`, async (t) => {
    const err = caught(() => parseServerAddress(entry as string, 'servers[2]'));
    t.type(err, InvalidArgumentError);
    t.match(err, { code: 'ERR_HE_INVALID_ARGUMENT', option: 'servers[2]', message: /^Invalid servers\[2\]: / });
    t.equal((err as InvalidArgumentError).value, entry);
  });
}

t.test('the option defaults to "servers"', async (t) => {
  t.throws(() => parseServerAddress('nope'), { option: 'servers', value: 'nope', message: /^Invalid servers: "nope"/ });
});

t.test('serverKey names a plain server the way its entry parses back', async (t) => {
  t.equal(DNS_PORT, 53);
  const cases: Array<[string, string]> = [
    ['192.0.2.53', '192.0.2.53:53'],
    ['127.0.0.1:5300', '127.0.0.1:5300'],
    ['::1', '[::1]:53'],
    ['[fe80::1%eth0]:853', '[fe80::1%eth0]:853'],
  ];
  for (const [entry, formatted] of cases) {
    t.equal(serverKey(parseServerAddress(entry)), formatted);
    t.same(parseServerAddress(formatted), parseServerAddress(entry));
  }
});
