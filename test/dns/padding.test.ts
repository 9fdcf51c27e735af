/** EDNS(0) Padding (RFC 7830) to 128-octet blocks (RFC 8467 §4.1) on DoT/DoH queries. */
import dnsPacket from 'dns-packet';
import t from 'tap';
import { OPTION_PADDING, paddedQuery, paddingLength, QUERY_BLOCK } from '../../lib/dns/padding.js';
import { buildQuery, makeQuestion } from '../../lib/dns/query.js';

t.test('paddingLength: up to the next multiple, 0 on one', async (t) => {
  const cases: Array<[number, number]> = [
    [0, 0],
    [1, 127],
    [124, 4],
    [127, 1],
    [128, 0],
    [129, 127],
    [300, 84],
  ];
  for (const [length, padding] of cases) t.equal(paddingLength(length, 128), padding, `${length}`);
});

// Names whose unpadded queries fall on both sides of the 128 and 256 boundaries, and on them.
const names = [
  'a',
  'www.example.test',
  'x'.repeat(63),
  `${'x'.repeat(63)}.${'y'.repeat(36)}`,
  `${'x'.repeat(63)}.${'y'.repeat(37)}`,
  `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.d`,
];

for (const name of names) {
  for (const type of ['A', 'AAAA'] as const) {
    t.test(`${type} ${name.length > 20 ? `${name.length}-char name` : name}: a multiple of 128, decodable, zeros`, async (t) => {
      const question = makeQuestion(name, type);
      const template = Buffer.from(question.template);
      const sent = paddedQuery(question, 0x1234);
      const { packet } = sent;
      t.equal(packet.length % QUERY_BLOCK, 0, `${packet.length} bytes`);
      t.ok(packet.length >= template.length + 4 && packet.length < template.length + 4 + QUERY_BLOCK, 'the smallest such length');
      t.same([sent.id, sent.name, sent.type, sent.questionEnd], [0x1234, name, type, question.questionEnd]);
      t.same(packet.subarray(2, question.questionEnd), template.subarray(2, question.questionEnd), 'header flags and question as the template');
      const decoded = dnsPacket.decode(packet);
      t.equal(decoded.id, 0x1234);
      t.same(decoded.questions, [{ name, type, class: 'IN' }]);
      const opt = decoded.additionals![0] as dnsPacket.OptAnswer;
      t.equal(opt.type, 'OPT');
      t.equal(opt.udpPayloadSize, 1232);
      t.equal(opt.options.length, 1);
      const padding = opt.options[0] as { code: number; data: Buffer };
      t.equal(padding.code, OPTION_PADDING);
      t.ok(
        padding.data.every((byte) => byte === 0),
        'padding octets are 0x00 (RFC 7830 §3)',
      );
      t.same(question.template, template, 'the template is never written to');
      t.equal(question.sent, false, 'and not handed out: a plain try may still use it');
      t.not(paddedQuery(question, 1).packet, packet, 'a new buffer per try');
    });
  }
}

t.test('a plain query is never padded (RFC 7830 §6)', async (t) => {
  const plain = buildQuery(makeQuestion('www.example.test', 'A'), 7).packet;
  const opt = dnsPacket.decode(plain).additionals![0] as dnsPacket.OptAnswer;
  t.same(opt.options, []);
  t.not(plain.length % QUERY_BLOCK, 0);
});
