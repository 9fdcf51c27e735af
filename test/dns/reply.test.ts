import { randomBytes, randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import t from 'tap';
import { interpret } from '../../lib/dns/interpret.js';
import { buildQuery, makeQuestion } from '../../lib/dns/query.js';
import { decodeReply, isTruncated, matchesQuery } from '../../lib/dns/reply.js';
import { FORGERIES, POISON_A, forge } from '../helpers/fake-dns-forgery.js';
import { walkRecords } from '../../scripts/harness/fuzz-targets-dns.js';

const sent = buildQuery(makeQuestion('www.example.test', 'A'), 0x1234);
const query = dnsPacket.decode(sent.packet);

type Packet = dnsPacket.Packet;

function reply(patch: Partial<Packet> = {}): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id: 0x1234,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [{ name: 'www.example.test', type: 'A', class: 'IN' }],
    answers: [{ name: 'www.example.test', type: 'A', class: 'IN', ttl: 60, data: '192.0.2.1' }],
    ...patch,
  });
}

t.test('matchesQuery accepts only a reply with our ID, QR and our question (RFC 5452 §9.1)', async (t) => {
  const cases: Array<{ what: string; packet: Buffer; want: boolean }> = [
    { what: 'the real reply', packet: reply(), want: true },
    { what: 'name in other case (RFC 4343)', packet: reply({ questions: [{ name: 'WwW.ExAmPlE.TeSt', type: 'A' }] }), want: true },
    { what: 'wrong ID', packet: reply({ id: 0x1235 }), want: false },
    { what: 'QR clear', packet: reply({ type: 'query' }), want: false },
    { what: 'no question', packet: reply({ questions: [] }), want: false },
    {
      what: 'two questions',
      packet: reply({
        questions: [
          { name: 'www.example.test', type: 'A' },
          { name: 'www.example.test', type: 'A' },
        ],
      }),
      want: false,
    },
    { what: 'other name', packet: reply({ questions: [{ name: 'www.example.tesu', type: 'A' }] }), want: false },
    { what: 'longer name', packet: reply({ questions: [{ name: 'www.example.test.x', type: 'A' }] }), want: false },
    { what: 'other type', packet: reply({ questions: [{ name: 'www.example.test', type: 'AAAA' }] }), want: false },
    { what: 'other class', packet: reply({ questions: [{ name: 'www.example.test', type: 'A', class: 'CH' }] }), want: false },
    { what: 'shorter than the question', packet: reply().subarray(0, sent.questionEnd - 1), want: false },
    { what: 'empty', packet: Buffer.alloc(0), want: false },
  ];
  for (const c of cases) t.equal(matchesQuery(c.packet, sent), c.want, c.what);
});

t.test('a case difference outside ASCII letters is a different name', async (t) => {
  // 0x5b '[' and 0x7b '{' differ by the 0x20 bit but are not letters.
  const a = buildQuery(makeQuestion('a[b.test', 'A'), 7);
  const b = Buffer.from(a.packet);
  b[2] = 0x81; // QR
  b[14] = 0x7b; // '[' -> '{'
  t.notOk(matchesQuery(b, a));
  b[14] = 0x5b;
  t.ok(matchesQuery(b, a));
});

t.test('TC is seen before any decoding', async (t) => {
  t.ok(isTruncated(reply({ flags: dnsPacket.TRUNCATED_RESPONSE })));
  t.notOk(isTruncated(reply()));
});

t.test('decodeReply gives undefined, never throws, on what dns-packet cannot read', async (t) => {
  const good = reply();
  t.equal((decodeReply(good)?.answers?.[0] as { data?: unknown } | undefined)?.data, '192.0.2.1');
  const cases: Array<{ what: string; packet: Buffer }> = [
    { what: 'cut header', packet: good.subarray(0, 7) },
    { what: 'cut inside the A data (dns-packet reads past the end)', packet: good.subarray(0, good.length - 2) },
    { what: 'lying ANCOUNT', packet: withCount(good, 6, 40) },
    { what: 'compression loop', packet: forge('compression-loop', query) },
    { what: 'pointer forward', packet: pointer(good, 0x3fff) },
    { what: 'A data read as HINFO: its strings run past the end', packet: withCount(good, sent.questionEnd + 18, 13) },
  ];
  for (const c of cases) t.equal(decodeReply(c.packet), undefined, c.what);
});

t.test('10,000 malformed replies: no throw, nothing accepted that could change an answer', async (t) => {
  let accepted = 0;
  let poisoned = 0;
  for (let i = 0; i < 10_000; i++) {
    const packet = malformed(i);
    const forged = i % 8 === 2 || i % 8 === 4;
    if (!matchesQuery(packet, sent) || isTruncated(packet)) continue;
    const decoded = decodeReply(packet);
    if (!decoded) continue;
    // Whatever survives decoding must still interpret without throwing.
    const outcome = interpret(decoded, sent.name, sent.type, { visited: new Set(), links: 0 });
    if (outcome.kind !== 'records') continue;
    accepted++;
    // (A byte flip of the real 192.0.2.1 can make 192.0.2.66 too: only forgeries count here.)
    if (forged && outcome.records.some((r) => 'address' in r && r.address === POISON_A)) poisoned++;
  }
  t.equal(poisoned, 0, 'no forged address accepted');
  // Only mutations that keep ID, question and data valid can get here; poison never does.
  t.equal(accepted, acceptedBenign, 'only the benign mutations produce records');
  t.ok(acceptedBenign > 100, 'byte flips in TTL and address bytes keep a usable reply');
});

