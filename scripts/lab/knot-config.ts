/**
 * knotd's configuration and zone for the lab's server namespace: one zone whose wildcard
 * gives every name under it the server's IPv4 and IPv6 address, so each run can ask a
 * name never asked before (no cache anywhere can answer it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zoneToText, type Zone } from '../../lib/lab/dns-zone.js';

export function labZoneText(origin: string, server: { v4: string; v6: string }): string {
  const zone: Zone = {
    origin,
    ttl: 60,
    soa: { mname: `ns.${origin}`, rname: `hostmaster.${origin}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 60 },
    records: [
      { name: origin, type: 'NS', data: `ns.${origin}` },
      { name: `ns.${origin}`, type: 'A', data: server.v4 },
      { name: `*.${origin}`, type: 'A', data: server.v4 },
      { name: `*.${origin}`, type: 'AAAA', data: server.v6 },
    ],
  };
  return zoneToText(zone);
}

/** Writes `dir`/knot.conf and the zone file; knotd keeps its run files in `dir` too. */
export function writeKnotConfig(dir: string, listen: string[], origin: string, zoneText: string): void {
  mkdirSync(join(dir, 'db'), { recursive: true });
  writeFileSync(join(dir, `${origin}.zone`), zoneText);
  writeFileSync(
    join(dir, 'knot.conf'),
    `server:
    rundir: "${dir}"
    listen: [ ${listen.join(', ')} ]
    udp-max-payload: 1232
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
  - domain: ${origin}
`,
  );
}
