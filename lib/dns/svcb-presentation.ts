/**
 * The presentation format of SVCB/HTTPS RDATA (RFC 9460 §2.1, Appendix A): what zone
 * files hold and `kdig` prints, e.g. `1 . alpn=h2,h3 port=8443 ipv4hint=192.0.2.1`.
 * Parsing goes through the wire form, so a parsed record passes every check a received
 * one does; formatting writes the keys in wire order, as kdig does.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { InvalidArgumentError } from '../errors.js';
import { decodeServiceData, encodeTarget, ipv6Octets, type ServiceData } from './svcb.js';
import { INVALID_KEY, keyOfField, keyOfName, nameOfKey } from './svcb-keys.js';
import type { ServiceParams } from './types.js';

/** The RDATA in presentation format (one line; no parentheses, no comments). */
export function parseServiceRdata(text: string): Buffer {
  const bad = (why: string): InvalidArgumentError => new InvalidArgumentError('record', text, `SVCB presentation format (${why})`);
  if (typeof text !== 'string') throw bad('not a string');
  const tokens = tokenize(text, bad);
  const [priorityText, targetText, ...paramTexts] = tokens;
  if (priorityText === undefined || targetText === undefined) throw bad('needs SvcPriority and TargetName');
  if (!/^[0-9]{1,5}$/.test(priorityText) || Number(priorityText) > 0xffff) throw bad(`SvcPriority ${priorityText}`);
  let target: Buffer;
  try {
    target = encodeTarget(targetText);
  } catch (err) {
    throw bad((err as Error).message);
  }
  const params = new Map<number, Buffer>();
  for (const param of paramTexts) {
    const eq = param.indexOf('=');
    const name = eq < 0 ? param : param.slice(0, eq);
    const key = keyOfName(name);
    if (key === undefined || key === INVALID_KEY) throw bad(`unknown SvcParamKey ${name}`);
    if (params.has(key)) throw bad(`${nameOfKey(key)} given twice`);
    const raw = eq < 0 ? '' : param.slice(eq + 1);
    const value = valueBytes(key, name, raw, bad);
    params.set(key, value);
  }
  const head = Buffer.alloc(2);
  head.writeUInt16BE(Number(priorityText), 0);
  const parts = [head, target];
  for (const key of [...params.keys()].sort((a, b) => a - b)) {
    const value = params.get(key)!;
    if (value.length > 0xffff) throw bad(`${nameOfKey(key)} longer than 65535 octets`);
    const tl = Buffer.alloc(4);
    tl.writeUInt16BE(key, 0);
    tl.writeUInt16BE(value.length, 2);
    parts.push(tl, value);
  }
  const rdata = Buffer.concat(parts);
  const decoded = decodeServiceData(rdata);
  if (!decoded.ok) throw bad(decoded.reason);
  return rdata;
}

/** The record in presentation format; throws as `parseServiceRdata` does. */
export function parseServiceRecord(text: string): ServiceData {
  return (decodeServiceData(parseServiceRdata(text)) as { record: ServiceData }).record;
}

type Bad = (why: string) => InvalidArgumentError;

/** Whitespace separates tokens, except inside a quoted value (`key="a b"`). */
function tokenize(text: string, bad: Bad): string[] {
  const tokens: string[] = [];
  let token = '';
  let quoted = false;
  let inToken = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      if (i + 1 >= text.length) throw bad('ends with a backslash');
      token += c + text[++i];
      inToken = true;
    } else if (c === '"') {
      quoted = !quoted;
      token += c;
      inToken = true;
    } else if (!quoted && (c === ' ' || c === '\t' || c === '\n' || c === '\r')) {
      if (inToken) tokens.push(token);
      token = '';
      inToken = false;
    } else {
      token += c;
      inToken = true;
    }
  }
  if (quoted) throw bad('an unterminated quote');
  if (inToken) tokens.push(token);
  return tokens;
}

