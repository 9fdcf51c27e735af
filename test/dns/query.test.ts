import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import t from 'tap';
import { DnsError } from '../../lib/errors.js';
import { buildQuery, encodeName, makeQuestion, newQueryId } from '../../lib/dns/query.js';
import type { AddressRecordType } from '../../lib/dns/types.js';

const OPT_BYTES = 11;

t.test('a query decodes as one question with RD and an EDNS0 OPT of the asked payload size', async (t) => {
  const cases: Array<{ name: string; type: AddressRecordType; size: number }> = [
    { name: 'www.example.test', type: 'A', size: 1232 },
    { name: 'WWW.Example.Test', type: 'AAAA', size: 512 },
    { name: 'a', type: 'A', size: 4096 },
    { name: `${'x'.repeat(63)}.test`, type: 'AAAA', size: 1232 },
  ];
  for (const c of cases) {
    const sent = buildQuery(makeQuestion(c.name, c.type, c.size), 0xbeef);
    const decoded = dnsPacket.decode(sent.packet) as dnsPacket.DecodedPacket & { rcode: string };
    t.equal(decoded.id, 0xbeef, `${c.name}: id`);
    t.equal(decoded.type, 'query', `${c.name}: QR clear`);
    t.ok(decoded.flag_rd, `${c.name}: RD set (RFC 1035 §4.1.1)`);
    t.same(decoded.questions, [{ name: c.name, type: c.type, class: 'IN' }], `${c.name}: question`);
    const opt = decoded.additionals?.[0] as dnsPacket.OptAnswer;
    t.equal(opt.type, 'OPT', `${c.name}: OPT record (RFC 6891 §6.1.2)`);
    t.equal(opt.udpPayloadSize, c.size, `${c.name}: UDP payload size`);
    t.equal(opt.ednsVersion, 0);
    t.equal(dnsPacket.decode.bytes, sent.packet.length, `${c.name}: no trailing bytes`);
    t.equal(sent.questionEnd, sent.packet.length - OPT_BYTES, `${c.name}: questionEnd marks the question's end`);
    // Round trip: dns-packet's own encoding of the same query is byte-identical.
    const reencoded = dnsPacket.encode({
      type: 'query',
      id: 0xbeef,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name: c.name, type: c.type }],
      additionals: [{ name: '.', type: 'OPT', udpPayloadSize: c.size, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
    });
    t.same(sent.packet, reencoded, `${c.name}: same bytes as dns-packet`);
  }
});

t.test('names that cannot go on the wire are EBADNAME', async (t) => {
  const bad = ['a..b', '.a', `${'x'.repeat(64)}.test`, `${'abcdefg.'.repeat(32)}test`];
  for (const name of bad) {
    t.throws(() => encodeName(name, 'A'), { code: 'EBADNAME', hostname: name, rrtype: 'A' }, JSON.stringify(name));
    t.throws(() => makeQuestion(name, 'AAAA'), DnsError);
  }
  // 253 characters of labels is the longest name that fits in 255 wire bytes.
  const longest = `${'x'.repeat(63)}.${'y'.repeat(63)}.${'z'.repeat(63)}.${'w'.repeat(61)}`;
  t.equal(encodeName(longest).length, 255);
  t.throws(() => encodeName(`${longest}w`), { code: 'EBADNAME' });
  t.same(encodeName(''), Buffer.from([0]), 'the root is a single zero byte');
  t.same(encodeName('ab.c'), Buffer.from([2, 0x61, 0x62, 1, 0x63, 0]));
});

t.test('query IDs come from the CSPRNG: spread over 16 bits, not sequential', async (t) => {
  const ids = Array.from({ length: 2000 }, () => newQueryId());
  t.ok(
    ids.every((id) => Number.isInteger(id) && id >= 0 && id <= 0xffff),
    'all 16-bit',
  );
  // 2000 draws from 65536 values: ~30 collisions expected; a counter or a bad source gives none or many.
  t.ok(new Set(ids).size > 1900, 'nearly all distinct');
  const steps = ids.slice(1).map((id, i) => (id - ids[i]! + 0x10000) % 0x10000);
  t.ok(new Set(steps).size > 1900, 'no fixed step between consecutive IDs');
  t.ok(ids.filter((id) => id < 0x8000).length > 800, 'both halves of the range used');
  t.ok(ids.filter((id) => id >= 0x8000).length > 800);
  t.not(buildQuery(makeQuestion('a.test', 'A')).id, undefined, 'buildQuery picks an ID when none is given');
});

t.test('a packet handed to a try is never written again: later tries get copies', async (t) => {
  const question = makeQuestion('www.example.test', 'A');
  const first = buildQuery(question, 0x1111);
  const second = buildQuery(question, 0x2222);
  const third = buildQuery(question, 0x3333);
  t.equal(first.packet, question.template, 'the first try takes the encoded query itself');
  t.equal(first.packet.readUInt16BE(0), 0x1111, 'later tries did not rewrite the first packet');
  t.equal(second.packet.readUInt16BE(0), 0x2222);
  t.equal(third.packet.readUInt16BE(0), 0x3333);
  t.same(first.packet.subarray(2), third.packet.subarray(2), 'the rest is the same query');
  third.packet[13] = 0x58;
  t.equal(second.packet[13], first.packet[13], 'copies share no memory');
  t.equal(first.questionEnd, question.questionEnd);
});

t.test(
  'hand encoding gives the bytes of dns-packet encode for 3,000 names (ASCII, any case, odd characters, non-ASCII); refuses only what cannot go on the wire',
  async (t) => {
    const char = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...'abcxyzABCXYZ0189-_') },
      { weight: 1, arbitrary: fc.constantFrom('*', '\\', ' ', '@', '\x01', '\x7f', 'é', 'ü', '€', '日') },
    );
    const labelArb = fc.array(char, { minLength: 0, maxLength: 70 }).map((chars) => chars.join(''));
    const nameArb = fc.array(labelArb, { minLength: 1, maxLength: 6 }).map((labels) => labels.join('.'));
    let encoded = 0;
    let refused = 0;
    fc.assert(
      fc.property(nameArb, fc.constantFrom<AddressRecordType>('A', 'AAAA'), fc.integer({ min: 512, max: 65535 }), (name, type, size) => {
        const labels = name.split('.').map((label) => Buffer.byteLength(label));
        const fits = name === '' || (labels.every((n) => n >= 1 && n <= 63) && Buffer.byteLength(name) + 2 <= 255); // '': the root
        let sent: ReturnType<typeof buildQuery>;
        try {
          sent = buildQuery(makeQuestion(name, type, size), 0x0102);
        } catch (error) {
          refused++;
          return !fits && error instanceof DnsError && error.code === 'EBADNAME';
        }
        encoded++;
        const reference = dnsPacket.encode({
          type: 'query',
          id: 0x0102,
          flags: dnsPacket.RECURSION_DESIRED,
          questions: [{ name, type }],
          additionals: [{ name: '.', type: 'OPT', udpPayloadSize: size, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
        });
        return fits && sent.packet.equals(reference);
      }),
      { numRuns: 3000, seed: 1035 },
    );
    t.ok(encoded > 500 && refused > 500, `${encoded} encoded as dns-packet does, ${refused} refused with EBADNAME`);
  },
);
