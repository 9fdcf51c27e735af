/**
 * DNS 0x20 (draft-vixie-dnsext-dns0x20-00), the `dns0x20` option: query names go out in
 * random case and only a reply echoing that case exactly is accepted. Off by default, and
 * then a reply's question is compared without case (RFC 4343), as before.
 */
import dnsPacket from 'dns-packet';
import t from 'tap';
import { DnsClient } from '../../lib/dns/client.js';
import { applyCase, randomizeCase } from '../../lib/dns/dns0x20.js';
import { buildQuery, makeQuestion } from '../../lib/dns/query.js';
import { matchesQuery } from '../../lib/dns/reply.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { Resolver } from '../../lib/resolver.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { startKnot } from '../../scripts/harness/knot.js';
import { unmet } from '../helpers/requirements.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

/** 41 letters: a forger guessing the case is right once in 2^41 tries, never in a test. */
const LONG = 'abcdefghijklmnopqrstuvwxyz.wild.example.test';
const POISON = '192.0.2.66';

const srv = await FakeDnsServer.start({ zones: fixtureZones() });
t.teardown(() => srv.close());

/** The query's name as it was on the wire, case kept. */
function wireName(query: Buffer): string {
  return dnsPacket.decode(query).questions![0]!.name;
}

/** A reply to `query` with the right ID whose question is `name` (the forger's guess of the case). */
function forgedReply(query: Buffer, name: string): Buffer {
  const q = dnsPacket.decode(query);
  return dnsPacket.encode({
    type: 'response',
    id: q.id!,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [{ ...q.questions![0]!, name }],
    answers: [{ name, type: 'A', class: 'IN', ttl: 3600, data: POISON }],
  });
}

t.test('applyCase: bit i sets the case of byte i; only ASCII letters change; it counts them', async (t) => {
  const wire = Buffer.from('\x03wWw\x01-\x02_9\x00', 'latin1');
  const letters = applyCase(wire, 0, wire.length, Uint8Array.of(0b0000_0010, 0));
  t.equal(letters, 3);
  t.equal(wire.toString('latin1'), '\x03wWW\x01-\x02_9\x00', 'bit 1 = lower, bits 2 and 3 = upper; lengths, "-", "_", digits kept');
  t.equal(applyCase(wire, 0, wire.length, Uint8Array.of(0xff, 0xff)), 3);
  t.equal(wire.toString('latin1'), '\x03www\x01-\x02_9\x00');
});

t.test('randomizeCase: every letter is seen in both cases, the name is unchanged but for case', async (t) => {
  const name = Buffer.from('\x03www\x07example\x04test\x00', 'latin1');
  const seen = Array.from({ length: name.length }, () => new Set<number>());
  // 3,000 draws of 3 bytes: more than the 4,096-byte pool holds, so it is refilled too.
  for (let i = 0; i < 3000; i++) {
    const copy = Buffer.from(name);
    randomizeCase(copy, 0, copy.length);
    t.equal(copy.toString('latin1').toLowerCase(), name.toString('latin1'), 'same', { diagnostic: false });
    copy.forEach((byte, k) => seen[k]!.add(byte));
  }
  const both = seen.filter((values) => values.size === 2).length;
  t.equal(both, 14, 'each of the 14 letters came out both ways');
  t.equal(seen.filter((values) => values.size === 1).length, name.length - 14, 'lengths and the root never change');
});

t.test('makeQuestion(…, mixCase): each try draws a fresh case; its reply must echo it exactly', async (t) => {
  const question = makeQuestion(LONG, 'A', 1232, true);
  const first = buildQuery(question, 0x1234);
  const second = buildQuery(question, 0x1234);
  t.equal(first.exactCase, true);
  t.not(wireName(first.packet), wireName(second.packet), 'two tries, two cases (2^-41 to coincide)');
  t.equal(wireName(second.packet).toLowerCase(), LONG);
  const echo = forgedReply(second.packet, wireName(second.packet));
  t.equal(matchesQuery(echo, second), true, 'the exact echo is accepted');
  t.equal(matchesQuery(forgedReply(second.packet, LONG), second), false, 'the same name in lower case is not');
  t.equal(matchesQuery(forgedReply(second.packet, LONG.toUpperCase()), second), false, 'nor in upper case');
  const plain = buildQuery(makeQuestion(LONG, 'A'), 0x1234);
  t.equal(plain.exactCase, false);
  t.equal(wireName(plain.packet), LONG, 'without 0x20 the name goes out as given');
  t.equal(matchesQuery(forgedReply(plain.packet, LONG.toUpperCase()), plain), true, 'and case is ignored (RFC 4343)');
});