/** A SvcParamValue's wire form from its presentation text (RFC 9460 §7, RFC 9461 §5). */
function valueBytes(key: number, name: string, raw: string, bad: Bad): Buffer {
  const value = charString(raw, bad);
  // keyNNNNN for a known key: the value is its wire form (RFC 9460 §2.1).
  if (name.startsWith('key')) return value;
  const text = value.toString('latin1');
  const plain = (): string => {
    if (raw.includes('\\')) throw bad(`${name} must not contain escape sequences`);
    return text;
  };
  const list = (items: string): string[] => {
    if (items === '') throw bad(`${name} needs a value`);
    return items.split(',');
  };
  switch (key) {
    case 0: {
      const keys = list(plain()).map((item) => {
        const k = keyOfName(item);
        if (k === undefined) throw bad(`mandatory lists ${JSON.stringify(item)}, not a SvcParamKey`);
        return k;
      });
      if (new Set(keys).size !== keys.length) throw bad('mandatory lists a key twice');
      return Buffer.from(keys.sort((a, b) => a - b).flatMap((k) => [k >> 8, k & 0xff]));
    }
    case 1:
      return Buffer.concat(
        splitValueList(text, name, bad).map((id) => {
          if (id.length > 255) throw bad('an alpn-id over 255 octets');
          return Buffer.concat([Buffer.of(id.length), Buffer.from(id, 'latin1')]);
        }),
      );
    case 2:
      if (value.length !== 0) throw bad('no-default-alpn takes no value');
      return value;
    case 3: {
      const port = plain();
      if (!/^[0-9]{1,5}$/.test(port) || Number(port) > 0xffff) throw bad(`port ${JSON.stringify(port)}`);
      return Buffer.of(Number(port) >> 8, Number(port) & 0xff);
    }
    case 4:
      return Buffer.from(
        list(plain()).flatMap((a) => {
          if (!isIPv4(a)) throw bad(`ipv4hint ${JSON.stringify(a)}`);
          return a.split('.').map(Number);
        }),
      );
    case 5: {
      const base64 = plain();
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(base64)) throw bad('ech is not Base 64');
      return Buffer.from(base64, 'base64');
    }
    case 6:
      return Buffer.concat(
        list(plain()).map((a) => {
          if (!isIPv6(a) || a.includes('%')) throw bad(`ipv6hint ${JSON.stringify(a)}`);
          return ipv6Octets(a);
        }),
      );
    default:
      // dohpath: the decoded octets are its UTF-8 (RFC 9461 §5).
      return value;
  }
}

/** RFC 1035 §5.1 character-string decoding (RFC 9460 Appendix A): quotes and escapes. */
function charString(raw: string, bad: Bad): Buffer {
  const quoted = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"');
  const body = quoted ? raw.slice(1, -1) : raw;
  const octets: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x22) throw bad('a quote inside a value');
    if (c !== 0x5c) {
      octets.push(...Buffer.from(body[i]!, 'utf8'));
      continue;
    }
    const digits = /^[0-9]{3}/.exec(body.slice(i + 1));
    if (digits) {
      if (Number(digits[0]) > 255) throw bad(`\\${digits[0]} is over 255`);
      octets.push(Number(digits[0]));
      i += 3;
    } else {
      octets.push(...Buffer.from(body[++i]!, 'utf8'));
    }
  }
  return Buffer.from(octets);
}

/** Appendix A.1: items split on `,`, where `\,` and `\\` stand for `,` and `\`. */
function splitValueList(text: string, name: string, bad: Bad): string[] {
  const items: string[] = [];
  let item = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const next = text[++i];
      if (next !== ',' && next !== '\\') throw bad(`${name}: a backslash before ${next === undefined ? 'the end' : JSON.stringify(next)}`);
      item += next;
    } else if (c === ',') {
      items.push(item);
      item = '';
    } else item += c;
  }
  items.push(item);
  if (items.some((i) => i === '')) throw bad(`${name} has an empty item`);
  return items;
}

/** `1 . alpn=h2,h3 port=8443`: keys in wire order, values escaped so that they parse back. */
export function formatServiceData(record: ServiceData): string {
  const target = record.target === '.' ? '.' : `${record.target}.`;
  const params = Object.entries(record.params as ServiceParams)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => ({ key: keyOfField(field), value }))
    .filter((param): param is { key: number; value: unknown } => param.key !== undefined)
    .sort((a, b) => a.key - b.key)
    .map(({ key, value }) => formatParam(key, value));
  return [String(record.priority), target, ...params].join(' ');
}

function formatParam(key: number, value: unknown): string {
  const name = nameOfKey(key);
  switch (key) {
    case 0:
    case 4:
    case 6:
      return `${name}=${(value as string[]).join(',')}`;
    case 1:
      return `alpn=${(value as string[]).map((id) => escapeOctets(Buffer.from(id.replace(/[\\,]/g, '\\$&'), 'latin1'), false)).join(',')}`;
    case 2:
      return name;
    case 3:
      return `port=${String(value)}`;
    case 5:
      return `ech=${(value as Buffer).toString('base64')}`;
    case 7:
      return `dohpath="${escapeOctets(Buffer.from(value as string, 'utf8'), true)}"`;
    default:
      return `${name}="${escapeOctets(value as Buffer, true)}"`;
  }
}

/** Printable ASCII as is; `"` `\` (and, unquoted, `;` `(` `)`) escaped; other octets as `\DDD`. */
function escapeOctets(octets: Buffer, quoted: boolean): string {
  let text = '';
  for (const octet of octets) {
    const c = String.fromCharCode(octet);
    if (octet <= 0x20 || octet >= 0x7f) text += `\\${String(octet).padStart(3, '0')}`;
    else if (c === '"' || c === '\\' || (!quoted && (c === ';' || c === '(' || c === ')'))) text += `\\${c}`;
    else text += c;
  }
  return text;
}
