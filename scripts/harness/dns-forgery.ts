/**
 * Bad replies the fake server can send before the real one. Each carries the poison
 * addresses below, so a test can tell if any was accepted. Pure: node + dns-packet only.
 */
import { randomBytes, randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { Forger, OtherPortForger } from '../../lib/lab/dns-reply.js';

export const POISON_A = '192.0.2.66';
export const POISON_AAAA = '2001:db8::66';

export const FORGERIES = [
  'wrong-id', // everything right but the ID
  'wrong-name', // question (and answer) for another name
  'wrong-type', // question of the other address type
  'wrong-class', // question class CH
  'no-qr', // QR bit clear
  'no-question', // empty question section
  'two-questions', // the question twice
  'wrong-port', // a perfect reply, from another source port (the server sends it)
  'garbage', // random bytes
  'short', // fewer than 12 bytes
  'cut', // ID and question right, cut inside the answers, TC clear
  'lying-counts', // ID and question right, ANCOUNT says 65535
  'compression-loop', // ID and question right, answer name points at itself
] as const;

export type Forgery = (typeof FORGERIES)[number];

type Question = dnsPacket.Question;

/** The server's `forge` behaviour for these kinds, in order ('wrong-port' from another port). */
export function forgeries(...kinds: Forgery[]): Array<Forger | OtherPortForger> {
  return kinds.map((kind) => {
    const forger: Forger = (query) => forge(kind, dnsPacket.decode(query));
    return kind === 'wrong-port' ? { fromOtherPort: forger } : forger;
  });
}

/** One forged reply to `query` (a decoded query with one question). */
export function forge(kind: Forgery, query: dnsPacket.Packet): Buffer {
  const q = query.questions![0]!;
  const id = query.id!;
  switch (kind) {
    case 'wrong-id':
      return poisoned((id + 1 + randomInt(0xfffe)) & 0xffff, [q]);
    case 'wrong-name':
      return poisoned(id, [{ ...q, name: `x${q.name}` }]);
    case 'wrong-type':
      return poisoned(id, [{ ...q, type: q.type === 'A' ? 'AAAA' : 'A' }], q.type);
    case 'wrong-class':
      return poisoned(id, [{ ...q, class: 'CH' }]);
    case 'no-qr': {
      const packet = poisoned(id, [q]);
      packet[2]! &= 0x7f;
      return packet;
    }
    case 'no-question':
      return poisoned(id, [], q.type, q.name);
    case 'two-questions':
      return poisoned(id, [q, q]);
    case 'wrong-port':
      return poisoned(id, [q]);
    case 'garbage':
      return randomBytes(randomInt(12, 600));
    case 'short':
      return poisoned(id, [q]).subarray(0, randomInt(0, 12));
    case 'cut': {
      const packet = poisoned(id, [q]);
      return packet.subarray(0, packet.length - 3);
    }
    case 'lying-counts': {
      const packet = dnsPacket.encode({ type: 'response', id, flags: dnsPacket.RECURSION_DESIRED, questions: [q] });
      packet.writeUInt16BE(0xffff, 6);
      return packet;
    }
    case 'compression-loop':
      return compressionLoop(id, q);
  }
}

/** A NOERROR reply whose answer is a poison address for the question's name. */
function poisoned(id: number, questions: Question[], type = questions[0]!.type, name = questions[0]!.name): Buffer {
  const data = type === 'AAAA' ? POISON_AAAA : POISON_A;
  const answers = [{ name, type: type === 'AAAA' ? 'AAAA' : 'A', class: 'IN', ttl: 3600, data }];
  return dnsPacket.encode({
    type: 'response',
    id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions,
    answers: answers as dnsPacket.Answer[],
  });
}

/** RFC 1035 §4.1.4 pointers may only point back; this one points at itself. */
function compressionLoop(id: number, q: Question): Buffer {
  const head = dnsPacket.encode({ type: 'response', id, flags: dnsPacket.RECURSION_DESIRED, questions: [q] });
  const answer = Buffer.alloc(2 + 10 + 4);
  answer.writeUInt16BE(0xc000 | head.length, 0); // the name is a pointer to its own offset
  answer.writeUInt16BE(q.type === 'AAAA' ? 28 : 1, 2);
  answer.writeUInt16BE(1, 4);
  answer.writeUInt32BE(3600, 6);
  answer.writeUInt16BE(4, 10);
  answer.set([192, 0, 2, 66], 12);
  const packet = Buffer.concat([head, answer]);
  packet.writeUInt16BE(1, 6);
  return packet;
}
