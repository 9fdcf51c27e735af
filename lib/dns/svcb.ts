/**
 * SVCB (type 64) and HTTPS (type 65) RDATA, RFC 9460 §2.2: SvcPriority, an uncompressed
 * TargetName, then SvcParams in strictly increasing key order. dns-packet decodes these
 * types as raw bytes; this turns the bytes into a `ServiceRecord` and back. Decoding
 * never throws: the RDATA is untrusted input, and a malformed record is reported so the
 * caller can reject the whole RRset (§2.2).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { InvalidArgumentError } from '../errors.js';
import { dnsPacketModule } from './packet-codec.js';
import { fieldOfKey, INVALID_KEY, keyOfField, keyOfName, nameOfKey } from './svcb-keys.js';
import type { ServiceParams, ServiceRecord } from './types.js';

export const TYPE_SVCB = 64;
export const TYPE_HTTPS = 65;

/** A record as its RDATA holds it: everything but the TTL. */
export type ServiceData = Omit<ServiceRecord, 'ttl'>;

/** The record, or why it is malformed (RFC 9460 §2.2). */
export type Decoded = { ok: true; record: ServiceData } | { ok: false; reason: string };

const MAX_NAME_OCTETS = 255;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** dns-packet's AAAA codec gives the text every AAAA answer has, so hints compare equal to answers. */
const aaaa = (): AddressCodec => (dnsPacketModule() as unknown as { aaaa: AddressCodec }).aaaa;
interface AddressCodec {
  decode(buf: Buffer, offset: number): string;
  encode(address: string): Buffer;
}

/** The 16 octets of an IPv6 address (the codec writes RDLENGTH first). */
export function ipv6Octets(address: string): Buffer {
  return aaaa().encode(address).subarray(2);
}

export function decodeServiceData(rdata: Buffer): Decoded {
  if (rdata.length < 3) return malformed(`RDATA of ${rdata.length} octets`);
  const priority = rdata.readUInt16BE(0);
  const name = decodeTarget(rdata, 2);
  if (typeof name === 'string') return malformed(name);
  const params: ServiceParams = {};
  let previous = -1;
  for (let at = name.end; at < rdata.length; ) {
    if (at + 4 > rdata.length) return malformed('RDATA ends inside a SvcParam');
    const key = rdata.readUInt16BE(at);
    const length = rdata.readUInt16BE(at + 2);
    at += 4;
    if (at + length > rdata.length) return malformed(`${nameOfKey(key)}: RDATA ends inside the value`);
    if (key <= previous) return malformed(`${nameOfKey(key)} after ${nameOfKey(previous)}: keys not in strictly increasing order`);
    previous = key;
    const problem = decodeValue(key, rdata.subarray(at, at + length), params);
    if (problem) return malformed(`${nameOfKey(key)}: ${problem}`);
    at += length;
  }
  const inconsistent = checkConsistent(params);
  if (inconsistent) return malformed(inconsistent);
  return { ok: true, record: { priority, target: name.text, params } };
}

function malformed(reason: string): Decoded {
  return { ok: false, reason };
}

