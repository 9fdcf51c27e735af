/** The fake DNS server and knot helpers themselves: later issues build on them. */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import t from 'tap';
import { forge } from './fake-dns-forgery.js';
import { FakeDnsServer } from './fake-dns-server.js';
import { ZoneStore } from './fake-dns-store.js';
import { toAnswers, zoneToText, type Zone } from './fake-dns-zone.js';
import { startKnot } from '../../scripts/harness/knot.js';
import { unmet } from './requirements.js';
import { fixtureZone, fixtureZones } from '../../scripts/harness/zones.js';

/** One raw query to the fake server, over UDP; resolves with the decoded reply or undefined. */
function ask(port: number, packet: Buffer, waitMs = 300): Promise<dnsPacket.DecodedPacket | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => done(undefined), waitMs);
    const done = (reply: dnsPacket.DecodedPacket | undefined): void => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    socket.on('message', (msg) => done(dnsPacket.decode(msg)));
    socket.send(packet, port, '127.0.0.1');
  });
}

const query = (name: string, type: dnsPacket.RecordType, edns = true): Buffer =>
  dnsPacket.encode({
    type: 'query',
    id: 99,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type }],
    additionals: edns ? [{ name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
  });

t.test('fake server: API, counts, behaviours, odd input', async (t) => {
  const srv = await FakeDnsServer.start({ zones: fixtureZones() });
  t.teardown(() => srv.close());
  t.equal(srv.server, `127.0.0.1:${srv.address.port}`);
  await t.rejects(FakeDnsServer.start({ port: srv.address.port }), { code: 'EADDRINUSE' }, 'a taken fixed port');

  // Not a query: garbage, and a response. Ignored, not counted.
  t.equal(await ask(srv.address.port, Buffer.from('garbage!'), 100), undefined);
  const response = Buffer.from(query('www.example.test', 'A'));
  response[2]! |= 0x80;
  t.equal(await ask(srv.address.port, response, 100), undefined);
  t.equal(srv.count(), 0);

  // Without EDNS the UDP limit is 512 bytes (RFC 1035 §4.2.1): the big RRset is truncated.
  const small = await ask(srv.address.port, query('big.example.test', 'AAAA', false));
  t.ok(small?.flag_tc, 'TC without EDNS');
  t.same(small?.additionals, [], 'no OPT in the reply to a query without one');
  const www = await ask(srv.address.port, query('www.example.test', 'A', false));
  t.notOk(www?.flag_tc, 'small answers fit in 512');

  // `times`: the behaviour applies to that many queries, then normal service.
  srv.setBehaviour('www.example.test', 'A', { rcode: 'REFUSED', times: 2 });
  const codes = [];
  for (let i = 0; i < 3; i++) codes.push(((await ask(srv.address.port, query('www.example.test', 'A'))) as { rcode?: string })?.rcode);
  t.same(codes, ['REFUSED', 'REFUSED', 'NOERROR']);

  // '*' matches any name or type; a specific (name, type) wins; undefined removes.
  srv.setBehaviour('*', '*', { rcode: 'SERVFAIL' });
  srv.setBehaviour('www.example.test', '*', { rcode: 'NXDOMAIN' });
  t.equal(((await ask(srv.address.port, query('v4only.example.test', 'A'))) as { rcode?: string })?.rcode, 'SERVFAIL');
  const nx = await ask(srv.address.port, query('www.example.test', 'AAAA'));
  t.equal((nx as { rcode?: string })?.rcode, 'NXDOMAIN');
  t.equal(nx?.authorities?.[0]?.type, 'SOA', 'NXDOMAIN carries the SOA');
  srv.setBehaviour('*', '*', undefined);
  srv.setBehaviour('www.example.test', '*', undefined);
  srv.setBehaviour('nozone.invalid', 'A', { rcode: 'NODATA' });
  const nodata = await ask(srv.address.port, query('nozone.invalid', 'A'));
  t.same([(nodata as { rcode?: string })?.rcode, nodata?.authorities], ['NOERROR', []], 'no zone, no SOA');

  t.equal(srv.count('WWW.example.test'), 5, 'names counted without case');
  t.equal(srv.count('www.example.test', 'A', 'udp'), 4);
  t.equal(srv.count(undefined, undefined, 'tcp'), 0);
  t.throws(() => srv.setRecords('host.invalid', 'A', ['192.0.2.1']), /no zone holds/);
  await srv.close();
  await srv.close(); // idempotent
});

