/**
 * Byte-level mutations for the DNS fuzzers: generic ones (flip, set, insert, delete,
 * duplicate, cut, extend) and the attacks a DNS parser must survive (RFC 1035 §4.1.4
 * compression pointers that loop or point forward, section counts that lie, labels and
 * names past their limits, the TC bit).
 */
import type { Rng } from './fuzz-rng.js';

const INTERESTING = [0x00, 0x01, 0x3f, 0x40, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xfe, 0xff];

type Mutation = (rng: Rng, packet: Buffer, from: number) => Buffer;

/** `from`: where most mutations land (past the question, so the reply still matches). */
export function mutate(rng: Rng, packet: Buffer, from: number): Buffer {
  let out = packet;
  const rounds = rng.range(1, 6);
  for (let i = 0; i < rounds; i++) out = rng.pick(MUTATIONS)(rng, out, rng.chance(0.75) ? from : 0);
  return out;
}

/** A position in [from, length), or `from` when that range is empty. */
function at(rng: Rng, packet: Buffer, from: number): number {
  return packet.length > from ? rng.range(from, packet.length - 1) : Math.min(from, packet.length);
}

function copy(packet: Buffer): Buffer {
  return Buffer.from(packet);
}

const flipBit: Mutation = (rng, packet, from) => {
  const out = copy(packet);
  const i = at(rng, out, from);
  if (i < out.length) out[i]! ^= 1 << rng.int(8);
  return out;
};

const setByte: Mutation = (rng, packet, from) => {
  const out = copy(packet);
  const i = at(rng, out, from);
  if (i < out.length) out[i] = rng.chance(0.5) ? rng.pick(INTERESTING) : rng.int(256);
  return out;
};

const insertBytes: Mutation = (rng, packet, from) => {
  const i = at(rng, packet, from);
  return Buffer.concat([packet.subarray(0, i), rng.bytes(rng.range(1, 16)), packet.subarray(i)]);
};

const deleteBytes: Mutation = (rng, packet, from) => {
  const i = at(rng, packet, from);
  return Buffer.concat([packet.subarray(0, i), packet.subarray(i + rng.range(1, 16))]);
};

const duplicate: Mutation = (rng, packet, from) => {
  const i = at(rng, packet, from);
  const piece = packet.subarray(i, i + rng.range(1, 40));
  return Buffer.concat([packet.subarray(0, i), piece, packet.subarray(i)]);
};

const cut: Mutation = (rng, packet, from) => packet.subarray(0, at(rng, packet, from));

const extend: Mutation = (rng, packet) => Buffer.concat([packet, rng.bytes(rng.range(1, 64))]);

/** QDCOUNT, ANCOUNT, NSCOUNT or ARCOUNT set to something else: 0, a little more, or 65535. */
const lyingCount: Mutation = (rng, packet) => {
  const out = copy(packet);
  if (out.length >= 12) out.writeUInt16BE(rng.pick([0, 1, 2, rng.range(3, 300), 0xffff]), 4 + 2 * rng.int(4));
  return out;
};

/**
 * A compression pointer written over two bytes: to itself, to the byte after it (a loop
 * through a label), forward past the end, into the header, or back to the question.
 */
const pointer: Mutation = (rng, packet, from) => {
  const out = copy(packet);
  const i = at(rng, out, from);
  if (i + 2 > out.length) return out;
  const target = rng.pick([i, i + 2, out.length + rng.int(100), rng.int(12), 12, rng.int(0x4000)]);
  out.writeUInt16BE(0xc000 | (target & 0x3fff), i);
  return out;
};

/** Two pointers that point at each other. */
const pointerPair: Mutation = (rng, packet, from) => {
  const out = copy(packet);
  const i = at(rng, out, from);
  if (i + 4 > out.length) return out;
  out.writeUInt16BE(0xc000 | (i + 2), i);
  out.writeUInt16BE(0xc000 | i, i + 2);
  return out;
};

/** A run of maximal labels: a name past 255 octets, or one label length of 64-191 (reserved types). */
const oversizedName: Mutation = (rng, packet, from) => {
  const i = at(rng, packet, from);
  const labels = rng.range(1, 6);
  const parts: Buffer[] = [];
  for (let n = 0; n < labels; n++) parts.push(Buffer.concat([Buffer.of(63), Buffer.alloc(63, 0x61)]));
  if (rng.chance(0.3)) parts.push(Buffer.of(rng.range(64, 191)));
  parts.push(Buffer.of(0));
  return Buffer.concat([packet.subarray(0, i), ...parts, packet.subarray(i)]);
};

/** The TC bit or the RCODE changed. */
const flags: Mutation = (rng, packet) => {
  const out = copy(packet);
  if (out.length < 4) return out;
  if (rng.chance(0.5)) out[2]! ^= 0x02;
  else out[3] = (out[3]! & 0xf0) | rng.int(16);
  return out;
};

const MUTATIONS: readonly Mutation[] = [
  flipBit,
  setByte,
  insertBytes,
  deleteBytes,
  duplicate,
  cut,
  extend,
  lyingCount,
  pointer,
  pointerPair,
  oversizedName,
  flags,
];