/** Sets the key's field from its wire value; returns why the value is malformed, if it is. */
function decodeValue(key: number, value: Buffer, params: ServiceParams): string | undefined {
  const p = params as Record<string, unknown>;
  switch (key) {
    case 0: {
      // §8: a non-empty list of keys in strictly increasing order, never key 0 itself.
      if (value.length === 0 || value.length % 2 !== 0) return `${value.length} octets`;
      const keys: number[] = [];
      for (let i = 0; i < value.length; i += 2) keys.push(value.readUInt16BE(i));
      if (keys.some((k, i) => i > 0 && k <= keys[i - 1]!)) return 'keys not in strictly increasing order';
      if (keys[0] === 0) return 'lists mandatory itself';
      p.mandatory = keys.map(nameOfKey);
      return undefined;
    }
    case 1: {
      // §7.1.1: one or more length-prefixed ids that exactly fill the value.
      const ids: string[] = [];
      for (let i = 0; i < value.length; ) {
        const length = value[i]!;
        if (length === 0 || i + 1 + length > value.length) return 'alpn-id lengths do not fill the value';
        ids.push(value.toString('latin1', i + 1, i + 1 + length));
        i += 1 + length;
      }
      if (ids.length === 0) return 'empty';
      p.alpn = ids;
      return undefined;
    }
    case 2:
      if (value.length !== 0) return 'not empty';
      p.noDefaultAlpn = true;
      return undefined;
    case 3:
      if (value.length !== 2) return `${value.length} octets (expected 2)`;
      p.port = value.readUInt16BE(0);
      return undefined;
    case 4:
      if (value.length === 0 || value.length % 4 !== 0) return `${value.length} octets`;
      p.ipv4hint = Array.from({ length: value.length / 4 }, (_, i) => value.subarray(4 * i, 4 * i + 4).join('.'));
      return undefined;
    case 5:
      // RFC 9848: an ECHConfigList, which begins with its own 2-octet length.
      if (value.length < 2 || value.readUInt16BE(0) !== value.length - 2) return 'not an ECHConfigList';
      p.ech = Buffer.from(value);
      return undefined;
    case 6:
      if (value.length === 0 || value.length % 16 !== 0) return `${value.length} octets`;
      p.ipv6hint = Array.from({ length: value.length / 16 }, (_, i) =>
        aaaa().decode(Buffer.concat([Buffer.of(0, 16), value.subarray(16 * i, 16 * i + 16)]), 0),
      );
      return undefined;
    case 7:
      try {
        p.dohpath = utf8.decode(value);
      } catch {
        return 'not UTF-8';
      }
      return undefined;
    default:
      p[`key${key}`] = Buffer.from(value);
      return undefined;
  }
}

/** §2.4.3, §7.1.1, §8: keys listed as mandatory are present; no-default-alpn needs alpn. */
function checkConsistent(params: ServiceParams): string | undefined {
  for (const name of params.mandatory ?? []) {
    if (params[fieldOfKey(keyOfName(name)!)] === undefined) return `mandatory ${name} is missing`;
  }
  if (params.noDefaultAlpn && !params.alpn) return 'no-default-alpn without alpn';
  return undefined;
}

/**
 * The uncompressed TargetName (§2.2) as text without the trailing dot, `'.'` for the root.
 * Dots and backslashes inside a label, and octets outside printable ASCII, are escaped
 * as in RFC 1035 §5.1 so that the text names exactly one wire name.
 */
function decodeTarget(rdata: Buffer, start: number): { text: string; end: number } | string {
  const labels: string[] = [];
  let at = start;
  for (;;) {
    if (at >= rdata.length) return 'RDATA ends inside the TargetName';
    const length = rdata[at]!;
    if (length === 0) break;
    if (length > 63) return 'TargetName is compressed or has a label over 63 octets';
    if (at + 1 + length > rdata.length) return 'RDATA ends inside the TargetName';
    labels.push(escapeLabel(rdata.subarray(at + 1, at + 1 + length)));
    at += 1 + length;
  }
  if (at + 1 - start > MAX_NAME_OCTETS) return `TargetName of ${at + 1 - start} octets`;
  return { text: labels.length === 0 ? '.' : labels.join('.'), end: at + 1 };
}

function escapeLabel(label: Buffer): string {
  let text = '';
  for (const octet of label) {
    if (octet === 0x2e || octet === 0x5c) text += `\\${String.fromCharCode(octet)}`;
    else if (octet > 0x20 && octet < 0x7f) text += String.fromCharCode(octet);
    else text += `\\${String(octet).padStart(3, '0')}`;
  }
  return text;
}

/** The wire form of a TargetName as `decodeTarget` writes it (trailing dot allowed). */
export function encodeTarget(text: string): Buffer {
  const bad = (why: string): InvalidArgumentError => new InvalidArgumentError('target', text, `a domain name (${why})`);
  if (text === '.' || text === '') return Buffer.of(0);
  const ascii = (c: number): number => {
    if (c > 0x7f) throw bad('non-ASCII: use its punycode (xn--) form, or \\DDD escapes');
    return c;
  };
  const octets: number[] = [];
  const labels: number[][] = [[]];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const label = labels[labels.length - 1]!;
    if (c === 0x5c) {
      const digits = /^[0-9]{3}/.exec(text.slice(i + 1));
      if (digits) {
        const value = Number(digits[0]);
        if (value > 255) throw bad(`\\${digits[0]} is over 255`);
        label.push(value);
        i += 3;
      } else if (i + 1 < text.length) {
        label.push(ascii(text.charCodeAt(++i)));
      } else throw bad('ends with a backslash');
    } else if (c === 0x2e) {
      if (i === text.length - 1) break;
      labels.push([]);
    } else label.push(ascii(c));
  }
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) throw bad(`a label of ${label.length} octets`);
    octets.push(label.length, ...label);
  }
  octets.push(0);
  if (octets.length > MAX_NAME_OCTETS) throw bad(`${octets.length} octets`);
  return Buffer.from(octets);
}