t.test('DnsClient dns0x20: the server sees mixed case, the answer is the same', async (t) => {
  const sent: string[] = [];
  srv.setBehaviour(LONG, 'A', { forge: [(query) => (sent.push(wireName(query)), [])] });
  const client = new DnsClient({ servers: [srv.address], dns0x20: true, timeout: 2000 });
  for (let i = 0; i < 8; i++) t.same((await client.query(LONG, 'A')).records, [{ address: '192.0.2.42', ttl: 300 }]);
  t.equal(sent.length, 8);
  t.equal(new Set(sent).size, 8, 'eight queries, eight cases');
  t.ok(sent.every((name) => name !== LONG && name.toLowerCase() === LONG));
  t.equal(client.stats().ignoredReplies, 0);
  client.close();
  srv.setBehaviour(LONG, 'A', undefined);
});

// A forger who knows the port and the ID (the strongest off-path case) but not the case.
for (const dns0x20 of [false, true]) {
  t.test(`right ID, right port, question in guessed case: ${dns0x20 ? 'refused with' : 'accepted without'} dns0x20`, async (t) => {
    const guess = LONG.toUpperCase();
    srv.setBehaviour(LONG, 'A', { forge: [(query) => forgedReply(query, guess)], delay: 20 });
    const client = new DnsClient({ servers: [srv.address], dns0x20, timeout: 2000 });
    const { records } = await client.query(LONG, 'A');
    if (dns0x20) {
      t.same(records, [{ address: '192.0.2.42', ttl: 300 }], 'the real answer, after the forgery');
      t.equal(client.stats().ignoredReplies, 1, 'the forgery was seen and ignored');
    } else {
      t.same(records, [{ address: POISON, ttl: 3600 }], 'the forgery wins: the threat 0x20 answers');
    }
    client.close();
    srv.setBehaviour(LONG, 'A', undefined);
  });
}

t.test('Resolver passes dns0x20 through and validates it', async (t) => {
  const sent: string[] = [];
  srv.setBehaviour(LONG, 'A', { forge: [(query) => (sent.push(wireName(query)), [])] });
  const on = new Resolver({ servers: [srv.server], resolvConf: false, hosts: false, cache: false, dns0x20: true });
  t.same(await on.resolve(LONG, 'A'), [{ address: '192.0.2.42', ttl: 300 }]);
  const off = new Resolver({ servers: [srv.server], resolvConf: false, hosts: false, cache: false });
  await off.resolve(LONG, 'A');
  t.not(sent[0], LONG, 'on: mixed case');
  t.equal(sent[1], LONG, 'off by default');
  t.throws(
    () => new Resolver({ servers: [srv.server], resolvConf: false, hosts: false, dns0x20: 'yes' as unknown as boolean }),
    InvalidArgumentError,
    'at construction',
  );
  t.throws(() => new DnsClient({ servers: [srv.address], dns0x20: 1 as unknown as boolean }), new InvalidArgumentError('dns0x20', 1, 'a boolean'));
  for (const r of [on, off]) r.close();
  srv.setBehaviour(LONG, 'A', undefined);
});

t.test('a real server (knotd) echoes the case: dns0x20 answers over UDP and over TCP', { skip: unmet(['knot']) }, async (t) => {
  const knot = await startKnot(fixtureZones(), { udpWorkers: 1 });
  t.teardown(() => knot.stop());
  const client = new DnsClient({ servers: [knot.v4], dns0x20: true, timeout: 2000 });
  for (let i = 0; i < 20; i++) t.same((await client.query(LONG, 'A')).records, [{ address: '192.0.2.42', ttl: 300 }], 'same', { diagnostic: false });
  t.equal((await client.query('big.example.test', 'AAAA')).records.length, 100, 'TC, then TCP');
  const stats = client.stats();
  t.equal(stats.tcpQueries, 1);
  t.equal(stats.ignoredReplies, 0, 'no reply was refused for its case');
  client.close();
});
