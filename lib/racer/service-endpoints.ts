/**
 * Which service endpoints an HTTPS answer offers a TLS client, in which order (Happy
 * Eyeballs v3 §4, RFC 9460 §3, §7.1, §8): compatible records only, each endpoint's ALPN
 * set with the default unless `no-default-alpn`, endpoints whose set has nothing the
 * client speaks skipped, the rest ordered by SvcPriority, then by the client's
 * preference for what they offer. Pure: no I/O, no clock.
 */
import { SVC_KEYS } from '../dns/svcb-keys.js';
import type { ServiceAnswer, ServiceRecord } from '../dns/types.js';
import type { ServiceEndpoint } from '../address/types.js';

/** RFC 9460 §7.1.2: the default ALPN set of the "https" scheme. */
const DEFAULT_ALPN = 'http/1.1';

export interface EndpointPlan {
  /** Usable endpoints in group order (the last may be the alias target's, §3). */
  endpoints: ServiceEndpoint[];
  /** Names whose A/AAAA are the origin's own: the host and the CNAMEs its HTTPS query followed. */
  originNames: ReadonlySet<string>;
}

/**
 * The plan for `host:port` from `answer` (asked at `httpsQueryName(host, port)`).
 * `speaks`: the ALPN protocols the client offers over TLS, most preferred first.
 */
export function planEndpoints(answer: ServiceAnswer, host: string, port: number, speaks: readonly string[]): EndpointPlan {
  const originNames = new Set([lower(host)]);
  // With port 443 the QNAME is the host, so CNAMEs before the first alias are the host's (§9.1).
  if (port === 443) {
    for (const name of answer.cnames) {
      if (answer.aliases.includes(name)) break;
      originNames.add(lower(name));
    }
  }
  const owner = answer.cnames[answer.cnames.length - 1] ?? answer.name;
  const usable = answer.records
    .map((record, order) => ({ record, order, alpn: alpnSet(record) }))
    .filter(({ record, alpn }) => record.priority > 0 && isCompatible(record) && preference(alpn, speaks) < Infinity)
    .sort((a, b) => a.record.priority - b.record.priority || preference(a.alpn, speaks) - preference(b.alpn, speaks) || a.order - b.order);
  const endpoints: ServiceEndpoint[] = usable.map(({ record, alpn }, group) => ({
    group,
    priority: record.priority,
    target: record.target === '.' ? owner : record.target,
    port: record.params.port ?? port,
    alpn,
    ech: record.params.ech,
    ipv4hint: record.params.ipv4hint ?? [],
    ipv6hint: record.params.ipv6hint ?? [],
  }));
  // §3: after an AliasMode chain, its last target at the origin's port, no SvcParams.
  const last = answer.aliases[answer.aliases.length - 1];
  if (last !== undefined) endpoints.push({ group: endpoints.length, priority: 0, target: last, port, alpn: [DEFAULT_ALPN], ipv4hint: [], ipv6hint: [] });
  return { endpoints, originNames };
}

/** RFC 9460 §7.1.1: `alpn` plus the default set unless `no-default-alpn`. */
export function alpnSet(record: Pick<ServiceRecord, 'params'>): string[] {
  const listed = record.params.alpn ?? [];
  return record.params.noDefaultAlpn || listed.includes(DEFAULT_ALPN) ? [...listed] : [...listed, DEFAULT_ALPN];
}

/** RFC 9460 §8: compatible when every mandatory key is one the client knows. */
function isCompatible(record: ServiceRecord): boolean {
  return (record.params.mandatory ?? []).every((name) => SVC_KEYS.some((key) => key.name === name));
}

/** Index in `speaks` of the most preferred protocol the endpoint offers; Infinity when none. */
function preference(alpn: readonly string[], speaks: readonly string[]): number {
  const index = speaks.findIndex((protocol) => alpn.includes(protocol));
  return index < 0 ? Infinity : index;
}

/**
 * What the TLS attempts offer by ALPN, most preferred first, as strings: `ALPNProtocols`
 * as Node takes it (strings, byte arrays, or one wire-format list); none given means the
 * client speaks HTTP/1.1 (RFC 9460 §7.1.2).
 */
export function offeredAlpn(tls: { ALPNProtocols?: unknown } | undefined): string[] {
  const given = tls?.ALPNProtocols;
  let list: string[] = [];
  if (Array.isArray(given)) list = given.map((p) => (typeof p === 'string' ? p : Buffer.from(p as Uint8Array).toString('latin1')));
  else if (given instanceof Uint8Array) {
    for (let i = 0; i < given.length; i += 1 + given[i]!) list.push(Buffer.from(given.subarray(i + 1, i + 1 + given[i]!)).toString('latin1'));
  }
  return list.length > 0 ? list : [DEFAULT_ALPN];
}

function lower(name: string): string {
  return name.toLowerCase();
}
