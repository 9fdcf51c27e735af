/**
 * Zone data for the fake DNS server (and for knot, as a zone file): a small JSON format,
 * see fixtures/zones/. Node built-ins, dns-packet, and the SVCB codec for HTTPS/SVCB data
 * (dns-packet has none: those records go out as raw RDATA under their type number).
 */
import { readFileSync } from 'node:fs';
import type dnsPacket from 'dns-packet';
import { parseServiceRdata } from '../dns/svcb-presentation.js';
import { TYPE_HTTPS, TYPE_SVCB } from '../dns/svcb.js';

export type ZoneRecordType = 'A' | 'AAAA' | 'CNAME' | 'NS' | 'PTR' | 'TXT' | 'MX' | 'HTTPS' | 'SVCB';

/** dns-packet names types it has no codec for `UNKNOWN_<n>`, and encodes them only by that name. */
const WIRE_NAMES: Readonly<Record<string, string>> = { HTTPS: `UNKNOWN_${TYPE_HTTPS}`, SVCB: `UNKNOWN_${TYPE_SVCB}` };
const BY_WIRE_NAME = new Map(Object.entries(WIRE_NAMES).map(([name, wire]) => [wire, name]));

/** A question's type as dns-packet decodes it, by its mnemonic: `'UNKNOWN_65'` → `'HTTPS'`. */
export function typeName(decoded: string): string {
  return BY_WIRE_NAME.get(decoded) ?? decoded;
}

export interface ZoneRecord {
  /** Absolute owner name without trailing dot; `*.parent` for a wildcard. */
  name: string;
  type: ZoneRecordType;
  /** Seconds. @default the zone's `ttl` */
  ttl?: number;
  /**
   * One value or an RRset. MX: `'10 mail.example.test'`. HTTPS/SVCB: presentation format,
   * `'1 . alpn=h2 port=8443'`, or RFC 3597 generic format `'\# 3 000100'` (any bytes,
   * even malformed ones).
   */
  data: string | string[];
}

export interface Zone {
  origin: string;
  /** Default TTL, seconds. */
  ttl: number;
  soa: {
    mname: string;
    rname: string;
    serial: number;
    refresh: number;
    retry: number;
    expire: number;
    /** RFC 2308: negative TTL = min(SOA TTL, minimum). */
    minimum: number;
    /** TTL of the SOA record itself. @default the zone's `ttl` */
    ttl?: number;
  };
  records: ZoneRecord[];
}

export type Rr = dnsPacket.Answer;

export function loadZone(path: string | URL): Zone {
  return JSON.parse(readFileSync(path, 'utf8')) as Zone;
}

/** The zone as an RFC 1035 §5 master file (for knot). */
export function zoneToText(zone: Zone): string {
  const { soa } = zone;
  const lines = [
    `$ORIGIN ${zone.origin}.`,
    `$TTL ${zone.ttl}`,
    `@ ${soa.ttl ?? zone.ttl} IN SOA ${soa.mname}. ${soa.rname}. ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minimum}`,
  ];
  for (const record of zone.records) {
    for (const value of values(record)) {
      lines.push(`${record.name}. ${record.ttl ?? zone.ttl} IN ${record.type} ${textData(record.type, value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** One zone record as dns-packet answers, owned by `owner` (differs for wildcards). */
export function toAnswers(record: ZoneRecord, defaultTtl: number, owner = record.name): Rr[] {
  const ttl = record.ttl ?? defaultTtl;
  const type = WIRE_NAMES[record.type] ?? record.type;
  return values(record).map((value) => ({ name: owner, type, class: 'IN', ttl, data: packetData(record.type, value) }) as Rr);
}

export function soaAnswer(zone: Zone): Rr {
  const { soa } = zone;
  return { name: zone.origin, type: 'SOA', class: 'IN', ttl: soa.ttl ?? zone.ttl, data: { ...soa } };
}

/** RFC 3597 §5: `\# <length> <hex>`. */
function genericRdata(value: string): Buffer {
  const [, length, ...hex] = value.split(/\s+/);
  const rdata = Buffer.from(hex.join(''), 'hex');
  if (rdata.length !== Number(length)) throw new Error(`generic RDATA of ${rdata.length} octets, not ${length}: ${value}`);
  return rdata;
}

function values(record: ZoneRecord): string[] {
  return Array.isArray(record.data) ? record.data : [record.data];
}

function textData(type: ZoneRecordType, value: string): string {
  if (type === 'TXT') return JSON.stringify(value);
  if (type === 'CNAME' || type === 'NS' || type === 'PTR') return `${value}.`;
  if (type === 'MX') return `${value}.`;
  return value;
}

function packetData(type: ZoneRecordType, value: string): unknown {
  if (type === 'HTTPS' || type === 'SVCB') return value.startsWith('\\#') ? genericRdata(value) : parseServiceRdata(value);
  if (type === 'MX') {
    const [preference, exchange] = value.split(' ');
    return { preference: Number(preference), exchange };
  }
  return value;
}
