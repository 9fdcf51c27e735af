/**
 * HTTPS questions (RFC 9460) through the wire client: over UDP, TCP (after TC), DoT and
 * DoH alike; CNAME chains; NODATA; a malformed RRset rejected whole (§2.2).
 */
import dnsPacket from 'dns-packet';
import t from 'tap';
import { DnsClient } from '../../lib/dns/client.js';
import { interpret } from '../../lib/dns/interpret.js';
import { decodeReply } from '../../lib/dns/reply.js';
import { makeQuestion, buildQuery } from '../../lib/dns/query.js';
import { parseServiceRdata } from '../../lib/dns/svcb-presentation.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { clientFor, dohServer, dotServer } from '../helpers/encrypted.js';
import { fixtureZone, fixtureZones } from '../../scripts/harness/zones.js';

const zones = [...fixtureZones(), fixtureZone('svc.test')];
const srv = await FakeDnsServer.start({ zones });
t.teardown(() => srv.close());

const SVC = { priority: 1, target: '.', params: { alpn: ['h2', 'h3'], ipv4hint: ['192.0.2.10'], ipv6hint: ['2001:db8::10'] }, ttl: 300 };

t.test('the question goes out as TYPE 65 and the answer is decoded', async (t) => {
  const client = new DnsClient({ servers: [srv.address], timeout: 2000 });
  t.teardown(() => client.close());
  srv.resetCounts();
  const answer = await client.query('svc.test', 'HTTPS');
  t.same(answer, { name: 'svc.test', type: 'HTTPS', records: [SVC], ttl: 300, cnames: [], server: srv.server, source: 'dns', aliases: [] });
  t.equal(srv.count('svc.test', 'HTTPS', 'udp'), 1, 'the server saw an HTTPS question');
  t.equal(buildQuery(makeQuestion('svc.test', 'HTTPS'), 1).packet.readUInt16BE(12 + 10), 65, 'QTYPE 65 on the wire');
});

t.test('a CNAME chain is followed to the HTTPS RRset; the TTL is the smallest', async (t) => {
  const client = new DnsClient({ servers: [srv.address], timeout: 2000 });
  t.teardown(() => client.close());
  const answer = await client.query('cname.svc.test', 'HTTPS');
  t.same(answer.cnames, ['svc.test']);
  t.same(answer.records, [SVC]);
});

t.test('AliasMode records come back as they are: following them is the Resolver’s job', async (t) => {
  const client = new DnsClient({ servers: [srv.address], timeout: 2000 });
  t.teardown(() => client.close());
  const answer = await client.query('alias.svc.test', 'HTTPS');
  t.same(answer.records, [{ priority: 0, target: 'svc.test', params: {}, ttl: 300 }]);
  t.same(answer.aliases, []);
});

t.test('NODATA is ENODATA with the SOA’s negative TTL; NXDOMAIN is ENOTFOUND', async (t) => {
  const client = new DnsClient({ servers: [srv.address], timeout: 2000 });
  t.teardown(() => client.close());
  await t.rejects(client.query('nodata.svc.test', 'HTTPS'), { name: 'DnsError', code: 'ENODATA', rrtype: 'HTTPS', syscall: 'queryHttps', negativeTtl: 60 });
  await t.rejects(client.query('missing.svc.test', 'HTTPS'), { code: 'ENOTFOUND', rrtype: 'HTTPS' });
});

t.test('one malformed record rejects the whole RRset (RFC 9460 §2.2): EBADRESP naming why', async (t) => {
  const client = new DnsClient({ servers: [srv.address], timeout: 2000, attempts: 1 });
  t.teardown(() => client.close());
  srv.resetCounts();
  const err = await client.query('malformed.svc.test', 'HTTPS').catch((e: unknown) => e);
  t.match(err, { name: 'DnsError', code: 'EBADRESP', rrtype: 'HTTPS', hostname: 'malformed.svc.test' });
  t.match((err as Error).cause, { message: /malformed HTTPS RRset \(RFC 9460 §2.2\): record 2: port: 3 octets/ });
  t.equal(srv.count('malformed.svc.test', 'HTTPS'), 1, 'the server answered: no other server or attempt is asked');
});

