/**
 * An entry's addresses in one flat string instead of an array and a string per address.
 * IPv4: two 16-bit code units per address, the text rebuilt on each hit. IPv6: the texts,
 * each ended by ',', sliced out on each hit, since rebuilding IPv6 text (hex, `::`) costs
 * most of a whole hit (figures: docs/benchmarks.md, "Figures behind the code").
 * A list is packed only if unpacking gives back the very texts fetched (so no leading
 * zeros, no ','); otherwise the entry keeps the strings and callers see no difference.
 */
import type { AddressRecord, AddressRecordType } from '../dns/types.js';

const END = ',';
const DECIMAL = Array.from({ length: 256 }, (_, i) => String(i));
/** Octet and dot in one piece: 4 pieces per address, so fewer strings made per hit. */
const DOTTED = DECIMAL.map((octet) => `${octet}.`);

/** The packed form of `addresses`, or `undefined` when they cannot be given back as they are. */
export function pack(addresses: readonly string[], type: AddressRecordType): string | undefined {
  const packed = type === 'A' ? packIpv4(addresses) : packTexts(addresses);
  if (packed === undefined) return undefined;
  const back = unpack(packed, type, 0);
  const same = back.length === addresses.length && back.every((r, i) => r.address === addresses[i]);
  return same ? packed : undefined;
}

/** Fresh records (address and `ttl`) for the packed addresses, in their order. */
export function unpack(packed: string, type: AddressRecordType, ttl: number): AddressRecord[] {
  return type === 'A' ? unpackIpv4(packed, ttl) : unpackTexts(packed, ttl);
}

function packIpv4(addresses: readonly string[]): string | undefined {
  const units: number[] = [];
  for (const text of addresses) {
    const octets = text.split('.').map(Number);
    if (octets.length !== 4 || !octets.every((o) => Number.isInteger(o) && o >= 0 && o <= 255)) return undefined;
    const [a, b, c, d] = octets as [number, number, number, number];
    units.push((a << 8) | b, (c << 8) | d);
  }
  // One call makes one flat string; `+=` would build a rope, about twice the size.
  return String.fromCharCode(...units);
}

function unpackIpv4(packed: string, ttl: number): AddressRecord[] {
  const records = new Array<AddressRecord>(packed.length >> 1);
  for (let i = 0; i < records.length; i++) {
    const high = packed.charCodeAt(2 * i);
    const low = packed.charCodeAt(2 * i + 1);
    records[i] = { address: DOTTED[high >> 8]! + DOTTED[high & 255]! + DOTTED[low >> 8]! + DECIMAL[low & 255]!, ttl };
  }
  return records;
}

function packTexts(addresses: readonly string[]): string | undefined {
  if (addresses.some((text) => text.includes(END))) return undefined;
  return [...addresses, ''].join(END); // join makes one flat string
}

function unpackTexts(packed: string, ttl: number): AddressRecord[] {
  const records: AddressRecord[] = [];
  for (let at = 0; at < packed.length; ) {
    const end = packed.indexOf(END, at);
    records.push({ address: packed.slice(at, end), ttl });
    at = end + 1;
  }
  return records;
}
