/**
 * A small dual-stack internet on loopback: a DNS server for one zone and, per host
 * name, listeners on [::1]:P and 127.0.0.1:P that accept, black-hole or refuse. The
 * CLI demo runs one; the CLI tests build each verdict's world with it. Nothing leaves
 * loopback.
 *
 *   const lab = await startLab({ hosts: [{ name: 'www.he.test', ipv6: 'black-hole', ipv4: 'accept' }] });
 *   lab.host('www.he.test').port; lab.nameserver; await lab.close();
 */
import { FakeDnsServer } from './dns-server.js';
import type { Zone, ZoneRecord } from './dns-zone.js';
import { listenPair, type Credentials, type ListenerPair, type PathState } from './listeners.js';

export interface LabHostSpec {
  /** A name inside the lab's zone. */
  name: string;
  /** `undefined`: no AAAA record. Otherwise the AAAA record is ::1 and [::1]:P behaves so. */
  ipv6?: PathState | undefined;
  /** `undefined`: no A record. Otherwise the A record is 127.0.0.1 and 127.0.0.1:P behaves so. */
  ipv4?: PathState | undefined;
  /** Milliseconds before the DNS server answers AAAA / A for this name. */
  aaaaDelay?: number | undefined;
  aDelay?: number | undefined;
  /** One line for people: what is wrong with this host. */
  note?: string | undefined;
}

interface LabHost extends LabHostSpec {
  port: number;
  /** Connections the host's accepting servers took, per family. */
  accepted: { ipv6: number; ipv4: number };
}

export interface LabOptions {
  hosts: LabHostSpec[];
  /** @default 'he.test' (the test certificates in fixtures/tls name *.he.test) */
  origin?: string;
  /** Record TTL, seconds. @default 60 */
  ttl?: number;
  /** Accepting servers speak TLS with these. */
  tls?: Credentials | undefined;
  /** Port of the DNS server (UDP and TCP) on 127.0.0.1, e.g. 53 for getaddrinfo. @default 0: any free port */
  dnsPort?: number | undefined;
}

export interface Lab {
  dns: FakeDnsServer;
  /** `127.0.0.1:port` of the DNS server, as `--nameserver` and `Resolver` servers take it. */
  nameserver: string;
  hosts: LabHost[];
  /** The host of that name; throws for a name the lab does not have. */
  host(name: string): LabHost;
  /** Stops the DNS server, every listener and every black-hole worker. */
  close(): Promise<void>;
}

export async function startLab(options: LabOptions): Promise<Lab> {
  const origin = options.origin ?? 'he.test';
  const ttl = options.ttl ?? 60;
  const pairs: ListenerPair[] = [];
  const hosts: LabHost[] = [];
  let dns: FakeDnsServer | undefined;
  const close = async (): Promise<void> => {
    await Promise.all([dns?.close(), ...pairs.map((pair) => pair.close())]);
  };
  try {
    for (const spec of options.hosts) {
      const pair = await listenPair(spec, { tls: options.tls });
      pairs.push(pair);
      hosts.push({ ...spec, port: pair.port, accepted: pair.accepted });
    }
    dns = await FakeDnsServer.start({ zones: [labZone(origin, ttl, options.hosts)], port: options.dnsPort ?? 0 });
    for (const spec of options.hosts) delay(dns, spec);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    dns,
    nameserver: dns.server,
    hosts,
    host: (name) => {
      const found = hosts.find((h) => h.name === name);
      if (!found) throw new Error(`the lab has no host ${name}`);
      return found;
    },
    close,
  };
}

/** The zone: ::1 / 127.0.0.1 for each family a host has. */
export function labZone(origin: string, ttl: number, hosts: LabHostSpec[]): Zone {
  const records: ZoneRecord[] = [
    { name: origin, type: 'NS', data: `ns.${origin}` },
    { name: `ns.${origin}`, type: 'A', data: '127.0.0.1' },
  ];
  for (const { name, ipv6, ipv4 } of hosts) {
    if (ipv6 !== undefined) records.push({ name, type: 'AAAA', data: '::1' });
    if (ipv4 !== undefined) records.push({ name, type: 'A', data: '127.0.0.1' });
  }
  const soa = { mname: `ns.${origin}`, rname: `hostmaster.${origin}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: ttl };
  return { origin, ttl, soa, records };
}

function delay(dns: FakeDnsServer, spec: LabHostSpec): void {
  if (spec.aaaaDelay !== undefined) dns.setBehaviour(spec.name, 'AAAA', { delay: spec.aaaaDelay });
  if (spec.aDelay !== undefined) dns.setBehaviour(spec.name, 'A', { delay: spec.aDelay });
}
