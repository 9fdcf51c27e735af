/**
 * macOS per-domain resolvers, resolver(5): each file in /etc/resolver configures the
 * servers for the names under one domain (split DNS: VPNs, `.internal` zones). The
 * file's name is the domain unless a `domain` line says otherwise; `nameserver` (one
 * address per line), `port` (for every server of the file) and `timeout` (seconds per
 * try) are what a user-space client can follow; `search_order` only orders the search
 * of short names among the files and does not change where a name goes. Any other
 * keyword (`search`, `options`, `sortlist`…) or a file without a server marks the domain
 * as one we leave to the system resolver. `#` and `;` start comments.
 */
import { join } from 'node:path';
import { canonicalName, isValidHostname } from '../dns/name.js';
import type { ServerAddress } from '../dns/types.js';
import { parseIpLiteral } from './ip.js';
import { listDir, readText } from './files.js';
import { DNS_PORT } from './server-address.js';

export interface SplitDomain {
  /** Canonical (lowercase, no trailing dot). */
  domain: string;
  servers: ServerAddress[];
  /** Milliseconds per try, from `timeout`. */
  timeout?: number | undefined;
  /** Why the names under this domain go to the system resolver instead, if they do. */
  unsupported?: string | undefined;
  /** The file it came from. */
  file: string;
}

/** Longest `timeout` we take from a file (resolv.conf's cap). */
const MAX_TIMEOUT_S = 30;

export function parseResolverFile(text: string, file: string, fileName: string): SplitDomain | undefined {
  let domain = fileName;
  const addresses: Array<{ address: string; family: 4 | 6 }> = [];
  let port = DNS_PORT;
  let timeout: number | undefined;
  let unsupported: string | undefined;
  for (const raw of text.split('\n')) {
    const [keyword = '', value] = raw
      .replace(/[#;].*$/, '')
      .trim()
      .split(/[ \t]+/);
    if (keyword === '') continue;
    if (keyword === 'nameserver') {
      const literal = value === undefined ? undefined : parseIpLiteral(value);
      if (literal) addresses.push(literal);
      else unsupported ??= `nameserver ${value ?? ''} is not an IP address`;
    } else if (keyword === 'port') {
      const n = Number(value);
      if (/^[0-9]+$/.test(value ?? '') && n >= 1 && n <= 65535) port = n;
      else unsupported ??= `port ${value ?? ''} is not a port number`;
    } else if (keyword === 'timeout') {
      if (/^[0-9]+$/.test(value ?? '')) timeout = Math.min(Math.max(Number(value), 1), MAX_TIMEOUT_S) * 1000;
    } else if (keyword === 'domain') {
      if (value !== undefined) domain = value;
    } else if (keyword !== 'search_order') {
      unsupported ??= `"${keyword}" is not followed here`;
    }
  }
  if (!isValidHostname(domain)) return undefined;
  if (addresses.length === 0) unsupported ??= 'no nameserver';
  const servers = addresses.map(({ address, family }) => ({ address, port, family }));
  return { domain: canonicalName(domain), servers, timeout, unsupported, file };
}

/** Every file of `dir` (none when it is missing), in name order; the first file for a domain wins. */
export async function loadResolverDir(dir: string): Promise<SplitDomain[]> {
  let names: string[];
  try {
    names = (await listDir(dir)).filter((name) => !name.startsWith('.')).sort();
  } catch {
    return []; // no /etc/resolver: no per-domain servers
  }
  const domains = new Map<string, SplitDomain>();
  for (const name of names) {
    const file = join(dir, name);
    let text: string;
    try {
      text = await readText(file);
    } catch {
      continue; // a directory or an unreadable file
    }
    const split = parseResolverFile(text, file, name);
    if (split && !domains.has(split.domain)) domains.set(split.domain, split);
  }
  return [...domains.values()];
}
