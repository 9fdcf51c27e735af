/**
 * The NAT64 lab's addresses and the configuration of its three daemons: tayga (the NAT64,
 * RFC 6146 style, stateless per host with a dynamic IPv4 pool), unbound with its `dns64`
 * module (RFC 6147) as the client's resolver, and knotd, authoritative on the IPv4-only
 * side for the lab's zone and for `ipv4only.arpa` (A 192.0.0.170 and .171, RFC 7050 §2.2),
 * which unbound reaches through stub zones as it would the real servers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zoneToText, type Zone } from '../../lib/lab/dns-zone.js';
import type { LookupAddress } from '../../lib/lookup.js';
import type { Measurement } from './peer-clients.js';

export const NAT64_LAB = {
  /** Client side: IPv6 only, default route to the gateway. */
  client: { v6: '2001:db8:6::2' },
  gateway: { v6: '2001:db8:6::1', v4: '198.18.64.1' },
  /** Server side: IPv4 only. */
  server: { v4: '198.18.64.2' },
  /** A network-specific prefix: the lab's IPv4 addresses are not global, so 64:ff9b::/96 may not carry them (RFC 6052 §3.1). */
  prefix: '2001:db8:64::/96',
  /** tayga's own IPv4 address and the pool client hosts are mapped into. */
  tayga: { v4: '198.18.65.1', pool: '198.18.65.0/24' },
  zone: 'n64.test',
  /** A address only: reachable from the client through DNS64 + NAT64. */
  v4only: 'v4only.n64.test',
  /** A and an AAAA that leads nowhere (black-holed at the gateway): DNS64 passes the AAAA through (RFC 8305 §7.2). */
  broken: 'broken.n64.test',
  brokenV6: '2001:db8:dead::1',
  port: 80,
} as const;

/** What each peer is pointed at (nat64-peers.ts). */
export const TARGETS = [
  { key: 'literal', host: NAT64_LAB.server.v4, title: `IPv4 literal ${NAT64_LAB.server.v4}` },
  { key: 'v4only', host: NAT64_LAB.v4only, title: `IPv4-only name ${NAT64_LAB.v4only} (DNS64 AAAA)` },
  { key: 'broken', host: NAT64_LAB.broken, title: `broken AAAA ${NAT64_LAB.broken} (AAAA ${NAT64_LAB.brokenV6} black-holed, A ${NAT64_LAB.server.v4})` },
] as const;

export const NAT64_OFF = 'happy-eyeballs nat64Prefix:false';

export interface Nat64DriverConfig {
  runs: number;
  boundMs: number;
}

export interface Nat64DriverReport {
  /** Keyed `peer target`. */
  samples: Record<string, Measurement[]>;
  /** ours' lookup(host, { all: true }) per target. */
  lookups: Record<string, LookupAddress[] | string>;
}

const soa = () => ({ mname: `ns.${NAT64_LAB.zone}`, rname: `hostmaster.${NAT64_LAB.zone}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 60 });

function zones(): Zone[] {
  const { zone, server, v4only, broken, brokenV6 } = NAT64_LAB;
  return [
    {
      origin: zone,
      ttl: 60,
      soa: soa(),
      records: [
        { name: zone, type: 'NS', data: `ns.${zone}` },
        { name: `ns.${zone}`, type: 'A', data: server.v4 },
        { name: v4only, type: 'A', data: server.v4 },
        { name: broken, type: 'A', data: server.v4 },
        { name: broken, type: 'AAAA', data: brokenV6 },
      ],
    },
    {
      origin: 'ipv4only.arpa',
      ttl: 60,
      soa: soa(),
      records: [
        { name: 'ipv4only.arpa', type: 'NS', data: `ns.${zone}` },
        { name: 'ipv4only.arpa', type: 'A', data: '192.0.0.170' },
        { name: 'ipv4only.arpa', type: 'A', data: '192.0.0.171' },
      ],
    },
  ];
}

/** knotd in the server namespace: both zones on the server's IPv4 address. */
export function writeKnot(dir: string): string {
  mkdirSync(join(dir, 'db'), { recursive: true });
  const all = zones();
  for (const z of all) writeFileSync(join(dir, `${z.origin}.zone`), zoneToText(z));
  const conf = join(dir, 'knot.conf');
  writeFileSync(
    conf,
    `server:
    rundir: "${dir}"
    listen: [ ${NAT64_LAB.server.v4}@53 ]
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "${dir}/db"
log:
  - target: stderr
    any: error
template:
  - id: default
    storage: "${dir}"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
${all.map((z) => `  - domain: ${z.origin}\n`).join('')}`,
  );
  return conf;
}

/**
 * unbound in the gateway namespace: recursion with DNS64 (`module-config: "dns64 iterator"`,
 * the lab's prefix), for the client's network only. unbound answers names under `test.`
 * itself (RFC 6761 local zone) unless told not to.
 */
export function writeUnbound(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'unbound.conf');
  const stub = (name: string): string => `stub-zone:\n    name: "${name}"\n    stub-addr: ${NAT64_LAB.server.v4}\n`;
  writeFileSync(
    conf,
    `server:
    interface: ${NAT64_LAB.gateway.v6}
    port: 53
    access-control: 2001:db8:6::/64 allow
    module-config: "dns64 iterator"
    dns64-prefix: ${NAT64_LAB.prefix}
    username: ""
    chroot: ""
    directory: "${dir}"
    pidfile: "${dir}/unbound.pid"
    use-syslog: no
    logfile: ""
    verbosity: 1
    num-threads: 1
    so-reuseport: no
    qname-minimisation: no
    local-zone: "test." nodefault
${stub(NAT64_LAB.zone)}${stub('ipv4only.arpa')}`,
  );
  return conf;
}

/** tayga in the gateway namespace: the lab's prefix, its own address, the pool; dynamic.map in `dir`. */
export function writeTayga(dir: string, device: string): string {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'tayga.conf');
  writeFileSync(
    conf,
    `tun-device ${device}\nipv4-addr ${NAT64_LAB.tayga.v4}\nprefix ${NAT64_LAB.prefix}\ndynamic-pool ${NAT64_LAB.tayga.pool}\ndata-dir ${dir}\n`,
  );
  return conf;
}