t.test('fake server on ::1, TCP trickle with default pacing', async (t) => {
  const srv = await FakeDnsServer.start({ zones: fixtureZones(), host: '::1' });
  t.same(srv.address.family, 6);
  t.equal(srv.server, `[::1]:${srv.address.port}`);
  srv.setBehaviour('www.example.test', 'A', { truncate: 'empty', tcp: 'trickle' });
  const { DnsClient } = await import('../../lib/dns/client.js');
  const client = new DnsClient({ servers: [srv.address], timeout: 5000 });
  t.equal((await client.query('www.example.test', 'A')).records.length, 2);
  client.close();
  await srv.close();
});

t.test('fake server: no zones, garbage over TCP, forged TCP frames from a function, close mid-flood', async (t) => {
  const empty = await FakeDnsServer.start();
  t.equal(((await ask(empty.address.port, query('www.example.test', 'A'))) as { rcode?: string })?.rcode, 'REFUSED', 'no zone: REFUSED');
  await empty.close();

  const srv = await FakeDnsServer.start({ zones: fixtureZones() });
  const tcp = await new Promise<net.Socket>((resolve) => {
    const socket = net.connect(srv.address.port, '127.0.0.1', () => resolve(socket));
  });
  tcp.write(Buffer.from([0, 3, 1, 2, 3])); // a 3-byte "query"
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(srv.count(), 0, 'garbage over TCP is ignored');
  tcp.destroy();

  const { DnsClient } = await import('../../lib/dns/client.js');
  const client = new DnsClient({ servers: [srv.address], timeout: 2000 });
  srv.setBehaviour('www.example.test', 'A', { truncate: 'empty', forge: [(q) => [forge('wrong-id', dnsPacket.decode(q))]] });
  t.equal((await client.query('www.example.test', 'A')).records.length, 2);
  t.equal(client.stats().ignoredReplies, 2, 'one forged datagram, one forged frame');
  client.close();

  // A paced flood still going when the server closes: its remaining turns are cancelled.
  srv.setBehaviour('www.example.test', 'AAAA', { forge: [() => Array.from({ length: 200 }, () => Buffer.from('x'))] });
  const socket = dgram.createSocket('udp4');
  let received = 0;
  socket.on('message', () => received++);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.send(query('www.example.test', 'AAAA'), srv.address.port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('message', () => resolve()));
  await srv.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.ok(received < 200, `the flood stopped at close (${received} sent)`);
  socket.close();
});

t.test('zone store: a root zone (origin .) holds every name', async (t) => {
  const root: Zone = { origin: '.', ttl: 60, soa: { ...fixtureZone('example.test').soa }, records: [{ name: 'a.b.test', type: 'A', data: '192.0.2.1' }] };
  const store = new ZoneStore([root, fixtureZone('example.test')]);
  t.equal(store.zoneFor('x')?.origin, '.');
  t.equal(store.zoneFor('www.example.test')?.origin, 'example.test', 'a longer origin still wins');
  t.equal(store.lookup('nothing', 'A').rcode, 'NXDOMAIN');
  t.equal(store.lookup('b.test', 'A').rcode, 'NOERROR', 'an ancestor of a name exists');
  t.equal(new ZoneStore([fixtureZone('example.test'), root]).zoneFor('www.example.test')?.origin, 'example.test', 'in either order');
});

