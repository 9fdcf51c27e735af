/**
 * Fuzzing what parses DNS replies (short run; `node build/scripts/fuzz.js` runs the long
 * one): mutated valid replies, random bytes, compression-pointer loops, lying section
 * counts, oversized names, through the question check, the decoder, the interpretation,
 * the UDP acceptance and the TCP frame splitter. Seeded: FUZZ_SEED=<n> runs another seed,
 * and a failure names the seed and input that replay it.
 */
import dnsPacket from 'dns-packet';
import t, { type Test } from 'tap';
import { buildQuery, makeQuestion } from '../../lib/dns/query.js';
import { decodeReply } from '../../lib/dns/reply.js';
import { Broken, describeFailure, expect, fuzz, type FuzzReport, type FuzzTarget } from '../../scripts/harness/fuzz-run.js';
import { Rng } from '../../scripts/harness/fuzz-rng.js';
import { framesTarget, replyTarget, svcbTarget, udpTarget } from '../../scripts/harness/fuzz-targets-dns.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 8305);
t.comment(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} to replay)`);

function passes(t: Test, report: FuzzReport, results: string[]): void {
  t.same(report.failures.map(describeFailure), [], `${report.inputs} inputs, no invariant broken`);
  for (const result of results) t.ok((report.results[result] ?? 0) > 0, `some inputs led to '${result}'`);
  t.ok(report.slowestMs < 1000, `the slowest input took ${report.slowestMs.toFixed(1)} ms`);
}

t.test('RFC 1035 §4.1.3: a record must end where its RDLENGTH says (found by this fuzzer)', async (t) => {
  const sent = buildQuery(makeQuestion('www.example.test', 'A'), 0x4242);
  const good = dnsPacket.encode({
    type: 'response',
    id: 0x4242,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name: 'www.example.test', type: 'A' }],
    answers: [{ name: 'www.example.test', type: 'A', ttl: 60, data: '192.0.2.1' }],
  });
  const rdlengthAt = good.length - 6;
  t.same(
    decodeReply(good, sent.questionEnd)?.answers.map((r) => r.data),
    ['192.0.2.1'],
  );
  t.ok(decodeReply(Buffer.concat([good, Buffer.of(1, 2, 3)]), sent.questionEnd), 'bytes after the last record are ignored');
  for (const rdlength of [0, 1, 3, 5, 8]) {
    const bad = Buffer.concat([good, Buffer.alloc(8)]);
    bad.writeUInt16BE(rdlength, rdlengthAt);
    t.equal(decodeReply(bad, sent.questionEnd), undefined, `an A with RDLENGTH ${rdlength} is malformed`);
    t.equal(decodeReply(bad), undefined, `and so without the question check (${rdlength})`);
  }
  const aaaa = dnsPacket.encode({
    type: 'response',
    id: 1,
    questions: [{ name: 'x.test', type: 'AAAA' }],
    answers: [{ name: 'x.test', type: 'AAAA', ttl: 60, data: '2001:db8::1' }],
  });
  aaaa.writeUInt16BE(4, aaaa.length - 18);
  t.equal(decodeReply(aaaa), undefined, 'an AAAA with RDLENGTH 4');
  const soa = dnsPacket.encode({
    type: 'response',
    id: 1,
    questions: [{ name: 'x.test', type: 'A' }],
    authorities: [{ name: 'test', type: 'SOA', ttl: 60, data: { mname: 'ns.test', rname: 'h.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1 } }],
  });
  const soaRdlengthAt = 12 + 12 + 5 + 8; // header, question, owner "test", TYPE CLASS TTL
  soa.writeUInt16BE(soa.readUInt16BE(soaRdlengthAt) - 1, soaRdlengthAt);
  t.equal(decodeReply(Buffer.concat([soa, Buffer.of(0)])), undefined, 'a SOA whose data overruns its RDLENGTH');
});

t.test('the runner names the seed and input of a failure, and replays it alone', async (t) => {
  const seen: number[] = [];
  const target: FuzzTarget = {
    name: 'self-test',
    run(rng) {
      const value = rng.u32();
      seen.push(value);
      if (value % 7 === 0) throw new TypeError('not a Broken');
      if (value % 11 === 0) throw 'not even an Error';
      expect(value % 5 !== 0, `value ${value}`);
      return value % 2 ? 'odd' : 'even';
    },
  };
  const report = fuzz(target, 42, 200);
  t.equal(report.inputs, 200);
  t.ok(
    report.failures.some((f) => f.message.startsWith('value ')),
    'a broken invariant is a failure',
  );
  t.ok(
    report.failures.some((f) => f.message.startsWith('threw TypeError')),
    'so is any other throw',
  );
  t.ok(
    report.failures.some((f) => f.message === 'threw not even an Error'),
    'of anything',
  );
  const first = report.failures[0]!;
  t.match(describeFailure(first), `--seed 42 --target self-test --index ${first.index}`);
  const again = fuzz(target, 42, 1, first.index);
  t.same(
    again.failures.map((f) => f.message.split('\n')[0]),
    [first.message.split('\n')[0]],
    'input i replays alone',
  );
  t.equal(seen[seen.length - 1], seen[first.index], 'from the same bits');
  t.type(new Broken('x'), Error);
  const a = new Rng(1, 2, 3);
  const b = new Rng(1, 2, 3);
  t.same([a.u32(), a.int(10), a.range(5, 6), a.chance(0.5), a.bytes(3)], [b.u32(), b.int(10), b.range(5, 6), b.chance(0.5), b.bytes(3)]);
  t.not(new Rng(1, 2, 4).u32(), new Rng(1, 2, 3).u32());
});

t.test('fuzz: replies through the question check, the decoder and interpret()', async (t) => {
  passes(t, fuzz(replyTarget, SEED, 15_000), ['records', 'negative', 'follow', 'broken', 'failure', 'malformed', 'truncated', 'not ours']);
});

t.test('fuzz: UDP acceptance by source, question and TC', async (t) => {
  passes(t, fuzz(udpTarget, SEED, 5_000), ['reply', 'truncated', 'ignored']);
});

t.test('fuzz: TCP frames split whatever the chunking, lying lengths and unfinished frames', async (t) => {
  passes(t, fuzz(framesTarget, SEED, 5_000), ['whole frames', 'trickled', 'unfinished tail']);
});

t.test('fuzz: SVCB/HTTPS RDATA decodes or is malformed, never throws; what decodes round-trips', async (t) => {
  passes(t, fuzz(svcbTarget, SEED, 5_000), ['service', 'alias', 'malformed']);
});
