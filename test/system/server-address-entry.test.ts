/** Server entries for DoT and DoH (`tls://…`, `https://…`) and the options that go with them. */
import t from 'tap';
import { DnsClient } from '../../lib/dns/client.js';
import { resolveEncrypted } from '../../lib/dns/encrypted-options.js';
import { serverKey } from '../../lib/dns/transport.js';
import type { DnsServer } from '../../lib/dns/types.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { Resolver } from '../../lib/resolver.js';
import { DOH_PORT, DOT_PORT, parseServerEntry } from '../../lib/system/server-address.js';
import { caught } from '../helpers/caught.js';

const valid: Array<[string, DnsServer]> = [
  ['127.0.0.1', { address: '127.0.0.1', port: 53, family: 4 }],
  ['[::1]:5300', { address: '::1', port: 5300, family: 6 }],
  ['tls://127.0.0.1', { transport: 'tls', address: '127.0.0.1', port: DOT_PORT, family: 4, servername: undefined }],
  ['tls://127.0.0.1:8853', { transport: 'tls', address: '127.0.0.1', port: 8853, family: 4, servername: undefined }],
  ['tls://[::1]:853#dns.he.test', { transport: 'tls', address: '::1', port: 853, family: 6, servername: 'dns.he.test' }],
  ['tls://::1', { transport: 'tls', address: '::1', port: 853, family: 6, servername: undefined }],
  ['TLS://192.0.2.1#Dns.Example', { transport: 'tls', address: '192.0.2.1', port: 853, family: 4, servername: 'Dns.Example' }],
  ['tls://[fe80::1%eth0]:8853', { transport: 'tls', address: 'fe80::1%eth0', port: 8853, family: 6, servername: undefined }],
  ['https://dns.he.test/dns-query', { transport: 'https', url: 'https://dns.he.test/dns-query', host: 'dns.he.test', port: DOH_PORT, path: '/dns-query' }],
  ['https://127.0.0.1:8443/dns-query', { transport: 'https', url: 'https://127.0.0.1:8443/dns-query', host: '127.0.0.1', port: 8443, path: '/dns-query' }],
  ['https://[::1]:8443/q?ct=1', { transport: 'https', url: 'https://[::1]:8443/q?ct=1', host: '::1', port: 8443, path: '/q?ct=1' }],
  // RFC 8484 §3 URI template: the GET variable is ours to add.
  ['https://dns.example/dns-query{?dns}', { transport: 'https', url: 'https://dns.example/dns-query', host: 'dns.example', port: 443, path: '/dns-query' }],
  ['HTTPS://DNS.EXAMPLE:443/Path', { transport: 'https', url: 'https://dns.example/Path', host: 'dns.example', port: 443, path: '/Path' }],
];

for (const [entry, want] of valid) {
  t.test(`parseServerEntry(${JSON.stringify(entry)})`, async (t) => {
    t.same(parseServerEntry(entry), want);
  });
}