t.test('an HTTPS query walks the search list on its own: `both` and no-aaaa concern AAAA and A only', async (t) => {
  const client = new DnsClient({ servers: [srv.address], timeout: 2000, search: ['svc.test'], noAaaa: true });
  t.teardown(() => client.close());
  srv.resetCounts();
  const answer = await client.query('alias', 'HTTPS', { both: true });
  t.equal(answer.name, 'alias.svc.test');
  t.same(
    answer.records.map((r) => r.priority),
    [0],
    'the AliasMode record, as the server gave it',
  );
  t.equal(srv.count('alias.svc.test', 'HTTPS'), 1);
  t.equal(srv.count('alias.svc.test', 'A'), 0, 'no A asked in its place');
});

t.test('a truncated UDP answer is asked again over TCP', async (t) => {
  const client = new DnsClient({ servers: [srv.address], timeout: 2000 });
  t.teardown(() => client.close());
  srv.setBehaviour('all.svc.test', 'HTTPS', { truncate: 'empty' });
  t.teardown(() => srv.setBehaviour('all.svc.test', 'HTTPS', undefined));
  const answer = await client.query('all.svc.test', 'HTTPS');
  t.equal(answer.records.length, 3);
  t.equal(client.stats().tcpQueries, 1);
});

t.test('other types with data the client ignores: SVCB when HTTPS was asked', async (t) => {
  const client = new DnsClient({ servers: [srv.address], timeout: 2000 });
  t.teardown(() => client.close());
  const answer = await client.query('all.svc.test', 'HTTPS');
  t.notOk(
    answer.records.some((r) => r.target === 'dns.svc.test'),
    'the SVCB record at the same name is not in the HTTPS RRset',
  );
});

t.test('DoT and DoH carry HTTPS questions alike', async (t) => {
  const dot = await dotServer(t, { zones });
  const doh = await dohServer(t, { zones });
  for (const entry of [dot.entry, doh.url()]) {
    const client = clientFor(t, [entry]);
    const answer = await client.query('svc.test', 'HTTPS');
    t.same(answer.records, [SVC], entry);
    await t.rejects(client.query('malformed.svc.test', 'HTTPS'), { code: 'EBADRESP' }, entry);
  }
  t.ok(dot.responder.count('svc.test', 'HTTPS') > 0 && doh.responder.count('svc.test', 'HTTPS') > 0, 'both servers saw HTTPS questions');
});

t.test('interpret: HTTPS records of another owner or class are not the RRset; every record is decoded', async (t) => {
  const sent = buildQuery(makeQuestion('x.test', 'HTTPS'), 9);
  const https = (name: string, text: string, klass = 'IN'): dnsPacket.Answer =>
    ({ name, type: 'UNKNOWN_65', class: klass, ttl: 30, data: parseServiceRdata(text) }) as unknown as dnsPacket.Answer;
  const reply = dnsPacket.encode({
    type: 'response',
    id: 9,
    questions: [{ name: 'x.test', type: 'UNKNOWN_65' as 'A' }],
    answers: [https('x.test', '1 . port=1'), https('y.test', '1 . port=2'), https('x.test', '2 . port=3', 'CH'), https('X.TEST', '3 a.test. alpn=h2')],
  });
  const outcome = interpret(decodeReply(reply, sent.questionEnd)!, 'x.test', 'HTTPS', { visited: new Set(), links: 0 });
  t.same(outcome, {
    kind: 'records',
    records: [
      { priority: 1, target: '.', params: { port: 1 }, ttl: 30 },
      { priority: 3, target: 'a.test', params: { alpn: ['h2'] }, ttl: 30 },
    ],
    ttl: 30,
    cnames: [],
  });
});

t.test('a bad type is refused before anything is sent', async (t) => {
  const client = new DnsClient({ servers: [srv.address], timeout: 2000 });
  t.teardown(() => client.close());
  await t.rejects(client.query('svc.test', 'SVCB' as 'HTTPS'), { name: 'InvalidArgumentError', message: /'A', 'AAAA' or 'HTTPS'/ });
});

t.test('zone data in RFC 3597 generic format must say its length right', async (t) => {
  const { toAnswers } = await import('../../lib/lab/dns-zone.js');
  t.same((toAnswers({ name: 'g.test', type: 'HTTPS', data: '\\# 3 00 01 00' }, 60)[0] as { data: Buffer }).data, Buffer.from([0, 1, 0]));
  t.throws(() => toAnswers({ name: 'g.test', type: 'SVCB', data: '\\# 4 000100' }, 60), /3 octets, not 4/);
});
