/**
 * Fuzz targets for what parses DNS replies: the question check, the decoder and the
 * interpretation (as one reply goes through them), the UDP acceptance, and the TCP frame
 * splitter. The invariant everywhere: a result of the documented shape, never a throw.
 */
import { isIP } from 'node:net';
import type dgram from 'node:dgram';
import { interpret, MAX_CNAME_LINKS, type Outcome } from '../../lib/dns/interpret.js';
import { decodeReply, isTruncated, matchesQuery, type DecodedReply } from '../../lib/dns/reply.js';
import { FrameReader, lengthPrefixed } from '../../lib/dns/tcp.js';
import type { AddressRecord, RecordType, ServerAddress, ServiceRecord } from '../../lib/dns/types.js';
import { acceptReply } from '../../lib/dns/udp.js';
import { decodeServiceData, encodeServiceData } from '../../lib/dns/svcb.js';
import { formatServiceData, parseServiceRdata } from '../../lib/dns/svcb-presentation.js';
import { mutate } from './fuzz-mutate.js';
import { toBytes16 } from '../../lib/system/ip.js';
import { replyInput, serviceRdata } from './fuzz-dns.js';
import { expect, type FuzzTarget } from './fuzz-run.js';

const MAX_TTL = 0x7fffffff;

export const replyTarget: FuzzTarget = {
  name: 'dns-reply',
  run(rng) {
    const { sent, packet, valid, chain } = replyInput(rng);
    expect(matchesQuery(valid, sent) && decodeReply(valid, sent.questionEnd) !== undefined, 'a valid reply was refused');
    const loose = decodeReply(packet);
    if (loose) checkDecoded(packet, loose);
    if (!matchesQuery(packet, sent)) return loose ? 'not ours, decodable' : 'not ours';
    if (isTruncated(packet)) return 'truncated';
    const decoded = decodeReply(packet, sent.questionEnd);
    expect(JSON.stringify(decoded) === JSON.stringify(loose), 'decoding after the question check differs from a full decode');
    if (!decoded) return 'malformed';
    const outcome = interpret(decoded, sent.name, sent.type, chain);
    checkOutcome(outcome, decoded, sent.type, chain.links);
    return outcome.kind;
  },
};

export const udpTarget: FuzzTarget = {
  name: 'udp-accept',
  run(rng) {
    const { sent, packet } = replyInput(rng);
    const server: ServerAddress = rng.pick([
      { address: '127.0.0.1', port: 53, family: 4 },
      { address: '::1', port: 5300, family: 6 },
      { address: 'fe80::1%eth0', port: 53, family: 6 },
    ]);
    const from = rng.int(4);
    const rinfo = {
      address: from === 1 ? '127.0.0.2' : from === 2 ? `${server.address.split('%')[0]}%2` : server.address,
      port: from === 3 ? server.port + 1 : server.port,
      family: server.family === 6 ? 'IPv6' : 'IPv4',
      size: packet.length,
    } as dgram.RemoteInfo;
    const result = acceptReply(packet, rinfo, server, sent);
    if (from === 1 || from === 3) expect(result === undefined, 'a reply from another source was taken');
    if (result === undefined) return 'ignored';
    expect(matchesQuery(packet, sent), 'a reply that is not ours was taken');
    expect((result.kind === 'truncated') === isTruncated(packet), 'TC seen wrongly');
    return result.kind;
  },
};

export const framesTarget: FuzzTarget = {
  name: 'tcp-frames',
  run(rng) {
    const frames = Array.from({ length: rng.int(8) }, () => rng.bytes(rng.chance(0.02) ? rng.range(1000, 65535) : rng.int(600)));
    const parts = frames.map(lengthPrefixed);
    const tail = rng.int(4);
    // A length that lies (more than follows: the frame never finishes), or half a prefix.
    if (tail === 1) parts.push(Buffer.concat([Buffer.of(rng.range(1, 255), rng.int(256)), rng.bytes(rng.int(100))]));
    if (tail === 2) parts.push(Buffer.of(rng.int(256)));
    const stream = Buffer.concat(parts);
    const reader = new FrameReader();
    const got: Buffer[] = [];
    const trickle = stream.length <= 4000 && rng.chance(0.3);
    for (let i = 0; i < stream.length; ) {
      const size = trickle ? 1 : rng.range(1, 3000);
      got.push(...reader.push(stream.subarray(i, i + size)));
      i += size;
      const held = reader.buffered;
      expect(held <= 65537 + size, `holds ${held} bytes`);
    }
    expect(got.length === frames.length && got.every((f, i) => f.equals(frames[i]!)), 'frames differ from what was sent');
    return trickle ? 'trickled' : tail === 0 ? 'whole frames' : 'unfinished tail';
  },
};

/**
 * SVCB/HTTPS RDATA (RFC 9460 §2.2): valid records with every SvcParam, mutated or as
 * random bytes. The decoder never throws; what it accepts encodes back to the very same
 * bytes, and its presentation text parses back to them too.
 */
