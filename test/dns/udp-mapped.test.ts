/**
 * A nameserver written as an IPv4-mapped IPv6 address (`nameserver ::ffff:127.0.0.53`):
 * the query leaves an IPv6 socket, and the kernel reports the reply's source in dotted
 * form, which must still count as the server's.
 */
import t from 'tap';
import { DnsClient } from '../../lib/dns/client.js';
import { Resolver } from '../../lib/resolver.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

const srv = await FakeDnsServer.start({ zones: fixtureZones() });
t.teardown(() => srv.close());

t.test('replies from an IPv4-mapped server are accepted, over UDP and TCP', async (t) => {
  const client = new DnsClient({ servers: [{ address: '::ffff:127.0.0.1', port: srv.address.port, family: 6 }], timeout: 1000, attempts: 1 });
  t.teardown(() => client.close());
  const answer = await client.query('www.example.test', 'A');
  t.same(
    answer.records.map((r) => r.address),
    ['192.0.2.1', '192.0.2.2'],
  );
  t.equal(client.stats().ignoredReplies, 0);
  srv.setBehaviour('www.example.test', 'AAAA', { truncate: 'empty' });
  t.teardown(() => srv.setBehaviour('www.example.test', 'AAAA', undefined));
  t.same(
    (await client.query('www.example.test', 'AAAA')).records.map((r) => r.address),
    ['2001:db8::1'],
    'TCP after truncation',
  );
});

t.test('as a Resolver server entry', async (t) => {
  const resolver = new Resolver({
    servers: [`[::ffff:127.0.0.1]:${srv.address.port}`],
    resolvConf: false,
    hosts: false,
    gaiConf: false,
    timeout: 1000,
    attempts: 1,
  });
  t.teardown(() => resolver.close());
  t.same(
    (await resolver.resolve('www.example.test', 'A')).map((r) => r.address),
    ['192.0.2.1', '192.0.2.2'],
  );
});
