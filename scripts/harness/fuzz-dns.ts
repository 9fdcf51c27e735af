/**
 * DNS replies for the fuzzers: a valid reply to a real query (records, CNAME chains,
 * negative answers, failure codes, EDNS, other record types, compressed owners), then
 * mutated (fuzz-mutate.ts), or random bytes. Each shape is what some server sends.
 */
import dnsPacket from 'dns-packet';
import { buildQuery, makeQuestion, type SentQuery } from '../../lib/dns/query.js';
import type { ChainSoFar } from '../../lib/dns/interpret.js';
import { encodeServiceData } from '../../lib/dns/svcb.js';
import type { AddressRecordType, RecordType, ServiceParams } from '../../lib/dns/types.js';
import { mutate } from './fuzz-mutate.js';
import type { Rng } from './fuzz-rng.js';

export interface ReplyInput {
  sent: SentQuery;
  /** What the fuzzer feeds in. */
  packet: Buffer;
  /** The valid reply it came from: every correct client must accept it. */
  valid: Buffer;
  chain: ChainSoFar;
}

const NAMES = [
  'www.example.test',
  'MiXeD.Example.TEST',
  '_dns._udp.example.test',
  `${'x'.repeat(63)}.test`,
  Array.from({ length: 4 }, () => 'y'.repeat(62)).join('.'), // 251 octets, near the limit
  'a',
  '1.2.0.192.in-addr.arpa',
];

const V4 = ['192.0.2.1', '198.51.100.7', '0.0.0.0', '255.255.255.255', '127.0.0.1'];
const V6 = ['2001:db8::1', '::1', '::', '::ffff:192.0.2.1', 'fe80::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'];
const TTLS = [0, 1, 300, 86_400, 0x7fffffff, 0x80000000, 0xffffffff];

type Rr = dnsPacket.Answer;

export function replyInput(rng: Rng): ReplyInput {
  const type: RecordType = rng.chance(0.2) ? 'HTTPS' : rng.chance(0.5) ? 'A' : 'AAAA';
  const sent = buildQuery(makeQuestion(rng.pick(NAMES), type, 1232, rng.chance(0.3)), rng.int(0x10000));
  const valid = rng.chance(0.2) ? compressedReply(rng, sent) : encodedReply(rng, sent);
  const chain: ChainSoFar = { visited: new Set(rng.chance(0.2) ? ['t1.example.test'] : []), links: rng.int(9) };
  const roll = rng.int(100);
  const packet =
    roll < 5
      ? rng.bytes(rng.int(600))
      : roll < 10
        ? Buffer.concat([valid.subarray(0, sent.questionEnd), rng.bytes(rng.int(300))])
        : roll < 25
          ? valid
          : mutate(rng, valid, sent.questionEnd);
  return { sent, packet, valid, chain };
}

/** The question as the query carries it (case included, DNS 0x20). */
function askedName(sent: SentQuery): string {
  return dnsPacket.decode(sent.packet).questions![0]!.name;
}

function address(rng: Rng, type: string): string {
  return type === 'AAAA' ? rng.pick(V6) : rng.pick(V4);
}

function records(rng: Rng, name: string, type: RecordType, n: number): Rr[] {
  return Array.from({ length: n }, () => {
    // Mostly the asked type; some of the other type, another owner, or class CH.
    const t = rng.chance(0.85) ? type : type === 'A' ? 'AAAA' : 'A';
    const owner = rng.chance(0.9) ? name : 'other.example.test';
    const klass = rng.chance(0.95) ? 'IN' : 'CH';
    // dns-packet writes types it has no codec for by `UNKNOWN_<n>`, their data as bytes.
    if (t === 'HTTPS')
      return {
        name: owner,
        type: 'UNKNOWN_65',
        class: klass,
        ttl: rng.pick(TTLS),
        data: rng.chance(0.9) ? serviceRdata(rng) : rng.bytes(rng.int(30)),
      } as unknown as Rr;
    return { name: owner, type: t, class: klass, ttl: rng.pick(TTLS), data: address(rng, t) } as Rr;
  });
}

/** A valid SVCB/HTTPS RDATA (RFC 9460 §2.2) with a random choice of every SvcParam. */
export function serviceRdata(rng: Rng): Buffer {
  const params: Record<string, unknown> = {};
  if (rng.chance(0.6)) params.alpn = rng.chance(0.5) ? ['h2', 'h3'] : [rng.bytes(rng.range(1, 8)).toString('latin1')];
  if (params.alpn && rng.chance(0.3)) params.noDefaultAlpn = true;
  if (rng.chance(0.5)) params.port = rng.int(0x10000);
  if (rng.chance(0.5)) params.ipv4hint = ['192.0.2.1', '198.51.100.7'].slice(0, rng.range(1, 2));
  if (rng.chance(0.3)) {
    const list = rng.bytes(rng.int(40));
    params.ech = Buffer.concat([Buffer.of(list.length >> 8, list.length & 0xff), list]);
  }
  if (rng.chance(0.5)) params.ipv6hint = ['2001:db8::1', '::ffff:192.0.2.1', '::'].slice(0, rng.range(1, 3));
  if (rng.chance(0.2)) params.dohpath = '/dns-query{?dns}';
  if (rng.chance(0.3)) params[`key${rng.range(8, 65534)}`] = rng.bytes(rng.int(20));
  const present = Object.keys(params).filter((k) => k !== 'noDefaultAlpn' && !k.startsWith('key'));
  if (present.length > 0 && rng.chance(0.3)) params.mandatory = [rng.pick(present)];
  const target = rng.pick(['.', 'svc.example.test', 'a\\.b.example', 'x\\032y.test']);
  return encodeServiceData({ priority: rng.chance(0.2) ? 0 : rng.range(1, 65535), target, params: params as ServiceParams });
}

