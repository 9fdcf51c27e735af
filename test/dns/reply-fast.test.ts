/**
 * The fast decoder of common replies (reply-fast.ts) against dns-packet's decode: on
 * generated replies, their mutations and knot's real replies, whatever it accepts must be
 * exactly what dns-packet gives, and what dns-packet refuses it must refuse too.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import t from 'tap';
import { encodeName } from '../../lib/dns/query.js';
import { decodeCommonReply } from '../../lib/dns/reply-fast.js';
import { decodeReply } from '../../lib/dns/reply.js';
import { startKnot } from '../../scripts/harness/knot.js';
import { walkRecords } from '../../scripts/harness/fuzz-targets-dns.js';
import { fixtureZone, fixtureZones } from '../../scripts/harness/zones.js';
import { unmet } from '../helpers/requirements.js';

// dns-packet's names (its rcodes.js), as reply.ts passes them.
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

/** dns-packet's whole-message decode with decodeReply's refusals (cut, RDLENGTH not fitting). */
function reference(packet: Buffer): unknown {
  try {
    const decoded = dnsPacket.decode(packet) as dnsPacket.DecodedPacket & { rcode: string };
    if (!(dnsPacket.decode.bytes <= packet.length) || !fitsRdlengths(packet)) return undefined;
    const { rcode, answers, authorities, additionals } = decoded;
    return { rcode, answers, authorities, additionals };
  } catch {
    return undefined;
  }
}

function fitsRdlengths(packet: Buffer): boolean {
  const record = (dnsPacket as unknown as { answer: { decode: { (b: Buffer, o: number): unknown; bytes: number } } }).answer;
  try {
    const walked = walkRecords(packet);
    return walked.end <= packet.length && walked.sections.flat().every(({ start, end }) => (record.decode(packet, start), record.decode.bytes === end - start));
  } catch {
    return false;
  }
}

function questionEndOf(name: string): number {
  return 12 + encodeName(name).length + 4;
}

/** Both decoders on one packet: the fast one may decline, but never differ. */
function compare(packet: Buffer, questionEnd: number): { fast: boolean; same: boolean } {
  const want = JSON.stringify(reference(packet));
  const fast = decodeCommonReply(packet, questionEnd, RCODES[packet[3]! & 0x0f] ?? `RCODE_${packet[3]! & 0x0f}`);
  const full = JSON.stringify(decodeReply(packet, questionEnd));
  return { fast: fast !== undefined, same: full === want && (fast === undefined || JSON.stringify(fast) === want) };
}

const label = fc.stringMatching(/^[a-zA-Z0-9_-]{1,12}$/);
const hostName = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.'));
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
// Zero runs of every length and place: the `::` rule is where text forms differ.
const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 0xffff }));
const ipv6 = fc.array(group, { minLength: 8, maxLength: 8 }).map((groups) => groups.map((g) => g.toString(16)).join(':'));
const ttl = fc.oneof(fc.nat(86_400), fc.constant(0x7fffffff), fc.constant(0x80000000), fc.constant(0xffffffff));

