/**
 * knotd's configuration and zones for the lab's server namespace: each zone's wildcard
 * gives every name under it the server's IPv4 and IPv6 address, so each run can ask a
 * name never asked before (no cache anywhere can answer it). The HTTPS zone's wildcard
 * also has an HTTPS record (RFC 9460) whose hints are those addresses.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zoneToText, type Zone } from '../../lib/lab/dns-zone.js';

export function labZoneText(origin: string, server: { v4: string; v6: string }, httpsHints = false): string {
  const zone: Zone = {
    origin,
    ttl: 60,
    soa: { mname: `ns.${origin}`, rname: `hostmaster.${origin}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 60 },
    records: [
      { name: origin, type: 'NS', data: `ns.${origin}` },
      { name: `ns.${origin}`, type: 'A', data: server.v4 },
      { name: `*.${origin}`, type: 'A', data: server.v4 },
      { name: `*.${origin}`, type: 'AAAA', data: server.v6 },
      ...(httpsHints ? [{ name: `*.${origin}`, type: 'HTTPS' as const, data: `1 . ipv4hint=${server.v4} ipv6hint=${server.v6}` }] : []),
    ],
  };
  return zoneToText(zone);
}

/** Writes `dir`/knot.conf and the zone files; knotd keeps its run files in `dir` too. */
export function writeKnotConfig(dir: string, listen: string[], origin: string, zoneText: string, more: Array<{ origin: string; text: string }> = []): void {
  mkdirSync(join(dir, 'db'), { recursive: true });
  writeFileSync(join(dir, `${origin}.zone`), zoneText);
  for (const zone of more) writeFileSync(join(dir, `${zone.origin}.zone`), zone.text);
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
${more.map((zone) => `  - domain: ${zone.origin}\n`).join('')}`,
  );
}
