/**
 * SvcParamKeys (RFC 9460 §14.3.2 registry, RFC 9461 §5): number, presentation name and
 * the camelCase name `ServiceParams` uses. Keys not listed are `keyNNNNN` both ways.
 */
import type { ServiceParams } from './types.js';

export const SVC_KEYS = [
  { key: 0, name: 'mandatory', field: 'mandatory' },
  { key: 1, name: 'alpn', field: 'alpn' },
  { key: 2, name: 'no-default-alpn', field: 'noDefaultAlpn' },
  { key: 3, name: 'port', field: 'port' },
  { key: 4, name: 'ipv4hint', field: 'ipv4hint' },
  { key: 5, name: 'ech', field: 'ech' },
  { key: 6, name: 'ipv6hint', field: 'ipv6hint' },
  { key: 7, name: 'dohpath', field: 'dohpath' },
] as const;

/** RFC 9460 §14.3.2: 65535 is reserved ("Invalid key"). */
export const INVALID_KEY = 65535;

const BY_NAME = new Map<string, number>(SVC_KEYS.map((k) => [k.name, k.key]));
const BY_FIELD = new Map<string, number>(SVC_KEYS.map((k) => [k.field, k.key]));

/** `'alpn'` → 1, `'key667'` → 667 (no leading zeros, RFC 9460 §2.1); undefined for anything else. */
export function keyOfName(name: string): number | undefined {
  const known = BY_NAME.get(name);
  if (known !== undefined) return known;
  return unknownKeyNumber(name);
}

/** 1 → `'alpn'`, 667 → `'key667'`. */
export function nameOfKey(key: number): string {
  return SVC_KEYS[key]?.name ?? `key${key}`;
}

/** 2 → `'noDefaultAlpn'`, 667 → `'key667'`. */
export function fieldOfKey(key: number): keyof ServiceParams {
  return SVC_KEYS[key]?.field ?? (`key${key}` as const);
}

/** `'noDefaultAlpn'` → 2, `'key667'` → 667; undefined for anything else. */
export function keyOfField(field: string): number | undefined {
  const known = BY_FIELD.get(field);
  if (known !== undefined) return known;
  const key = unknownKeyNumber(field);
  // keyN of a known key is the known field's wire key under another name: refused.
  return key !== undefined && key >= SVC_KEYS.length ? key : undefined;
}

function unknownKeyNumber(name: string): number | undefined {
  const match = /^key(0|[1-9][0-9]{0,4})$/.exec(name);
  if (!match) return undefined;
  const key = Number(match[1]);
  return key <= 0xffff ? key : undefined;
}
