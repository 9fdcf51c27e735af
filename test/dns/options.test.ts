import t from 'tap';
import { systemClock } from '../../lib/clock.js';
import { DnsClient } from '../../lib/dns/client.js';
import { resolveClientOptions, type DnsClientOptions } from '../../lib/dns/options.js';
import { InvalidArgumentError } from '../../lib/errors.js';

const server = { address: '127.0.0.1', port: 53, family: 4 as const };

t.test('defaults follow resolv.conf(5) and the project', async (t) => {
  t.same(resolveClientOptions({ servers: [server] }), {
    servers: [server],
    timeout: 5000,
    attempts: 2,
    rotate: false,
    search: [],
    ndots: 1,
    noTldQuery: false,
    noAaaa: false,
    tcp: false,
    udpPayloadSize: 1232,
    udpMaxQueries: 16,
    dns0x20: false,
    clock: systemClock,
    encrypted: { idleTimeout: 10_000, maxInFlight: 100, dohMethod: 'POST', reconnectDelay: 250, maxReconnectDelay: 10_000, tls: {} },
    bootstrap: undefined,
  });
});

t.test('IPv6 servers are kept in canonical form, zone ids kept', async (t) => {
  const { servers } = resolveClientOptions({
    servers: [
      { address: '0:0:0:0:0:0:0:1', port: 5300, family: 6 },
      { address: 'FE80::1%eth0', port: 53, family: 6 },
    ],
  });
  t.same(servers, [
    { address: '::1', port: 5300, family: 6 },
    { address: 'fe80::1%eth0', port: 53, family: 6 },
  ]);
});

const bad: Array<{ option: string; options: unknown }> = [
  { option: 'options', options: null },
  { option: 'options', options: 'servers' },
  { option: 'servers', options: {} },
  { option: 'servers', options: { servers: [] } },
  { option: 'servers', options: { servers: '127.0.0.1' } },
  { option: 'servers[0]', options: { servers: [null] } },
  { option: 'servers[0]', options: { servers: ['127.0.0.1'] } },
  { option: 'servers[0]', options: { servers: [{ address: 'localhost', port: 53, family: 4 }] } },
  { option: 'servers[0]', options: { servers: [{ address: '::1', port: 53, family: 4 }] } },
  { option: 'servers[1]', options: { servers: [server, { address: '127.0.0.1', port: 53 }] } },
  { option: 'servers[0].port', options: { servers: [{ ...server, port: 0 }] } },
  { option: 'servers[0].port', options: { servers: [{ ...server, port: 65536 }] } },
  { option: 'servers[0].port', options: { servers: [{ ...server, port: '53' }] } },
  { option: 'timeout', options: { servers: [server], timeout: 0 } },
  { option: 'timeout', options: { servers: [server], timeout: 1.5 } },
  { option: 'timeout', options: { servers: [server], timeout: 2 ** 31 } },
  { option: 'timeout', options: { servers: [server], timeout: Number.NaN } },
  { option: 'attempts', options: { servers: [server], attempts: 0 } },
  { option: 'attempts', options: { servers: [server], attempts: 11 } },
  { option: 'rotate', options: { servers: [server], rotate: 1 } },
  { option: 'noTldQuery', options: { servers: [server], noTldQuery: 'yes' } },
  { option: 'noAaaa', options: { servers: [server], noAaaa: 1 } },
  { option: 'tcp', options: { servers: [server], tcp: 'always' } },
  { option: 'dns0x20', options: { servers: [server], dns0x20: 'yes' } },
  { option: 'search', options: { servers: [server], search: 'example.test' } },
  { option: 'search', options: { servers: [server], search: [''] } },
  { option: 'search', options: { servers: [server], search: [42] } },
  { option: 'search', options: { servers: [server], search: Array.from({ length: 33 }, () => 'a.test') } },
  { option: 'search', options: { servers: [server], search: ['x'.repeat(255)] } },
  { option: 'ndots', options: { servers: [server], ndots: -1 } },
  { option: 'ndots', options: { servers: [server], ndots: 16 } },
  { option: 'udpPayloadSize', options: { servers: [server], udpPayloadSize: 511 } },
  { option: 'udpPayloadSize', options: { servers: [server], udpPayloadSize: 65536 } },
  { option: 'udpMaxQueries', options: { servers: [server], udpMaxQueries: 0 } },
  { option: 'clock', options: { servers: [server], clock: {} } },
  { option: 'clock', options: { servers: [server], clock: { now: () => 0, setTimeout: () => 0 } } },
];

for (const c of bad) {
  t.test(`bad ${c.option}: ${JSON.stringify(c.options)?.slice(0, 60)}`, async (t) => {
    t.throws(() => new DnsClient(c.options as DnsClientOptions), InvalidArgumentError);
    t.throws(() => resolveClientOptions(c.options as DnsClientOptions), { code: 'ERR_HE_INVALID_ARGUMENT', option: c.option });
  });
}

t.test('query arguments are validated: a rejection, never a throw', async (t) => {
  const client = new DnsClient({ servers: [server] });
  const cases: Array<[unknown, unknown, string]> = [
    ['', 'A', 'name'],
    [42, 'A', 'name'],
    ['www.example.test', 'MX', 'type'],
    ['www.example.test', undefined, 'type'],
  ];
  for (const [name, type, option] of cases) {
    const pending = client.query(name as string, type as 'A');
    t.type(pending, Promise);
    await t.rejects(pending, { name: 'InvalidArgumentError', option });
  }
  for (const [options, option] of [
    [null, 'options'],
    ['fast', 'options'],
    [{ signal: 'stop' }, 'signal'],
  ] as const) {
    const pending = client.query('www.example.test', 'A', options as never);
    t.type(pending, Promise);
    await t.rejects(pending, { name: 'InvalidArgumentError', option });
  }
  client.close();
});