t.test('zone store: nested zones, empty non-terminals, wildcards, removal', async (t) => {
  const nested: Zone = { origin: 'sub.example.test', ttl: 30, soa: { ...fixtureZone('example.test').soa, ttl: undefined }, records: [] };
  const store = new ZoneStore([fixtureZone('example.test'), nested]);
  t.equal(store.zoneFor('a.sub.example.test')?.origin, 'sub.example.test', 'the longest origin wins');
  t.equal(store.zoneFor('a.example.test')?.origin, 'example.test');
  t.equal((store.lookup('x.sub.example.test', 'A').authorities[0] as { ttl?: number }).ttl, 30, 'SOA TTL defaults to the zone TTL');
  store.setRecords('a.b.example.test', 'A', ['192.0.2.3']);
  t.same(store.lookup('b.example.test', 'A').rcode, 'NOERROR', 'an empty non-terminal exists (NODATA)');
  store.setRecords('a.b.example.test', 'A', []);
  t.same(store.lookup('b.example.test', 'A').rcode, 'NXDOMAIN', 'gone with its only child');
  t.same(store.lookup('deep.x.wild.example.test', 'A').rcode, 'NXDOMAIN', 'wildcards cover one level');
  t.same(store.lookup('nothing.invalid', 'A').rcode, 'REFUSED', 'not our zone');
  for (let i = 0; i < 20; i++) store.setRecords(`c${i}.example.test`, 'CNAME', [`c${i + 1}.example.test`]);
  t.equal(store.lookup('c0.example.test', 'A').answers.length, 16, 'in-zone chains are cut at 16');
});

t.test('zone text for knot, and answers for each record type', async (t) => {
  const zone: Zone = {
    origin: 'z.test',
    ttl: 60,
    soa: { mname: 'ns.z.test', rname: 'h.z.test', serial: 7, refresh: 1, retry: 2, expire: 3, minimum: 4 },
    records: [
      { name: 'z.test', type: 'NS', data: 'ns.z.test' },
      { name: 'z.test', type: 'MX', ttl: 5, data: '10 mail.z.test' },
      { name: 't.z.test', type: 'TXT', data: 'say "hi"' },
      { name: 'p.z.test', type: 'PTR', data: 'host.z.test' },
      { name: 'a.z.test', type: 'A', data: ['192.0.2.1', '192.0.2.2'] },
    ],
  };
  t.equal(
    zoneToText(zone),
    [
      '$ORIGIN z.test.',
      '$TTL 60',
      '@ 60 IN SOA ns.z.test. h.z.test. 7 1 2 3 4',
      'z.test. 60 IN NS ns.z.test.',
      'z.test. 5 IN MX 10 mail.z.test.',
      't.z.test. 60 IN TXT "say \\"hi\\""',
      'p.z.test. 60 IN PTR host.z.test.',
      'a.z.test. 60 IN A 192.0.2.1',
      'a.z.test. 60 IN A 192.0.2.2',
      '',
    ].join('\n'),
  );
  t.same(toAnswers(zone.records[1]!, 60), [{ name: 'z.test', type: 'MX', class: 'IN', ttl: 5, data: { preference: 10, exchange: 'mail.z.test' } }]);
  t.equal(toAnswers(zone.records[4]!, 60, 'owner.z.test').length, 2);
});

t.test('knot helper: missing knotd, a broken config, a zone that does not load', async (t) => {
  await t.rejects(startKnot(fixtureZones(), { knotd: undefined }), /knotd is not installed/);
  if (unmet(['knot'])) return;
  const bad: Zone = { ...fixtureZone('other.test'), origin: 'bad zone name' };
  await t.rejects(startKnot([bad], { tries: 1 }), /knotd exited/, 'knotd refuses the config');
  const broken: Zone = { ...fixtureZone('other.test'), records: [{ name: 'x.other.test', type: 'A', data: 'not-an-address' }] };
  await t.rejects(startKnot([broken], { tries: 2, readyMs: 300 }), /did not answer/, 'the zone does not load');
});
