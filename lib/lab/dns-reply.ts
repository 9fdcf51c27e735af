/**
 * How the fake server builds its real reply to one query, behaviour applied.
 * Pure: node built-ins and dns-packet only.
 */
import { randomBytes, randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { ZoneStore } from './dns-store.js';
import { soaAnswer, typeName } from './dns-zone.js';

export type Transport = 'udp' | 'tcp';

/** Makes bad replies to a query (the wire bytes as received); several are sent paced. */
export type Forger = (query: Buffer) => Buffer | Buffer[];

/** A forger whose replies go out over UDP from another source port (never over TCP). */
export interface OtherPortForger {
  fromOtherPort: Forger;
}

/** What the server does for one (name, type). Everything is off by default. */
export interface Behaviour {
  /** Milliseconds before the real reply is sent (forgeries go at once). */
  delay?: number;
  /** Never answer: over UDP, over TCP, or at all. */
  drop?: Transport | 'all';
  /** Answer with this code; NXDOMAIN and NODATA (NOERROR, empty) carry the zone's SOA. */
  rcode?: 'NXDOMAIN' | 'NODATA' | 'SERVFAIL' | 'REFUSED' | 'FORMERR' | 'NOTIMP';
  /** Over UDP, set TC: 'empty' drops every record (as real servers do), 'partial' keeps half. */
  truncate?: 'empty' | 'partial';
  /** Bad replies sent before the real one. */
  forge?: Array<Forger | OtherPortForger>;
  /** The real reply is replaced by random bytes. */
  garbage?: boolean;
  /**
   * TCP misbehaviour: 'trickle' sends the reply in `trickle.bytes` pieces every
   * `trickle.everyMs`; 'stall' sends half a frame and nothing more; 'reset' answers
   * with a TCP RST; 'close' closes without a reply.
   */
  tcp?: 'trickle' | 'stall' | 'reset' | 'close';
  trickle?: { bytes: number; everyMs: number };
  /** Applies to this many more queries, then is forgotten. @default forever */
  times?: number;
}

const RCODES: Readonly<Record<string, number>> = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
};

/** RFC 1035 §4.2.1 / RFC 6891 §6.2.3: the UDP size limit the query allows. Queries come from dns-packet's decode, which fills every field. */
function udpLimit(query: dnsPacket.Packet): number {
  const opt = query.additionals!.find((rr) => rr.type === 'OPT') as dnsPacket.OptAnswer | undefined;
  return opt ? Math.max(512, opt.udpPayloadSize) : 512;
}

export function buildReply(store: ZoneStore, query: dnsPacket.Packet, behaviour: Behaviour, transport: Transport): Buffer {
  if (behaviour.garbage) return randomBytes(randomInt(12, 512));
  const q = query.questions![0]!;
  const found = store.lookup(q.name, typeName(q.type));
  let { rcode, answers, authorities } = found as { rcode: string; answers: dnsPacket.Answer[]; authorities: dnsPacket.Answer[] };
  if (behaviour.rcode) {
    const zone = store.zoneFor(q.name);
    const soa = zone ? [soaAnswer(zone)] : [];
    const negative = behaviour.rcode === 'NXDOMAIN' || behaviour.rcode === 'NODATA';
    rcode = behaviour.rcode === 'NODATA' ? 'NOERROR' : behaviour.rcode;
    answers = [];
    authorities = negative ? soa : [];
  }
  const hasOpt = query.additionals!.some((rr) => rr.type === 'OPT');
  const packet = (tc: boolean, kept: dnsPacket.Answer[], auth: dnsPacket.Answer[]): Buffer =>
    dnsPacket.encode({
      type: 'response',
      id: query.id!,
      flags:
        dnsPacket.AUTHORITATIVE_ANSWER |
        dnsPacket.RECURSION_AVAILABLE |
        (query.flags! & dnsPacket.RECURSION_DESIRED) |
        (tc ? dnsPacket.TRUNCATED_RESPONSE : 0) |
        RCODES[rcode]!,
      questions: query.questions,
      answers: kept,
      authorities: auth,
      additionals: hasOpt ? [{ name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
    });
  const full = packet(false, answers, authorities);
  if (transport === 'tcp') return full;
  if (behaviour.truncate === 'partial') return packet(true, answers.slice(0, Math.ceil(answers.length / 2)), []);
  if (behaviour.truncate === 'empty' || full.length > udpLimit(query)) return packet(true, [], []);
  return full;
}
