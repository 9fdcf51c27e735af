/**
 * Against a real DoT/DoH implementation: dnsdist (Debian package "dnsdist", installed by
 * .ci/run) on loopback, forwarding to a FakeDnsServer backend. Skipped, saying why, when
 * dnsdist is not installed.
 */
import t from 'tap';
import { Resolver } from '../../lib/resolver.js';
import { startDnsdist } from '../../scripts/harness/dnsdist.js';
import { CA, clientFor } from '../helpers/encrypted.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { unmet } from '../helpers/requirements.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

const skip = unmet(['dnsdist']);
if (skip) {
  t.plan(0, skip);
} else {
  const backend = await FakeDnsServer.start({ zones: fixtureZones() });
  const dnsdist = await startDnsdist(backend.address);
  t.teardown(async () => {
    await dnsdist.stop();
    await backend.close();
  });

  for (const [label, entry, method] of [
    ['DoT', dnsdist.dot, 'POST'],
    ['DoH POST', dnsdist.doh, 'POST'],
    ['DoH GET', dnsdist.doh, 'GET'],
  ] as const) {
    t.test(`${label}: answers, negatives and a 100-record RRset through dnsdist`, async (t) => {
      const client = clientFor(t, [entry], { encrypted: { dohMethod: method } });
      const answer = await client.query('www.example.test', 'A');
      t.same(answer.records, [
        { address: '192.0.2.1', ttl: 300 },
        { address: '192.0.2.2', ttl: 300 },
      ]);
      t.equal(answer.server, entry);
      t.same((await client.query('alias1.example.test', 'AAAA')).cnames, ['alias2.example.test', 'alias3.example.test', 'www.example.test']);
      await t.rejects(client.query('nope.example.test', 'A'), { code: 'ENOTFOUND', server: entry });
      t.equal((await client.query('big.example.test', 'AAAA')).records.length, 100);
    });

    t.test(`${label}: 100 concurrent queries on one ${label === 'DoT' ? 'TLS connection' : 'HTTP/2 session'}`, async (t) => {
      const client = clientFor(t, [entry], { encrypted: { dohMethod: method } });
      const tag = label.replace(' ', '-').toLowerCase();
      const names = Array.from({ length: 100 }, (_, i) => `${tag}-${i}.wild.example.test`);
      const answers = await Promise.all(names.map((name) => client.query(name, 'A')));
      t.same(
        answers.map((a) => a.name),
        names,
      );
      t.ok(answers.every((a) => a.records[0]!.address === '192.0.2.42'));
      t.match(client.stats(), label === 'DoT' ? { dotConnections: 1, dotQueries: 100 } : { dohSessions: 1, dohQueries: 100 });
      t.equal(backend.queries().filter((q) => q.name.startsWith(`${tag}-`)).length, 100, 'each reached the backend once');
    });
  }

  t.test('Resolver over dnsdist DoT: 10 concurrent lookups, one query at the backend', async (t) => {
    const resolver = new Resolver({ servers: [dnsdist.dot], tls: { ca: CA }, resolvConf: false, hosts: false });
    t.teardown(() => resolver.close());
    await Promise.all(Array.from({ length: 10 }, () => resolver.query('coalesced.wild.example.test', 'A')));
    t.equal(backend.count('coalesced.wild.example.test', 'A'), 1);
    t.match(resolver.stats(), { coalesced: 9, dotQueries: 1 });
  });

  t.test('dnsdist with an untrusted certificate: ECERT, never plaintext', async (t) => {
    const client = clientFor(t, [dnsdist.dot, dnsdist.doh], { tls: {} });
    const before = backend.count();
    await t.rejects(client.query('www.example.test', 'A'), { code: 'ECERT' });
    t.match(client.stats(), { certificateFailures: 2 });
    t.equal(backend.count(), before, 'nothing reached the backend');
  });

  t.test('a DoH path dnsdist does not serve: an HTTP error, EBADRESP', async (t) => {
    const client = clientFor(t, [dnsdist.doh.replace('/dns-query', '/nope')]);
    await t.rejects(client.query('www.example.test', 'A'), { code: 'EBADRESP', cause: { status: /^4/ } });
  });
}