/**
 * The RDATA of a record. Throws InvalidArgumentError naming what cannot be encoded;
 * whatever it encodes, `decodeServiceData` decodes to the same record.
 */
export function encodeServiceData(record: ServiceData): Buffer {
  const { priority, target, params } = record;
  if (!Number.isInteger(priority) || priority < 0 || priority > 0xffff) throw new InvalidArgumentError('priority', priority, 'an integer from 0 to 65535');
  if (typeof target !== 'string') throw new InvalidArgumentError('target', target, 'a domain name');
  if (params === null || typeof params !== 'object') throw new InvalidArgumentError('params', params, 'an object');
  const values = Object.entries(params)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => {
      const key = keyOfField(field);
      if (key === undefined || key === INVALID_KEY) throw new InvalidArgumentError('params', field, 'a SvcParam name (camelCase) or keyNNNNN');
      return { key, value: encodeValue(key, field, value) };
    })
    .sort((a, b) => a.key - b.key);
  const head = Buffer.alloc(2);
  head.writeUInt16BE(priority, 0);
  const parts = [head, encodeTarget(target)];
  for (const { key, value } of values) {
    if (value.length > 0xffff) throw new InvalidArgumentError(`params.${fieldOfKey(key)}`, `${value.length} octets`, 'at most 65535 octets');
    const tl = Buffer.alloc(4);
    tl.writeUInt16BE(key, 0);
    tl.writeUInt16BE(value.length, 2);
    parts.push(tl, value);
  }
  const rdata = Buffer.concat(parts);
  const check = decodeServiceData(rdata);
  if (!check.ok) throw new InvalidArgumentError('params', params, `self-consistent SvcParams (${check.reason})`);
  return rdata;
}

function encodeValue(key: number, field: string, value: unknown): Buffer {
  const bad = (expected: string): InvalidArgumentError => new InvalidArgumentError(`params.${field}`, value, expected);
  const list = (check: (item: unknown) => boolean, expected: string): unknown[] => {
    if (!Array.isArray(value) || value.length === 0 || !value.every(check)) throw bad(expected);
    return value;
  };
  switch (key) {
    case 0: {
      const keys = list((name) => typeof name === 'string' && keyOfName(name) !== undefined, 'a non-empty array of SvcParam names').map(
        (name) => keyOfName(name as string)!,
      );
      const sorted = [...new Set(keys)].sort((a, b) => a - b);
      if (sorted.length !== keys.length) throw bad('SvcParam names without repeats');
      return Buffer.from(sorted.flatMap((k) => [k >> 8, k & 0xff]));
    }
    case 1: {
      const ids = list(
        (id) => typeof id === 'string' && id.length > 0 && id.length < 256 && /^[\x00-\xff]*$/.test(id),
        'a non-empty array of ALPN ids (1-255 octets, latin1)',
      );
      return Buffer.concat(ids.map((id) => Buffer.concat([Buffer.of((id as string).length), Buffer.from(id as string, 'latin1')])));
    }
    case 2:
      if (value !== true) throw bad('true');
      return Buffer.alloc(0);
    case 3: {
      if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 0xffff) throw bad('an integer from 0 to 65535');
      const port = Buffer.alloc(2);
      port.writeUInt16BE(value as number, 0);
      return port;
    }
    case 4:
      return Buffer.from(
        list((a) => typeof a === 'string' && isIPv4(a), 'a non-empty array of IPv4 addresses').flatMap((a) => (a as string).split('.').map(Number)),
      );
    case 6:
      return Buffer.concat(
        list((a) => typeof a === 'string' && isIPv6(a) && !a.includes('%'), 'a non-empty array of IPv6 addresses').map((a) => ipv6Octets(a as string)),
      );
    case 7:
      if (typeof value !== 'string') throw bad('a string');
      return Buffer.from(value, 'utf8');
    default:
      // ech and unknown keys: bytes.
      if (!Buffer.isBuffer(value) && !(value instanceof Uint8Array)) throw bad('a Buffer');
      return Buffer.from(value);
  }
}