t.test('decodeReply after the question check gives exactly what dns-packet decode gives, on 10,000 replies', async (t) => {
  let compared = 0;
  let differ = 0;
  for (let i = 0; i < 10_000; i++) {
    const packet = i % 5 === 0 ? reply({ flags: randomInt(0, 16), authorities: [SOA], additionals: [OPT] }) : malformed(i);
    if (!matchesQuery(packet, sent)) continue;
    compared++;
    const want = reference(packet);
    if (!sameDecoding(decodeReply(packet, sent.questionEnd), want) || !sameDecoding(decodeReply(packet), want)) differ++;
  }
  t.equal(differ, 0, 'same records, same RCODE, same refusals');
  t.ok(compared > 3000, `${compared} replies passed the question check and were compared`);
});

const SOA: dnsPacket.Answer = {
  name: 'example.test',
  type: 'SOA',
  ttl: 60,
  data: { mname: 'ns.example.test', rname: 'host.example.test', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 },
};
const OPT: dnsPacket.Answer = { name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };

/**
 * dns-packet's whole-message decode, with the same length check, and refused when a record
 * does not end where its RDLENGTH says (dns-packet reads A and AAAA data without it).
 */
function reference(packet: Buffer): dnsPacket.DecodedPacket | undefined {
  try {
    const decoded = dnsPacket.decode(packet);
    return dnsPacket.decode.bytes <= packet.length && fitsRdlengths(packet) ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/** Each record, decoded on its own by dns-packet, ends where its RDLENGTH says (RFC 1035 §4.1.3). */
function fitsRdlengths(packet: Buffer): boolean {
  const record = (dnsPacket as unknown as { answer: { decode: { (b: Buffer, o: number): unknown; bytes: number } } }).answer;
  try {
    const walked = walkRecords(packet);
    return walked.end <= packet.length && walked.sections.flat().every(({ start, end }) => (record.decode(packet, start), record.decode.bytes === end - start));
  } catch {
    return false;
  }
}

function sameDecoding(ours: ReturnType<typeof decodeReply>, want: dnsPacket.DecodedPacket | undefined): boolean {
  if (!ours || !want) return ours === want;
  const { rcode, answers, authorities, additionals } = want as dnsPacket.DecodedPacket & { rcode: string };
  return JSON.stringify(ours) === JSON.stringify({ rcode, answers, authorities, additionals });
}

let acceptedBenign = 0;
const PACKET_FORGERIES = FORGERIES.filter((f) => f !== 'wrong-port');
/** Random bytes, cut headers, loops, lying counts and byte flips of a real reply. */
function malformed(i: number): Buffer {
  const good = reply();
  switch (i % 8) {
    case 0:
      return randomBytes(randomInt(0, 600));
    case 1:
      return good.subarray(0, randomInt(0, good.length));
    case 2:
      return forge('compression-loop', query);
    case 3:
      return withCount(good, 4 + 2 * randomInt(0, 4), randomInt(2, 0x10000));
    case 4:
      // 'wrong-port' is a perfect reply from the wrong port: only the socket can tell (wire tests).
      return forge(PACKET_FORGERIES[i % PACKET_FORGERIES.length]!, query);
    case 5: {
      // Flip a byte past the question: the reply may still be valid; count those.
      const flipped = Buffer.from(good);
      const at = randomInt(sent.questionEnd, flipped.length);
      flipped[at]! ^= 1 + randomInt(0, 255);
      if (benign(flipped)) acceptedBenign++;
      return flipped;
    }
    case 6:
      return pointer(good, randomInt(0, 0x4000));
    default:
      return Buffer.concat([good.subarray(0, 12), randomBytes(randomInt(0, 100))]);
  }
}

/** The reference: what a correct client would take from this reply. */
function benign(packet: Buffer): boolean {
  try {
    const decoded = dnsPacket.decode(packet) as dnsPacket.DecodedPacket & { rcode: string };
    if (dnsPacket.decode.bytes > packet.length || decoded.rcode !== 'NOERROR' || !fitsRdlengths(packet)) return false;
    return (decoded.answers ?? []).some((a) => a.type === 'A' && a.class === 'IN' && a.name.toLowerCase() === 'www.example.test');
  } catch {
    return false;
  }
}

function withCount(packet: Buffer, offset: number, count: number): Buffer {
  const copy = Buffer.from(packet);
  copy.writeUInt16BE(count, offset);
  return copy;
}

/** Replaces the answer's owner name with a compression pointer to `to`. */
function pointer(packet: Buffer, to: number): Buffer {
  const copy = Buffer.from(packet);
  copy.writeUInt16BE(0xc000 | to, sent.questionEnd);
  return copy;
}
