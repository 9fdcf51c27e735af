/**
 * The fake server's data: zones plus records set at run time, and the lookup an
 * authoritative server does for one question (RFC 1034 §4.3.2, simplified): exact match,
 * CNAME chased inside the zone, one-level wildcard, NXDOMAIN/NODATA with the zone's SOA.
 * Pure: node built-ins and dns-packet types only.
 */
import { soaAnswer, toAnswers, type Rr, type Zone, type ZoneRecord, type ZoneRecordType } from './dns-zone.js';

export interface Lookup {
  rcode: 'NOERROR' | 'NXDOMAIN' | 'REFUSED';
  answers: Rr[];
  authorities: Rr[];
}

const MAX_CHAIN = 16;

interface NameRecords {
  records: ZoneRecord[];
}

export class ZoneStore {
  readonly #zones: Zone[] = [];
  /** lower-cased owner -> records (zone and run-time ones). */
  readonly #nodes = new Map<string, NameRecords>();

  constructor(zones: readonly Zone[]) {
    for (const zone of zones) this.addZone(zone);
  }

  addZone(zone: Zone): void {
    this.#zones.push(zone);
    for (const record of zone.records) this.#node(record.name).records.push({ ...record });
  }

  /** Replaces the RRset (name, type); an empty `data` removes it. */
  setRecords(name: string, type: ZoneRecordType, data: string[], ttl?: number): void {
    if (!this.zoneFor(name)) throw new Error(`no zone holds ${name}`);
    const node = this.#node(name);
    node.records = node.records.filter((r) => r.type !== type);
    if (data.length > 0) node.records.push({ name, type, data, ...(ttl === undefined ? {} : { ttl }) });
  }

  /** The zone with the longest origin that holds `name`; origin `.` (the root) holds every name. */
  zoneFor(name: string): Zone | undefined {
    const n = name.toLowerCase();
    let best: Zone | undefined;
    for (const zone of this.#zones) {
      const o = zone.origin === '.' ? '' : zone.origin.toLowerCase();
      const holds = o === '' || n === o || n.endsWith(`.${o}`);
      if (holds && (!best || o.length > (best.origin === '.' ? 0 : best.origin.length))) best = zone;
    }
    return best;
  }

  lookup(qname: string, qtype: string): Lookup {
    const first = this.zoneFor(qname);
    if (!first) return { rcode: 'REFUSED', answers: [], authorities: [] };
    const answers: Rr[] = [];
    let name = qname;
    for (let step = 0; step < MAX_CHAIN; step++) {
      const zone = this.zoneFor(name);
      // An authoritative server stops where the chain leaves the zone (RFC 1034 §4.3.2
      // step 3a), as knot does: the client asks the target itself.
      if (zone !== first) break;
      const records = this.#recordsAt(name);
      if (records === undefined) return { rcode: 'NXDOMAIN', answers, authorities: [soaAnswer(zone)] };
      const wanted = records.filter((r) => r.type === qtype);
      if (wanted.length > 0) return { rcode: 'NOERROR', answers: [...answers, ...this.#rrs(wanted, zone, name)], authorities: [] };
      const cname = records.find((r) => r.type === 'CNAME');
      if (!cname) return { rcode: 'NOERROR', answers, authorities: [soaAnswer(zone)] };
      answers.push(...this.#rrs([cname], zone, name));
      name = String(cname.data);
    }
    return { rcode: 'NOERROR', answers, authorities: [] };
  }

  /** Records owned by `name`, or synthesised from `*.parent`; [] for an empty non-terminal. */
  #recordsAt(name: string): ZoneRecord[] | undefined {
    const key = name.toLowerCase();
    const node = this.#nodes.get(key);
    if (node && node.records.length > 0) return node.records;
    if ([...this.#nodes].some(([owner, n]) => n.records.length > 0 && owner.endsWith(`.${key}`))) return [];
    const wildcard = this.#nodes.get(`*.${key.slice(key.indexOf('.') + 1)}`);
    return wildcard && wildcard.records.length > 0 ? wildcard.records : undefined;
  }

  #rrs(records: ZoneRecord[], zone: Zone, owner: string): Rr[] {
    return records.flatMap((r) => toAnswers(r, zone.ttl, owner));
  }

  #node(name: string): NameRecords {
    const key = name.toLowerCase();
    let node = this.#nodes.get(key);
    if (!node) this.#nodes.set(key, (node = { records: [] }));
    return node;
  }
}