/** A reply as servers send them, sometimes with what the fast path leaves to dns-packet. */
const replyArb = fc
  .record({
    qname: hostName,
    qtype: fc.constantFrom('A' as const, 'AAAA' as const),
    rcode: fc.nat(3),
    owners: fc.array(fc.oneof(fc.constant('q'), hostName), { minLength: 0, maxLength: 4 }),
    records: fc.array(fc.tuple(fc.constantFrom('A', 'AAAA', 'CNAME', 'TXT'), ipv4, ipv6, ttl, fc.constantFrom('IN', 'IN', 'IN', 'CH')), {
      minLength: 0,
      maxLength: 4,
    }),
    soa: fc.boolean(),
    opt: fc.constantFrom('none', 'plain', 'do', 'options', 'ercode'),
  })
  .map(({ qname, qtype, rcode, owners, records, soa, opt }) => {
    const answers: dnsPacket.Answer[] = records.map(([type, v4, v6, t, klass], i) => {
      const owner = owners[i] === undefined || owners[i] === 'q' ? qname : owners[i]!;
      if (type === 'A') return { name: owner, type, ttl: t, class: klass, data: v4 } as dnsPacket.Answer;
      if (type === 'AAAA') return { name: owner, type, ttl: t, class: klass, data: v6 } as dnsPacket.Answer;
      if (type === 'CNAME') return { name: owner, type, ttl: t, class: klass, data: `x.${qname}` } as dnsPacket.Answer;
      return { name: owner, type: 'TXT', ttl: t, class: klass, data: 'text' } as dnsPacket.Answer;
    });
    const authorities: dnsPacket.Answer[] = soa
      ? [{ name: qname, type: 'SOA', ttl: 60, data: { mname: 'ns.test', rname: 'h.test', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 } }]
      : [];
    const additionals: dnsPacket.Answer[] =
      opt === 'none'
        ? []
        : [
            {
              name: '.',
              type: 'OPT',
              udpPayloadSize: 1232,
              extendedRcode: opt === 'ercode' ? 1 : 0,
              ednsVersion: 0,
              flags: opt === 'do' ? dnsPacket.DNSSEC_OK : 0,
              options: opt === 'options' ? [{ code: 12, length: 4 }] : [],
            } as dnsPacket.Answer,
          ];
    const packet = dnsPacket.encode({
      type: 'response',
      id: 1,
      flags: dnsPacket.RECURSION_DESIRED | rcode,
      questions: [{ name: qname, type: qtype, class: 'IN' }],
      answers,
      authorities,
      additionals,
    });
    return { packet, questionEnd: questionEndOf(qname) };
  });

t.test('generated replies: the fast decoder gives exactly what dns-packet gives, or declines', async (t) => {
  let fast = 0;
  let runs = 0;
  fc.assert(
    fc.property(replyArb, ({ packet, questionEnd }) => {
      const result = compare(packet, questionEnd);
      runs++;
      if (result.fast) fast++;
      return result.same;
    }),
    { numRuns: 3000, seed: 20 },
  );
  t.ok(fast > runs / 10, `the fast path decoded ${fast} of ${runs} (the rest went to dns-packet)`);
});

t.test('mutated replies (cuts, byte flips, bad pointers, non-ASCII labels): never a different decoding, never a throw', async (t) => {
  let fast = 0;
  let runs = 0;
  fc.assert(
    fc.property(
      replyArb,
      fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 3 }),
      fc.option(fc.nat(), { nil: undefined }),
      ({ packet, questionEnd }, flips, cut) => {
        const mutated = Buffer.from(packet);
        // Flips after the question: the question check runs before decoding.
        for (const [at, value] of flips) if (mutated.length > questionEnd) mutated[questionEnd + (at % (mutated.length - questionEnd))] = value;
        const bytes = cut === undefined ? mutated : mutated.subarray(0, cut % (mutated.length + 1));
        const result = compare(bytes, questionEnd);
        runs++;
        if (result.fast) fast++;
        return result.same;
      },
    ),
    { numRuns: 5000, seed: 21 },
  );
  t.ok(fast > 20, `the fast path accepted ${fast} of ${runs} mutated replies, each as dns-packet reads it`);
});