function soa(rng: Rng, name: string): Rr {
  const owner = rng.pick([name, name.split('.').slice(1).join('.') || '.', 'unrelated.test', '.']);
  const data = { mname: 'ns.example.test', rname: 'host.example.test', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: rng.pick(TTLS) };
  return { name: owner, type: 'SOA', ttl: rng.pick(TTLS), data };
}

/** Record types the client never asks for, in any section: dns-packet must decode or refuse them. */
function others(rng: Rng, name: string): Rr[] {
  const all: Rr[] = [
    { name, type: 'TXT', ttl: 60, data: ['hello', rng.bytes(rng.int(256))] },
    { name, type: 'MX', ttl: 60, data: { preference: 10, exchange: 'mx.example.test' } },
    { name, type: 'SRV', ttl: 60, data: { priority: 1, weight: 2, port: 443, target: 'srv.example.test' } },
    { name, type: 'NS', ttl: 60, data: 'ns1.example.test' },
    { name, type: 'PTR', ttl: 60, data: 'ptr.example.test' },
    { name, type: 'CAA', ttl: 60, data: { flags: 0, tag: 'issue', value: 'ca.example' } },
    { name, type: 'HINFO', ttl: 60, data: { cpu: 'x', os: 'y' } },
    { name, type: 'NULL', ttl: 60, data: rng.bytes(rng.int(40)) } as unknown as Rr,
  ];
  return all.filter(() => rng.chance(0.3));
}

function encodedReply(rng: Rng, sent: SentQuery): Buffer {
  const name = askedName(sent);
  const type = sent.type;
  let rcode = 0;
  let answers: Rr[] = [];
  let authorities: Rr[] = [];
  const additionals: Rr[] = [];
  switch (rng.int(6)) {
    case 0:
      answers = records(rng, name, type, rng.range(1, 40));
      break;
    case 1: {
      // A chain of 1-10 links, records at its end or not, sometimes back to the start.
      const links = rng.range(1, 10);
      let owner = name;
      for (let i = 1; i <= links; i++) {
        const target = rng.chance(0.1) ? name : `t${i}.example.test`;
        answers.push({ name: owner, type: 'CNAME', ttl: rng.pick(TTLS), data: target });
        owner = target;
      }
      if (rng.chance(0.6)) answers.push(...records(rng, owner, type, rng.range(1, 4)));
      else if (rng.chance(0.5)) authorities.push(soa(rng, owner));
      break;
    }
    case 2:
      rcode = rng.chance(0.5) ? 3 : 0; // NXDOMAIN or NODATA
      if (rng.chance(0.8)) authorities = [soa(rng, name)];
      break;
    case 3:
      rcode = rng.range(1, 15);
      break;
    case 4:
      answers = records(rng, name, type, rng.range(0, 3)).concat(others(rng, name));
      authorities = others(rng, name);
      additionals.push(...others(rng, name));
      break;
    default:
      answers = records(rng, name, type, rng.range(1, 3));
      additionals.push({
        name: '.',
        type: 'OPT',
        udpPayloadSize: 1232,
        extendedRcode: rng.chance(0.7) ? 0 : rng.range(1, 255),
        ednsVersion: 0,
        flags: 0,
        options: [],
      } as unknown as Rr);
  }
  return dnsPacket.encode({
    type: 'response',
    id: sent.id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode,
    questions: [{ name, type: (type === 'HTTPS' ? 'UNKNOWN_65' : type) as AddressRecordType, class: 'IN' }],
    answers,
    authorities,
    additionals,
  });
}

/** Records written by hand, their owners compressed to the question (RFC 1035 §4.1.4). */
function compressedReply(rng: Rng, sent: SentQuery): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(sent.id, 0);
  header.writeUInt16BE(0x8180, 2); // QR, RD, RA, NOERROR
  header.writeUInt16BE(1, 4);
  const n = rng.range(1, 20);
  header.writeUInt16BE(n, 6);
  const rrs: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const data = Buffer.from(sent.type === 'A' ? [192, 0, 2, i] : sent.type === 'HTTPS' ? [0, i + 1, 0] : [0x20, 1, 0x0d, 0xb8, ...Array(11).fill(0), i]);
    const rr = Buffer.alloc(12 + data.length);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(sent.type === 'A' ? 1 : sent.type === 'HTTPS' ? 65 : 28, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(rng.pick(TTLS), 6);
    rr.writeUInt16BE(data.length, 10);
    data.copy(rr, 12);
    rrs.push(rr);
  }
  return Buffer.concat([header, sent.packet.subarray(12, sent.questionEnd), ...rrs]);
}