const invalid: Array<[unknown, RegExp]> = [
  ['tls://dns.example', /tls:\/\/IP/], // DoT takes an address: a name would need DNS first
  ['tls://127.0.0.1:0', /tls:\/\/IP/],
  ['tls://127.0.0.1:65536', /tls:\/\/IP/],
  ['tls://127.0.0.1#', /tls:\/\/IP/],
  ['tls://127.0.0.1#bad name', /tls:\/\/IP/],
  ['tls://127.0.0.1#a..b', /tls:\/\/IP/],
  ['tls://[192.0.2.1]', /tls:\/\/IP/],
  ['tls://', /tls:\/\/IP/],
  ['https://dns.example', /https:\/\/HOST/],
  ['https://dns.example/', /https:\/\/HOST/],
  ['https://u:p@dns.example/q', /https:\/\/HOST/],
  ['https://dns.example/q#frag', /https:\/\/HOST/],
  ['https://a..b/q', /https:\/\/HOST/], // the URL parser takes it; no host name has an empty label
  ['https://dns.example:99999/q', /https:\/\/HOST/],
  ['https://[::1/q', /https:\/\/HOST/],
  ['http://dns.example/dns-query', /'ip\[:port\]'.*tls:\/\/.*https:\/\//], // plaintext HTTP is no DoH
  ['udp://127.0.0.1', /tls:\/\/.*https:\/\//],
  ['dns.example', /tls:\/\/.*https:\/\//],
  ['', /tls:\/\//],
  [42, /tls:\/\//],
];

t.test('bad entries: InvalidArgumentError naming the option and the value, saying what is expected', async (t) => {
  for (const [entry, expected] of invalid) {
    const err = caught(() => parseServerEntry(entry as string, 'servers[3]')) as InvalidArgumentError;
    t.type(err, InvalidArgumentError, JSON.stringify(entry));
    t.equal(err.option, 'servers[3]');
    t.equal(err.value, entry);
    t.match(err.message, expected, JSON.stringify(entry));
    if (typeof entry === 'string' && entry !== '') t.match(err.message, entry, 'the message quotes the value');
  }
  t.throws(() => parseServerEntry('tls://x'), { name: 'InvalidArgumentError', option: 'servers' }, 'the option defaults to "servers"');
});

t.test('serverKey names each kind as answers and errors show it', async (t) => {
  const cases: Array<[string, string]> = [
    ['127.0.0.1:5300', '127.0.0.1:5300'],
    ['[::1]:53', '[::1]:53'],
    ['tls://127.0.0.1', 'tls://127.0.0.1:853'],
    ['tls://[::1]:8853#dns.he.test', 'tls://[::1]:8853#dns.he.test'],
    ['https://dns.he.test/dns-query{?dns}', 'https://dns.he.test/dns-query'],
  ];
  for (const [entry, key] of cases) t.equal(serverKey(parseServerEntry(entry)), key, entry);
});

t.test('encrypted options: defaults, and each bad value named', async (t) => {
  t.same(resolveEncrypted({}, {}), { idleTimeout: 10_000, maxInFlight: 100, dohMethod: 'POST', reconnectDelay: 250, maxReconnectDelay: 10_000, tls: {} });
  t.equal(resolveEncrypted({ reconnectDelay: 20_000 }, {}).maxReconnectDelay, 20_000, 'the ceiling is never below the first delay');
  const ca = 'pem';
  t.same(resolveEncrypted({ dohMethod: 'GET', idleTimeout: 1 }, { ca }), {
    idleTimeout: 1,
    maxInFlight: 100,
    dohMethod: 'GET',
    reconnectDelay: 250,
    maxReconnectDelay: 10_000,
    tls: { ca },
  });
  const perServer = { host: 'x', port: 1, path: '/p', socket: undefined, lookup: () => {}, servername: 'other.example' };
  t.same(resolveEncrypted({}, { ca, minVersion: 'TLSv1.3', ...perServer }).tls, { ca, minVersion: 'TLSv1.3' }, 'what an entry decides is dropped');
  const bad: Array<[unknown, unknown, string]> = [
    [null, {}, 'encrypted'],
    [{}, null, 'tls'],
    [{}, 'ca.pem', 'tls'],
    [{ dohMethod: 'PUT' }, {}, 'encrypted.dohMethod'],
    [{ idleTimeout: 0 }, {}, 'encrypted.idleTimeout'],
    [{ maxInFlight: 4097 }, {}, 'encrypted.maxInFlight'],
    [{ maxInFlight: 1.5 }, {}, 'encrypted.maxInFlight'],
    [{ reconnectDelay: 0 }, {}, 'encrypted.reconnectDelay'],
    [{ reconnectDelay: 500, maxReconnectDelay: 499 }, {}, 'encrypted.maxReconnectDelay'],
  ];
  for (const [encrypted, tls, option] of bad) t.throws(() => resolveEncrypted(encrypted, tls), { name: 'InvalidArgumentError', option }, option);
});

t.test('DnsClient checks DoT and DoH server objects and the bootstrap up front', async (t) => {
  const tls = { transport: 'tls', address: '127.0.0.1', port: 853, family: 4 } as const;
  const https = { transport: 'https', url: 'https://127.0.0.1/q', host: '127.0.0.1', port: 443, path: '/q' } as const;
  const bad: Array<[unknown, string]> = [
    [{ ...tls, address: 'dns.example' }, 'servers[0]'],
    [{ ...tls, address: 2130706433 }, 'servers[0]'],
    [{ ...tls, family: 6 }, 'servers[0]'],
    [{ ...tls, port: 0 }, 'servers[0]'],
    [{ ...tls, servername: 'bad name' }, 'servers[0]'],
    [{ ...https, url: 'http://127.0.0.1/q' }, 'servers[0]'],
    [{ ...https, host: 'bad host' }, 'servers[0]'],
    [{ ...https, port: '443' }, 'servers[0]'],
    [{ ...https, path: 'q' }, 'servers[0]'],
    [{ address: '127.0.0.1', port: 53, family: 4, transport: 'udp' }, 'servers[0]'],
  ];
  for (const [server, option] of bad) {
    t.throws(() => new DnsClient({ servers: [server as DnsServer] }), { name: 'InvalidArgumentError', option }, JSON.stringify(server));
  }
  const named = { ...https, url: 'https://dns.he.test/q', host: 'dns.he.test' };
  t.throws(() => new DnsClient({ servers: [named] }), { option: 'bootstrap', message: /dns\.he\.test/ }, 'a DoH host name needs a bootstrap');
  t.throws(() => new DnsClient({ servers: [tls], bootstrap: 'yes' as never }), { name: 'InvalidArgumentError', option: 'bootstrap' });
  new DnsClient({ servers: [tls, https, named], bootstrap: async () => ['127.0.0.1'] }).close();
  t.throws(() => new DnsClient({ servers: [tls], tls: 'ca' as never }), { name: 'InvalidArgumentError', option: 'tls' });
});

t.test('Resolver: a DoH host name it could never resolve is refused at construction', async (t) => {
  const err = caught(() => new Resolver({ servers: ['tls://127.0.0.1', 'https://dns.example/dns-query'], hosts: false })) as InvalidArgumentError;
  t.match(err, { name: 'InvalidArgumentError', option: 'servers[1]', value: 'https://dns.example/dns-query' });
  t.match(err.message, /plain server or a hosts file to resolve dns\.example/);
  // Each of these can resolve it (or needs no resolving): construction succeeds.
  const fine: Array<ConstructorParameters<typeof Resolver>[0]> = [
    { servers: ['https://dns.example/dns-query'] }, // the hosts file
    { servers: ['127.0.0.1:5300', 'https://dns.example/dns-query'], hosts: false }, // a plain server
    { servers: ['https://localhost:8443/dns-query'], hosts: false }, // RFC 6761
    { servers: ['https://127.0.0.1/dns-query'], hosts: false },
  ];
  for (const options of fine) new Resolver(options).close();
  t.throws(
    () => new Resolver({ servers: ['tls://127.0.0.1'], tls: 'ca.pem' as never }),
    { name: 'InvalidArgumentError', option: 'tls' },
    'bad tls options fail at construction',
  );
  t.throws(() => new Resolver({ servers: ['tls://127.0.0.1'], encrypted: { dohMethod: 'PUT' as never } }), {
    name: 'InvalidArgumentError',
    option: 'encrypted.dohMethod',
  });
  t.throws(() => new Resolver({ servers: ['tls://dns.example'] }), { name: 'InvalidArgumentError', option: 'servers[0]' });
});
