/** Search-list expansion (resolv.conf(5) search/ndots, glibc res_search order). */
import t from 'tap';
import { DnsClient } from '../../lib/dns/client.js';
import type { AddressRecordType } from '../../lib/dns/types.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

const srv = await FakeDnsServer.start({ zones: fixtureZones() });
t.teardown(() => srv.close());
// Single-label names are in no zone the server holds: give them a plain NXDOMAIN (no SOA).
srv.setBehaviour('nope', '*', { rcode: 'NXDOMAIN' });
srv.setBehaviour('v4only', '*', { rcode: 'NXDOMAIN' });
srv.setBehaviour('w'.repeat(62), '*', { rcode: 'NXDOMAIN' });
srv.setBehaviour('sf.example.test', '*', { rcode: 'SERVFAIL' });

const long = `${'l'.repeat(63)}.${'m'.repeat(63)}.${'n'.repeat(63)}`;

interface Case {
  what: string;
  name: string;
  type?: AddressRecordType;
  search: string[];
  ndots?: number;
  /** Names the server was asked, in order. */
  asked: string[];
  answer?: { name: string; addresses: string[] };
  error?: { code: string; negativeTtl: number | undefined };
}

const cases: Case[] = [
  {
    what: 'a short name is tried with the search domains first',
    name: 'host',
    search: ['corp.example.test', 'example.test'],
    asked: ['host.corp.example.test'],
    answer: { name: 'host.corp.example.test', addresses: ['192.0.2.77'] },
  },
  {
    what: 'NXDOMAIN moves on to the next candidate',
    name: 'www',
    search: ['nowhere.example.test', 'example.test'],
    asked: ['www.nowhere.example.test', 'www.example.test'],
    answer: { name: 'www.example.test', addresses: ['192.0.2.1', '192.0.2.2'] },
  },
  {
    what: 'NODATA moves on too, as glibc does',
    name: 'v4only',
    type: 'AAAA',
    search: ['example.test', 'other.test'],
    asked: ['v4only.example.test', 'v4only.other.test', 'v4only'],
    error: { code: 'ENODATA', negativeTtl: undefined },
  },
  {
    what: 'a name with ndots dots is asked as is first; ENODATA if any candidate had NODATA; smallest negative TTL',
    name: 'v4only.example.test',
    type: 'AAAA',
    search: ['other.test'],
    asked: ['v4only.example.test', 'v4only.example.test.other.test'],
    error: { code: 'ENODATA', negativeTtl: 30 },
  },
  {
    what: 'every candidate NXDOMAIN: ENOTFOUND; a candidate without SOA leaves the negative TTL unknown',
    name: 'nope',
    search: ['example.test', 'other.test'],
    asked: ['nope.example.test', 'nope.other.test', 'nope'],
    error: { code: 'ENOTFOUND', negativeTtl: undefined },
  },
  {
    what: 'ndots 0: even a single label is asked as is first',
    name: 'nope',
    search: ['example.test', 'other.test'],
    ndots: 0,
    asked: ['nope', 'nope.example.test', 'nope.other.test'],
    error: { code: 'ENOTFOUND', negativeTtl: undefined },
  },
  {
    what: 'every candidate NXDOMAIN, all with a SOA',
    name: 'nope.example.test',
    search: ['other.test'],
    asked: ['nope.example.test', 'nope.example.test.other.test'],
    error: { code: 'ENOTFOUND', negativeTtl: 30 },
  },
  {
    what: 'SERVFAIL on a candidate goes on to the next, and is the error when no candidate answers (glibc res_search)',
    name: 'sf',
    search: ['example.test', 'other.test'],
    // 'sf' is in no zone of the server: REFUSED, twice (two attempts).
    asked: ['sf.example.test', 'sf.example.test', 'sf.other.test', 'sf', 'sf'],
    error: { code: 'ESERVFAIL', negativeTtl: undefined },
  },
  {
    what: 'a trailing dot: the name alone',
    name: 'www.example.test.',
    search: ['other.test'],
    asked: ['www.example.test'],
    answer: { name: 'www.example.test', addresses: ['192.0.2.1', '192.0.2.2'] },
  },
  {
    what: 'a name asked as is first answers before any candidate too long for the wire',
    name: 'www.example.test',
    search: [long, 'other.test'],
    asked: ['www.example.test'],
    answer: { name: 'www.example.test', addresses: ['192.0.2.1', '192.0.2.2'] },
  },
  {
    what: 'a candidate too long for the wire ends the list; the name as given is still asked',
    name: 'w'.repeat(62),
    search: [long, 'example.test'],
    asked: ['w'.repeat(62)],
    error: { code: 'ENOTFOUND', negativeTtl: undefined },
  },
];

for (const c of cases) {
  t.test(c.what, async (t) => {
    const type = c.type ?? 'A';
    srv.resetCounts();
    const client = new DnsClient({ servers: [srv.address], search: c.search, ndots: c.ndots ?? 1, timeout: 1000, attempts: 2 });
    const pending = client.query(c.name, type);
    if (c.answer) {
      const answer = await pending;
      t.equal(answer.name, c.answer.name, 'Answer.name is the candidate that answered');
      t.same(
        answer.records.map((r) => r.address),
        c.answer.addresses,
      );
    } else {
      await t.rejects(pending, { code: c.error!.code, hostname: c.name, rrtype: type, negativeTtl: c.error!.negativeTtl });
    }
    t.same(
      srv.queries().map((q) => q.name),
      c.asked,
      'names asked, in order',
    );
    client.close();
  });
}

t.test('no candidate fits on the wire: EBADNAME', async (t) => {
  const client = new DnsClient({ servers: [srv.address], search: [long] });
  await t.rejects(client.query(`${'x'.repeat(63)}.${'y'.repeat(63)}.${'z'.repeat(63)}.${'w'.repeat(62)}`, 'A'), { code: 'EBADNAME' });
  client.close();
});
