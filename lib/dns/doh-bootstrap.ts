/**
 * How a DoH URL's host name is resolved: never through DoH, since the answer would be
 * needed to ask the question. The hosts file (and `localhost`, RFC 6761) first, then the
 * plain servers among the resolver's own `servers`, AAAA and A in parallel. The system's
 * resolv.conf servers are never asked: a user who lists only encrypted servers wants no
 * plaintext DNS. The resolver refuses at construction a DoH host name it could not
 * resolve at all (no plain server, no hosts file).
 */
import { isIP } from 'node:net';
import { DnsError, InvalidArgumentError } from '../errors.js';
import type { DnsClient } from './client.js';
import type { Bootstrap } from './encrypted-types.js';
import { isLocalhostName } from './name.js';
import type { DnsServer } from './types.js';

/**
 * The hosts file's addresses of one family for a name (`localhost` included): `undefined`
 * when the file does not know the name, `[]` when it knows it for the other family only.
 */
export type LocalLookup = (hostname: string, family: 4 | 6) => Promise<string[] | undefined> | string[] | undefined;

export function createBootstrap(local: LocalLookup, plain: DnsClient | undefined): Bootstrap {
  return async (hostname) => {
    const [v6, v4] = await Promise.all(([6, 4] as const).map((family) => local(hostname, family)));
    // A name the hosts file knows has a list for both families ([] for one it lacks); others have none.
    if (v6 !== undefined) return [...v6, ...v4!];
    if (!plain) throw new DnsError('ENOTFOUND', { hostname }, `DoH host ${hostname} is not in the hosts file, and no plain server is configured to ask`);
    const answers = await Promise.allSettled([plain.query(hostname, 'AAAA', { both: true }), plain.query(hostname, 'A', { both: true })]);
    const addresses = answers.flatMap((a) => (a.status === 'fulfilled' ? a.value.records.map((r) => r.address) : []));
    if (addresses.length > 0) return addresses;
    throw (answers[1] as PromiseRejectedResult).reason; // A's error: both failed
  };
}

/** Construction check: a DoH host name needs plain servers, a hosts file, or to be `localhost`. */
export function checkBootstrap(servers: readonly DnsServer[], hostsEnabled: boolean): void {
  if (hostsEnabled || servers.some((s) => s.transport === undefined)) return;
  servers.forEach((s, i) => {
    if (s.transport !== 'https' || isIP(s.host) !== 0 || isLocalhostName(s.host)) return;
    const why = `an IP address as DoH host, or a plain server or a hosts file to resolve ${s.host} (a DoH server is never asked for its own name)`;
    throw new InvalidArgumentError(`servers[${i}]`, s.url, why);
  });
}
