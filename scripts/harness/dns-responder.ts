/**
 * The answering half of the fake DoT and DoH servers: decodes a query, records what it
 * saw (including its EDNS padding), picks the behaviour set for (name, type) and builds
 * the reply from a zone store, which a FakeDnsServer may share (one backend, three
 * transports). Node built-ins and dns-packet only.
 */
import dnsPacket from 'dns-packet';
import { buildReply, type Behaviour } from '../../lib/lab/dns-reply.js';
import { ZoneStore } from '../../lib/lab/dns-store.js';
import { typeName, type Zone } from '../../lib/lab/dns-zone.js';

/** What a fake DoH server does with the HTTP side of one request. */
export interface HttpBehaviour {
  /** Answer with this status (and a text body) instead of the DNS reply. */
  status?: number;
  /** The DNS reply under this content-type (`null`: none) instead of application/dns-message. */
  contentType?: string | null;
  /** Reset the stream with this HTTP/2 error code, unanswered (7, REFUSED_STREAM: unprocessed, safe to retry). */
  reset?: number;
  /** Answer, then send GOAWAY: the session takes no new streams. */
  goaway?: boolean;
  /** This body (200, application/dns-message) instead of the DNS reply. */
  body?: Buffer;
}

/**
 * As over UDP/TCP, but forgeries are functions only (the named UDP forgeries make no
 * sense inside TLS); `tcp: 'close'` closes the TLS connection (DoT) or destroys the
 * HTTP/2 session (DoH).
 */
export type EncryptedBehaviour = Omit<Behaviour, 'forge'> & {
  /** DoT: frames sent before the reply (with `drop`, instead of it). */
  forge?: Array<(query: Buffer) => Buffer | Buffer[]>;
  http?: HttpBehaviour;
};

export interface SeenEncrypted {
  name: string;
  type: string;
  id: number;
  /** Bytes of the DNS message. */
  length: number;
  /** Length of the EDNS Padding option (RFC 7830), or undefined when the query had none. */
  padding: number | undefined;
  transport: 'dot' | 'doh';
}

export interface Accepted {
  query: dnsPacket.Packet;
  behaviour: EncryptedBehaviour;
}

export class DnsResponder {
  readonly store: ZoneStore;
  readonly seen: SeenEncrypted[] = [];
  readonly #behaviours = new Map<string, EncryptedBehaviour>();

  constructor(source: { zones?: Zone[] | undefined; store?: ZoneStore | undefined } = {}) {
    this.store = source.store ?? new ZoneStore(source.zones ?? []);
  }

  /** `name` and `type` may be '*' (any). `undefined` restores normal service. */
  setBehaviour(name: string, type: string, behaviour: EncryptedBehaviour | undefined): void {
    const key = `${name.toLowerCase()} ${type}`;
    if (behaviour) this.#behaviours.set(key, { ...behaviour });
    else this.#behaviours.delete(key);
  }

  /** Queries seen for (name, type); each may be omitted. */
  count(name?: string, type?: string): number {
    const n = name?.toLowerCase();
    return this.seen.filter((q) => (n === undefined || q.name === n) && (type === undefined || q.type === type)).length;
  }

  /** Decodes and records a query; undefined when it is none. */
  accept(msg: Buffer, transport: 'dot' | 'doh'): Accepted | undefined {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return undefined;
    }
    const q = query.questions?.[0];
    if (query.type !== 'query' || !q) return undefined;
    const name = q.name.toLowerCase();
    const type = typeName(q.type);
    this.seen.push({ name, type, id: query.id!, length: msg.length, padding: paddingOf(query), transport });
    return { query, behaviour: this.#behaviourFor(name, type) };
  }

  /** The reply as over TCP: never truncated. */
  reply(accepted: Accepted): Buffer {
    return buildReply(this.store, accepted.query, accepted.behaviour, 'tcp');
  }

  #behaviourFor(name: string, type: string): EncryptedBehaviour {
    for (const key of [`${name} ${type}`, `${name} *`, `* ${type}`, '* *']) {
      const behaviour = this.#behaviours.get(key);
      if (!behaviour) continue;
      if (behaviour.times !== undefined && --behaviour.times <= 0) this.#behaviours.delete(key);
      return behaviour;
    }
    return {};
  }
}

/** RFC 7830 §3: option code 12 in the OPT record. */
function paddingOf(query: dnsPacket.DecodedPacket): number | undefined {
  const opt = query.additionals?.find((rr) => rr.type === 'OPT') as dnsPacket.OptAnswer | undefined;
  const option = opt?.options.find((o) => o.code === 12);
  return option && (option as { length?: number; data?: Buffer }).data!.length;
}