t.test('names the fast path must read as dns-packet does: pointers, roots, long names', async (t) => {
  const base = dnsPacket.encode({
    type: 'response',
    id: 1,
    flags: 0,
    questions: [{ name: 'a.test', type: 'A', class: 'IN' }],
    answers: [{ name: 'a.test', type: 'A', ttl: 1, data: '192.0.2.1' }],
  });
  const questionEnd = questionEndOf('a.test');
  // dns-packet writes names out in full: the owner (8 bytes) replaced by a pointer to the question.
  const compressed = Buffer.concat([base.subarray(0, questionEnd), Buffer.from([0xc0, 12]), base.subarray(questionEnd + 8)]);
  const cases: Array<{ what: string; packet: Buffer; fast: boolean }> = [
    { what: 'owner written out', packet: base, fast: true },
    { what: 'owner compressed to the question', packet: compressed, fast: true },
    { what: 'owner compressed to a question with a byte above 0x7f', packet: patch(compressed, 13, [0xe9]), fast: false },
    // The owner spelled out, then a second record pointing to it (forward of the question).
    {
      what: 'owner written out, a pointer to an earlier owner',
      packet: dnsPacket.encode({
        type: 'response',
        id: 1,
        questions: [{ name: 'a.test', type: 'A' }],
        answers: [
          { name: 'b.a.test', type: 'A', ttl: 1, data: '192.0.2.1' },
          { name: 'c.b.a.test', type: 'AAAA', ttl: 1, data: '2001:db8::1' },
        ],
      }),
      fast: true,
    },
    { what: 'a pointer to itself', packet: patch(base, questionEnd, [0xc0, questionEnd]), fast: false },
    { what: 'a pointer past the end', packet: patch(base, questionEnd, [0xff, 0xff]), fast: false },
    { what: 'a pointer cut after its first byte', packet: base.subarray(0, questionEnd + 1), fast: false },
    { what: 'label type 0x40', packet: patch(base, questionEnd, [0x41, 0x61]), fast: false },
    { what: 'a label byte above 0x7f', packet: patch(base, questionEnd + 1, [0xe9]), fast: false },
    { what: 'a record cut in its fixed part', packet: base.subarray(0, questionEnd + 6), fast: false },
    { what: 'A with RDLENGTH 5', packet: patch(base, questionEnd + 10, [0, 5]), fast: false },
    { what: 'an OPT whose owner is the root', packet: withOpt(), fast: true },
    { what: 'shorter than the question', packet: base.subarray(0, questionEnd - 1), fast: false },
  ];
  for (const c of cases) {
    const result = compare(c.packet, questionEnd);
    t.ok(result.same, `${c.what}: same as dns-packet`);
    t.equal(result.fast, c.fast, `${c.what}: ${c.fast ? 'decoded fast' : 'left to dns-packet'}`);
  }
  // 254 octets of labels is dns-packet's limit, counted across a pointer.
  const long = `${'x'.repeat(63)}.${'y'.repeat(63)}.${'z'.repeat(63)}.${'w'.repeat(59)}`; // 251 characters
  for (const [name, fast] of [
    [`${long}ww`, true],
    [`${long}www`, false],
  ] as const) {
    const packet = dnsPacket.encode({
      type: 'response',
      id: 1,
      questions: [{ name: 'q.test', type: 'A' }],
      answers: [{ name, type: 'A', ttl: 1, data: '192.0.2.9' }],
    });
    const result = compare(packet, questionEndOf('q.test'));
    t.ok(result.same, `${name.length}-character owner: same as dns-packet`);
    t.equal(result.fast, fast);
  }

  function patch(packet: Buffer, at: number, bytes: number[]): Buffer {
    const copy = Buffer.from(packet);
    copy.set(bytes, at);
    return copy;
  }
  function withOpt(): Buffer {
    return dnsPacket.encode({
      type: 'response',
      id: 1,
      questions: [{ name: 'a.test', type: 'A' }],
      answers: [{ name: 'a.test', type: 'A', ttl: 1, data: '192.0.2.1' }],
      additionals: [
        { name: '.', type: 'OPT', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] } as dnsPacket.Answer,
      ],
    });
  }
});

const skip = unmet(['knot']);
t.test("knot's real replies: decoded fast where plain, always as dns-packet decodes them", { skip }, async (t) => {
  const knot = await startKnot([...fixtureZones(), fixtureZone('bench.test')], { udpWorkers: 1 });
  const socket = dgram.createSocket('udp4');
  t.teardown(async () => {
    socket.close();
    await knot.stop();
  });
  socket.connect(knot.port, '127.0.0.1');
  await once(socket, 'connect');
  const asked: Array<[string, 'A' | 'AAAA']> = [
    ['www.example.test', 'A'],
    ['www.example.test', 'AAAA'],
    ['x-1.bench.test', 'A'],
    ['X-2.Bench.TEST', 'AAAA'],
    ['alias1.example.test', 'A'],
    ['missing.example.test', 'A'],
    ['www.other.test', 'AAAA'],
    ['nowhere.invalid', 'A'],
  ];
  let fast = 0;
  for (const [name, type] of asked) {
    for (const edns of [true, false]) {
      const query = dnsPacket.encode({
        type: 'query',
        id: 7,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ name, type }],
        additionals: edns
          ? [{ name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] } as dnsPacket.Answer]
          : [],
      });
      socket.send(query);
      const [reply] = (await once(socket, 'message')) as [Buffer];
      const result = compare(reply, questionEndOf(name));
      if (result.fast) fast++;
      t.ok(result.same, `${name} ${type}${edns ? ' with EDNS' : ''}: same as dns-packet`);
    }
  }
  t.ok(fast >= 8, `plain answers went the fast way (${fast} of ${asked.length * 2})`);
});
