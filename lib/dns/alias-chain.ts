/**
 * SVCB resolution (RFC 9460 §3): ask HTTPS for the name; while the RRset is in AliasMode,
 * ask again for its TargetName, up to a limit and never twice for one name (§3.1). Each
 * hop is an ordinary HTTPS question (cached on its own by the Resolver's cache).
 */
import { DnsError, errorCode } from '../errors.js';
import { asciiLower } from './interpret.js';
import type { ServiceAnswer } from './types.js';

/** RFC 9460 §2.4.2: some limit, never 0; CNAME chains get 8 too (interpret.ts). */
export const MAX_ALIAS_LINKS = 8;

export type AskHttps = (name: string) => Promise<ServiceAnswer>;

/**
 * The ServiceMode records the chain from `name` ends at. When an AliasMode record led to
 * a name with no HTTPS records, or its TargetName is `'.'` ("no service", §2.5.1), the
 * answer has no records and `aliases` says where it went (the client then connects to
 * the last alias target, §3). A loop or a chain over the limit is a DnsError ESERVFAIL.
 */
export async function followAliases(name: string, ask: AskHttps): Promise<ServiceAnswer> {
  const aliases: string[] = [];
  const cnames: string[] = [];
  const visited = new Set([asciiLower(name)]);
  let ttl = Infinity;
  let qname = name;
  for (;;) {
    let answer: ServiceAnswer;
    try {
      answer = await ask(qname);
    } catch (err) {
      const code = errorCode(err);
      if (aliases.length === 0 || (code !== 'ENODATA' && code !== 'ENOTFOUND')) throw err;
      // The alias target has no HTTPS RRset: the chain ends here, with no records.
      const { negativeTtl, server } = err as DnsError;
      return { name, type: 'HTTPS', records: [], ttl: Math.min(ttl, negativeTtl ?? 0), cnames, aliases, server, source: 'dns' };
    }
    for (const cname of answer.cnames) {
      cnames.push(cname);
      visited.add(asciiLower(cname));
    }
    ttl = Math.min(ttl, answer.ttl);
    // §2.4.1: an RRset with an AliasMode record is in AliasMode; its ServiceMode records are ignored.
    const alias = answer.records.find((r) => r.priority === 0);
    const done = { ...answer, name, cnames, aliases, ttl };
    if (alias === undefined) return done;
    if (alias.target === '.') return { ...done, records: [], ttl: Math.min(ttl, alias.ttl) };
    const target = alias.target;
    if (visited.has(asciiLower(target))) throw chainError(name, `AliasMode loop at ${target}`);
    if (aliases.length >= MAX_ALIAS_LINKS) throw chainError(name, `AliasMode chain longer than ${MAX_ALIAS_LINKS}`);
    visited.add(asciiLower(target));
    aliases.push(target);
    cnames.push(target);
    ttl = Math.min(ttl, alias.ttl);
    qname = target;
  }
}

function chainError(name: string, why: string): DnsError {
  return new DnsError('ESERVFAIL', { hostname: name, rrtype: 'HTTPS' }, `queryHttps ESERVFAIL HTTPS ${name}: ${why} (RFC 9460 §3.1)`);
}