export const svcbTarget: FuzzTarget = {
  name: 'svcb-rdata',
  run(rng) {
    const valid = serviceRdata(rng);
    const roll = rng.int(100);
    const rdata = roll < 10 ? rng.bytes(rng.int(200)) : roll < 20 ? valid : mutate(rng, valid, 0);
    const decoded = decodeServiceData(rdata);
    if (!decoded.ok) {
      expect(typeof decoded.reason === 'string' && decoded.reason.length > 0, 'malformed without a reason');
      return 'malformed';
    }
    expect(encodeServiceData(decoded.record).equals(rdata), 'an accepted record does not encode back to its RDATA');
    const text = formatServiceData(decoded.record);
    expect(parseServiceRdata(text).equals(rdata), `its presentation ${text} does not parse back to its RDATA`);
    return decoded.record.priority === 0 ? 'alias' : 'service';
  },
};

/** What a decoded reply must look like, checked against an independent RFC 1035 §4.1.3 walk. */
function checkDecoded(packet: Buffer, reply: DecodedReply): void {
  const { sections: walked, end } = walkRecords(packet);
  expect(end <= packet.length, 'decoded a reply whose records do not fit by their RDLENGTH');
  const sections = [reply.answers, reply.authorities, reply.additionals];
  sections.forEach((records, s) => {
    expect(records.length === walked[s]!.length, `section ${s}: ${records.length} records decoded, ${walked[s]!.length} by RDLENGTH`);
    records.forEach((rr, i) => {
      const raw = walked[s]![i]!;
      if (rr.type === 'OPT') return;
      expect(Number.isInteger(rr.ttl) && rr.ttl! >= 0 && rr.ttl! <= 0xffffffff, `bad TTL ${rr.ttl}`);
      if (rr.type === 'A' || rr.type === 'AAAA') {
        const size = rr.type === 'A' ? 4 : 16;
        expect(raw.rdata.length === size, `${rr.type} with RDLENGTH ${raw.rdata.length} decoded as ${String(rr.data)}`);
        expect(isIP(rr.data as string) === (size === 4 ? 4 : 6), `${rr.type} data ${String(rr.data)}`);
        const bytes = Buffer.from(toBytes16(rr.data as string)).subarray(16 - size);
        expect(bytes.equals(raw.rdata), `${rr.type} ${String(rr.data)} is not its RDATA`);
      }
    });
  });
}

export interface WalkedRecord {
  /** Where the record (its owner name) starts and where its RDATA ends. */
  start: number;
  end: number;
  rdata: Buffer;
}

/**
 * Every record's place by the section counts and RDLENGTHs alone (RFC 1035 §4.1.3), as a
 * strict reader sees it, and where the last one ends: past the packet when they do not
 * fit it. For replies dns-packet decoded; throws RangeError when a record's fixed fields
 * are cut.
 */
export function walkRecords(packet: Buffer): { sections: WalkedRecord[][]; end: number } {
  let offset = 12;
  for (let n = packet.readUInt16BE(4); n > 0; n--) offset = skipName(packet, offset) + 4;
  const sections: WalkedRecord[][] = [[], [], []];
  sections.forEach((list, s) => {
    for (let n = packet.readUInt16BE(6 + 2 * s); n > 0; n--) {
      const start = offset;
      offset = skipName(packet, offset);
      const end = offset + 10 + packet.readUInt16BE(offset + 8);
      list.push({ start, end, rdata: packet.subarray(offset + 10, end) });
      offset = end;
    }
  });
  return { sections, end: offset };
}

/**
 * Past a name. Only used on replies dns-packet decoded, so every name is labels of at
 * most 63 octets ending in a zero or in a whole pointer (it refuses anything else).
 */
function skipName(packet: Buffer, offset: number): number {
  let p = offset;
  while (packet[p]! !== 0 && packet[p]! < 0xc0) p += packet[p]! + 1;
  return p + (packet[p] === 0 ? 1 : 2);
}

function checkOutcome(outcome: Outcome, reply: DecodedReply, type: RecordType, links: number): void {
  const family = type === 'A' ? 4 : 6;
  const ttlOk = (ttl: number | undefined): boolean => ttl === undefined || (Number.isInteger(ttl) && ttl >= 0 && ttl <= MAX_TTL);
  switch (outcome.kind) {
    case 'records':
      expect(reply.rcode === 'NOERROR' && outcome.records.length > 0, 'records from a reply that has none');
      // HTTPS (RFC 9460): each record decoded whole, and it encodes back.
      if (type === 'HTTPS')
        for (const r of outcome.records as ServiceRecord[])
          expect(ttlOk(r.ttl) && r.ttl >= outcome.ttl && encodeServiceData(r).length >= 3, `bad HTTPS record ${JSON.stringify(r)}`);
      else
        for (const r of outcome.records as AddressRecord[])
          expect(isIP(r.address) === family && ttlOk(r.ttl) && r.ttl >= outcome.ttl, `bad record ${JSON.stringify(r)}`);
      break;
    case 'negative':
      expect((outcome.code === 'ENOTFOUND') === (reply.rcode === 'NXDOMAIN') && ttlOk(outcome.negativeTtl), 'bad negative answer');
      break;
    case 'follow':
      expect(reply.rcode === 'NOERROR' && outcome.target.length > 0 && outcome.cnames.length > 0, 'bad CNAME to follow');
      break;
    case 'broken':
    case 'failure':
      expect(['ESERVFAIL', 'EREFUSED', 'EBADRESP'].includes(outcome.code), `bad failure code ${outcome.code}`);
      return;
  }
  expect(links + outcome.cnames.length <= MAX_CNAME_LINKS, 'CNAME chain longer than the limit');
}
