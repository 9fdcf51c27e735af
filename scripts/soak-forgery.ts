/**
 * Forgery, the long run, in two parts.
 *
 * 1. The flood (test/helpers/forgery-flood.ts) with many more queries, DNS 0x20 off and on:
 *    no answer changed, nothing poisoned in the cache, every forgery counted as refused.
 * 2. What DNS 0x20 buys, measured on the client's own reply check (`matchesQuery`) in a
 *    deterministic simulation (seeded): an attacker sends K forged replies per query.
 *    Blind: it knows the port and guesses the 16-bit ID (and, with 0x20, the case of each
 *    letter). Knows the ID: it must only guess the case. A query counts as poisoned when
 *    any of its K forgeries passes the check.
 *
 *   node build/scripts/soak-forgery.js [--queries 10000] [--per-query 64] [--seed 8305] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import dnsPacket from 'dns-packet';
import { applyCase } from '../lib/dns/dns0x20.js';
import { buildQuery, makeQuestion } from '../lib/dns/query.js';
import { matchesQuery } from '../lib/dns/reply.js';
import { runFlood, type FloodResult } from './harness/forgery-flood.js';
import { Rng } from './harness/fuzz-rng.js';

const { values } = parseArgs({
  options: {
    queries: { type: 'string', default: '10000' },
    'per-query': { type: 'string', default: '64' },
    seed: { type: 'string', default: '8305' },
    json: { type: 'string' },
  },
});
const seed = Number(values.seed);
const out: { flood: Array<FloodResult & { dns0x20: boolean; seconds: number }>; simulation: Simulated[] } = { flood: [], simulation: [] };

for (const dns0x20 of [false, true]) {
  const t0 = performance.now();
  const result = await runFlood({ queries: Number(values.queries), perQuery: Number(values['per-query']), concurrency: 4, dns0x20 });
  const seconds = (performance.now() - t0) / 1000;
  out.flood.push({ ...result, dns0x20, seconds });
  const ok = result.wrongAnswers === 0 && result.wrongCached === 0 && result.ignored === result.forged;
  console.log(
    `flood, 0x20 ${dns0x20 ? 'on ' : 'off'}: ${result.queries} queries, ${result.forged} forged from the server's address, ` +
      `${result.otherSource} from other sources; refused ${result.ignored}; wrong answers ${result.wrongAnswers}, ` +
      `wrong in cache ${result.wrongCached} (${result.cacheEntries} entries) in ${seconds.toFixed(1)} s: ${ok ? 'held' : 'FAILED'}`,
  );
  if (!ok) process.exitCode = 1;
}

interface Scenario {
  what: string;
  name: string;
  queries: number;
  guesses: number;
  knowsId: boolean;
}

interface Simulated extends Scenario {
  letters: number;
  poisoned: { off: number; on: number };
  expected: { off: number; on: number };
}

const SCENARIOS: Scenario[] = [
  { what: 'blind: knows the port, guesses the ID', name: 'www.example.test', queries: 10_000, guesses: 1_000, knowsId: false },
  { what: 'knows port and ID, guesses the case', name: 'www.example.test', queries: 10_000, guesses: 100, knowsId: true },
  { what: 'knows port and ID, short name', name: 'a.test', queries: 10_000, guesses: 100, knowsId: true },
];

for (const scenario of SCENARIOS) {
  const off = simulate(scenario, false);
  const on = simulate(scenario, true);
  const letters = scenario.name.replace(/[^a-z]/gi, '').length;
  // P(one forgery passes) = 2^-16 for the ID (unless known) × 2^-letters for the case (0x20).
  const p = (bits: number): number => 1 - (1 - 2 ** -bits) ** scenario.guesses;
  const idBits = scenario.knowsId ? 0 : 16;
  const expected = { off: scenario.queries * (idBits ? p(idBits) : 1), on: scenario.queries * p(idBits + letters) };
  out.simulation.push({ ...scenario, letters, poisoned: { off, on }, expected });
  console.log(
    `${scenario.what} (${scenario.name}, ${letters} letters), ${scenario.queries} queries × ${scenario.guesses} forgeries: ` +
      `poisoned without 0x20 ${off} (expected ${expected.off.toFixed(1)}), with 0x20 ${on} (expected ${expected.on.toFixed(4)})`,
  );
}
if (values.json) writeFileSync(values.json, JSON.stringify(out, null, 2));

/** Queries poisoned out of `queries`, each facing `guesses` forgeries. */
function simulate(s: Scenario, dns0x20: boolean): number {
  const rng = new Rng(seed, s.queries, s.guesses, Number(s.knowsId), s.name.length, Number(dns0x20));
  let poisoned = 0;
  for (let q = 0; q < s.queries; q++) {
    const sent = buildQuery(makeQuestion(s.name, 'A'), rng.int(0x10000));
    const nameEnd = sent.questionEnd - 4;
    const caseBytes = Math.ceil((nameEnd - 12) / 8);
    if (dns0x20) {
      applyCase(sent.packet, 12, nameEnd, rng.bytes(caseBytes));
      sent.exactCase = true;
    }
    const forged = reply(s.name, sent.questionEnd);
    for (let g = 0; g < s.guesses; g++) {
      forged.writeUInt16BE(s.knowsId ? sent.id : rng.int(0x10000), 0);
      if (dns0x20) applyCase(forged, 12, nameEnd, rng.bytes(caseBytes)); // the attacker's guess of the case
      if (matchesQuery(forged, sent)) {
        poisoned++;
        break;
      }
    }
  }
  return poisoned;
}

/** A forged reply for `name`: the question as an honest server echoes it, a poison address. */
function reply(name: string, questionEnd: number): Buffer {
  const packet = dnsPacket.encode({
    type: 'response',
    id: 0,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [{ name, type: 'A', class: 'IN' }],
    answers: [{ name, type: 'A', class: 'IN', ttl: 86_400, data: '192.0.2.66' }],
  });
  if (packet.length < questionEnd) throw new Error('reply shorter than the question');
  return packet;
}
