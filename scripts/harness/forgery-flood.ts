/**
 * A flood of forged replies during real queries (RFC 5452): a Resolver with its cache asks
 * a loopback FakeDnsServer, which sends `perQuery` forgeries before each real reply from
 * its own address and port (as a spoofing attacker would): random wrong IDs, the right ID
 * with another name or type, with DNS 0x20 the right ID and name in the wrong case, and
 * corrupt packets with the right ID. Besides, perfect replies come from another port, and
 * a socket elsewhere sprays random bytes at the client's port. Every forgery carries a
 * poison address, so one that got in would show.
 */
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import { Resolver } from '../../lib/resolver.js';
import { POISON_A, POISON_AAAA, forge, forgeries } from './dns-forgery.js';
import { FakeDnsServer } from '../../lib/lab/dns-server.js';
import { fixtureZones } from './zones.js';

export interface FloodOptions {
  /** Names asked, each A then AAAA where the zone has it. */
  queries: number;
  /** Forgeries from the server's address before each real reply. */
  perQuery: number;
  /** Queries in flight at once (the server paces forgeries 16 per turn and socket). */
  concurrency: number;
  dns0x20: boolean;
}

export interface FloodResult {
  queries: number;
  /** Forged replies sent from the server's own address and port. */
  forged: number;
  /** Perfect replies from another port, and random datagrams from elsewhere. */
  otherSource: number;
  /** Replies the client saw and refused. */
  ignored: number;
  /** Answers that differ from the zone's (each a poisoning). */
  wrongAnswers: number;
  /** Cached answers that differ from the zone's, asked again after the flood. */
  wrongCached: number;
  cacheEntries: number;
}

const KINDS = ['random-id', 'wrong-name', 'wrong-type', 'case', 'corrupt'] as const;

/** Each (name, type) once: `www` A and AAAA, `big` AAAA (TC, then TCP with forged frames first), then wildcard names. */
function nameFor(i: number): { name: string; type: 'A' | 'AAAA'; want: string[] } {
  if (i === 0) return { name: 'www.example.test', type: 'A', want: ['192.0.2.1', '192.0.2.2'] };
  if (i === 1) return { name: 'www.example.test', type: 'AAAA', want: ['2001:db8::1'] };
  if (i === 2) return { name: 'big.example.test', type: 'AAAA', want: Array.from({ length: 100 }, (_, k) => `2001:db8:100::${(k + 1).toString(16)}`) };
  return { name: `n${i}.wild.example.test`, type: 'A', want: ['192.0.2.42'] };
}

export async function runFlood(options: FloodOptions): Promise<FloodResult> {
  const srv = await FakeDnsServer.start({ zones: fixtureZones() });
  const spray = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => spray.bind(0, '127.0.0.1', resolve));
  const result: FloodResult = { queries: 0, forged: 0, otherSource: 0, ignored: 0, wrongAnswers: 0, wrongCached: 0, cacheEntries: 0 };
  // Without 0x20 a reply differing only in case is a right answer (RFC 4343), not a forgery.
  const kinds = options.dns0x20 ? KINDS : KINDS.filter((kind) => kind !== 'case');
  const forger = (query: Buffer): Buffer[] => {
    const decoded = dnsPacket.decode(query);
    const q = decoded.questions![0]!;
    // The client's port, as an attacker watching for queries would learn it.
    const port = srv.queries().at(-1)!.port;
    for (let i = 0; i < 4; i++) spray.send(forge('garbage', decoded), port, '127.0.0.1');
    result.otherSource += 4;
    const out = Array.from({ length: options.perQuery }, (_, i) => forgery(kinds[i % kinds.length]!, decoded, q));
    result.forged += out.length;
    return out;
  };
  // 'wrong-port': a perfect reply from another port; the connected socket never sees it.
  srv.setBehaviour('*', '*', { forge: [forger, ...forgeries('wrong-port', 'wrong-port')] });
  const resolver = new Resolver({ servers: [srv.server], resolvConf: false, hosts: false, timeout: 10_000, attempts: 1, dns0x20: options.dns0x20 });
  try {
    await inBatches(options.queries, options.concurrency, async (i) => {
      const { name, type, want } = nameFor(i);
      const answer = await resolver.query(name, type);
      result.queries++;
      result.otherSource += 2;
      result.wrongAnswers += Number(
        !sameAddresses(
          answer.records.map((r) => r.address),
          want,
        ),
      );
    });
    result.ignored = resolver.stats().ignoredReplies;
    await inBatches(options.queries, options.concurrency, async (i) => {
      const { name, type, want } = nameFor(i);
      const answer = await resolver.query(name, type);
      result.wrongCached += Number(
        answer.source !== 'cache' ||
          !sameAddresses(
            answer.records.map((r) => r.address),
            want,
          ),
      );
    });
    result.cacheEntries = resolver.stats().entries;
  } finally {
    resolver.close();
    spray.close();
    await srv.close();
  }
  return result;
}

/** One forged reply; each carries a poison address. */
function forgery(kind: (typeof KINDS)[number], query: dnsPacket.DecodedPacket, q: dnsPacket.Question): Buffer {
  const id = query.id!;
  switch (kind) {
    case 'random-id':
      return poisoned((id + 1 + randomInt(0xffff)) & 0xffff, q); // any ID but the right one
    case 'wrong-name':
      return poisoned(id, { ...q, name: `x${q.name}` });
    case 'wrong-type':
      return poisoned(id, { ...q, type: q.type === 'A' ? 'AAAA' : 'A' });
    case 'case':
      return poisoned(id, { ...q, name: flipFirstLetter(q.name) });
    default:
      return forge(['cut', 'lying-counts', 'compression-loop', 'no-qr', 'two-questions'][randomInt(5)] as 'cut', query);
  }
}

function poisoned(id: number, q: dnsPacket.Question): Buffer {
  const data = q.type === 'AAAA' ? POISON_AAAA : POISON_A;
  return dnsPacket.encode({
    type: 'response',
    id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [q],
    answers: [{ name: q.name, type: q.type, class: 'IN', ttl: 86_400, data } as dnsPacket.Answer],
  });
}

/** The right name with one letter in the other case: only DNS 0x20 tells it apart. */
function flipFirstLetter(name: string): string {
  const at = name.search(/[a-z]/i);
  const c = name[at]!;
  return name.slice(0, at) + (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) + name.slice(at + 1);
}

function sameAddresses(got: string[], want: string[]): boolean {
  return got.length === want.length && got.every((a, i) => a === want[i]);
}

async function inBatches(count: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
