/**
 * Where a name is resolved: by our user-space DNS client (hosts file, cache, DNS) or by
 * the system resolver (getaddrinfo through `dns.lookup`). Like Go's `hostLookupOrder`
 * (net/conf.go), a name goes to our client only where the hosts file plus unicast DNS
 * answer it exactly as the system's configured sources would; unlike Go, a name sent to
 * the system is still asked per family, so the race keeps acting on the first answer.
 *
 * `planRoutes` reads the configuration once (per nsswitch.conf change); `hostRoute` is
 * then a few string checks per name (none where every name goes the same way). IP
 * literals never get here; localhost names stay local whatever the route (RFC 6761 §6.3),
 * the Resolver sees to that.
 */
import { canonicalName } from '../dns/name.js';
import type { NssHosts, NssSource, NssStatus } from './nsswitch.js';
import type { SplitDomain } from './resolver-dir.js';

export type Backend = 'auto' | 'dns' | 'system';
export type Platform = 'linux' | 'darwin' | 'win32' | 'android';

export interface Route {
  backend: 'dns' | 'system';
  /**
   * One `family: 0` lookup answers both record types: per-family lookups would not give
   * the same answer (nss-mdns: `mdns4_minimal` has no AF_INET6 answer, so an AF_INET6
   * lookup of `printer.local` falls through to unicast DNS and leaks the name).
   */
  allFamilies: boolean;
  /**
   * User-space DNS first; when it ends with one of these statuses, the system resolver
   * is asked, because a source after `dns` (`wins`, `ldap`…) may still answer the name.
   */
  fallback: ReadonlySet<NssStatus> | undefined;
  /** Names under a macOS /etc/resolver domain: asked of that file's servers. */
  split: SplitDomain | undefined;
  /** Why, in a word or two (diagnostics, CLI, tests). */
  reason: string;
}

export interface RouteConfig {
  backend: Backend;
  platform: Platform;
  /** The Resolver was given `servers`: the user chose our DNS for what DNS answers. */
  serversGiven: boolean;
  /** The `hosts:` line; `undefined` when nsswitch.conf is not consulted (`nsswitch: false`, not Linux). */
  nss: NssHosts | undefined;
  /** The machine's host name, canonical (nss-myhostname and systemd-resolved answer it). */
  hostname: string;
  /** resolv.conf names only systemd-resolved's stub (127.0.0.53 / 127.0.0.54). */
  resolvedStub: boolean;
  /** macOS /etc/resolver files by domain. */
  splitDomains: ReadonlyMap<string, SplitDomain>;
}

export interface RoutePlan {
  readonly config: RouteConfig;
  /** The route of every name no name-specific rule below catches. */
  readonly rest: Route;
  /** `.local` names go to the system (an mDNS source is configured, or macOS). */
  readonly mdns: boolean;
  /** The host name, `_gateway` and `_outbound` go to the system (nss-myhostname). */
  readonly myhostname: boolean;
  /** Single-label and synthesized names go to the system (systemd-resolved counted as DNS). */
  readonly resolved: boolean;
  /** No rule looks at the name: every name takes `rest`. */
  readonly uniform: boolean;
}

const route = (backend: 'dns' | 'system', reason: string, extra: Partial<Route> = {}): Route =>
  Object.freeze({ backend, allFamilies: false, fallback: undefined, split: undefined, reason, ...extra });

const DNS = route('dns', 'files-dns');
const SYSTEM_MDNS = route('system', 'mdns', { allFamilies: true });
const SYSTEM_MYHOSTNAME = route('system', 'myhostname');
const SYSTEM_RESOLVED = route('system', 'resolved');

/** Names nss-myhostname answers besides localhost (systemd >= 235 spelling). */
const MYHOSTNAME_NAMES = new Set(['_gateway', '_outbound']);
/** Names systemd-resolved synthesizes (systemd-resolved.service(8), "Synthetic records"). */
const RESOLVED_NAMES = new Set(['_gateway', '_outbound', '_localdnsstub', '_localdnsproxy']);

export function planRoutes(config: RouteConfig): RoutePlan {
  const plan = planOf(config);
  return { ...plan, uniform: !plan.mdns && !plan.myhostname && !plan.resolved && config.splitDomains.size === 0 };
}

function planOf(config: RouteConfig): Omit<RoutePlan, 'uniform'> {
  const plain = { config, mdns: false, myhostname: false, resolved: false };
  // 'dns': today's behaviour, user-space for every name (split domains are user-space too).
  if (config.backend === 'dns') return { ...plain, rest: DNS };
  if (config.backend === 'system') return { ...plain, rest: route('system', 'backend') };
  // Windows and Android have no resolv.conf: their servers and rules live in the
  // registry / system properties, which only the system resolver follows fully.
  if (config.platform === 'win32' || config.platform === 'android') {
    return { ...plain, rest: config.serversGiven ? route('dns', 'servers') : route('system', 'platform') };
  }
  // macOS: mDNSResponder answers `.local` (RFC 6762); resolver(5) files route domains.
  if (config.platform === 'darwin') return { ...plain, mdns: true, rest: DNS };
  const nss = config.nss;
  // No NSS consulted, or no `hosts:` line: files then DNS, as Go assumes and musl does
  // (glibc's built-in default would be `dns [!UNAVAIL=return] files`; see README).
  if (nss === undefined || nss.sources === undefined) return { ...plain, rest: DNS };
  const names = nss.sources.map((s) => s.name);
  const stub = names.includes('resolve') && config.resolvedStub;
  const named = {
    config,
    // RFC 6762 §22 (".local" is link-local): an mdns* module or resolved answers these.
    mdns: names.some((n) => n.startsWith('mdns')) || stub,
    myhostname: names.includes('myhostname'),
    resolved: stub,
  };
  // The user gave `servers`: the remaining names are theirs to ask by DNS.
  if (config.serversGiven) return { ...named, rest: route('dns', 'servers') };
  if (nss.malformed !== undefined) return { ...named, rest: route('system', 'nsswitch-malformed') };
  return { ...named, rest: walkSources(nss.sources, config, nss.mdnsAllow) };
}

/** Where one (valid) host name goes; case and a trailing dot do not matter. */
export function hostRoute(plan: RoutePlan, hostname: string): Route {
  if (plan.uniform) return plan.rest;
  const name = canonicalName(hostname);
  if (plan.mdns && (name === 'local' || name.endsWith('.local'))) return SYSTEM_MDNS;
  if (plan.myhostname && (name === plan.config.hostname || MYHOSTNAME_NAMES.has(name))) return SYSTEM_MYHOSTNAME;
  if (plan.resolved && (!name.includes('.') || name === plan.config.hostname || RESOLVED_NAMES.has(name))) return SYSTEM_RESOLVED;
  if (plan.config.splitDomains.size > 0 && plan.rest.backend === 'dns' && !plan.config.serversGiven) {
    const split = findSplit(plan.config.splitDomains, name);
    if (split) {
      if (plan.config.backend === 'dns') return split.unsupported ? plan.rest : route('dns', 'resolver-file', { split });
      return split.unsupported ? route('system', 'resolver-file') : route('dns', 'resolver-file', { split });
    }
  }
  return plan.rest;
}

/** The longest /etc/resolver domain `name` is under (or is). */
function findSplit(domains: ReadonlyMap<string, SplitDomain>, name: string): SplitDomain | undefined {
  for (let at = 0; at !== -1; at = name.indexOf('.', at) + 1 || -1) {
    const split = domains.get(name.slice(at));
    if (split) return split;
  }
  return undefined;
}

/**
 * The sources glibc asks for a name no name-specific rule caught, in order. Our client
 * is `files` then `dns`, so that is what must happen: `files` first with its usual
 * actions, then `dns` returning on success, and nothing in between that could answer
 * or stop the lookup.
 */
function walkSources(sources: readonly NssSource[], config: RouteConfig, mdnsAllow: boolean): Route {
  let files = false;
  let dns: NssSource | undefined;
  for (const source of sources) {
    const kind = classify(source.name, config, mdnsAllow);
    if (kind === 'files') {
      // After dns, or twice: an order our client does not follow.
      if (dns || files) return route('system', 'nsswitch-order');
      if (!standard(source)) return route('system', 'nsswitch-actions');
      files = true;
    } else if (kind === 'dns') {
      if (dns) continue; // `resolve [!UNAVAIL=return] dns`: the same servers again
      if (!files) return route('system', 'nsswitch-order');
      if (source.actions.success !== 'return') return route('system', 'nsswitch-actions');
      dns = source;
    } else if (kind === 'unavail' || kind === 'notfound') {
      // A source that does not know this name: it ends with that status; `return` stops
      // the lookup there (before dns: a name our client would answer, glibc would not).
      if (source.actions[kind] === 'continue') continue;
      if (!dns) return route('system', 'nsswitch-actions');
      break;
    } else if (!dns) {
      // ldap, sss, nis, wins, libvirt, mymachines, resolve without its stub…: it may
      // answer any name, and before DNS: only getaddrinfo can ask it.
      return route('system', `source:${source.name}`);
    } else {
      // The same kind of source after dns: reached when DNS does not return.
      const statuses = (['notfound', 'unavail', 'tryagain'] as const).filter((s) => dns!.actions[s] === 'continue');
      return statuses.length === 0 ? DNS : route('dns', `fallback:${source.name}`, { fallback: new Set(statuses) });
    }
  }
  // `hosts: files` (no DNS at all) or nothing but other sources.
  if (!dns) return route('system', 'no-dns');
  return DNS;
}

type SourceKind = 'files' | 'dns' | 'unavail' | 'notfound' | 'other';

/** What a source does with a name that no name-specific rule caught. */
function classify(name: string, config: RouteConfig, mdnsAllow: boolean): SourceKind {
  if (name === 'files') return 'files';
  if (name === 'dns') return 'dns';
  // systemd-resolved over its own stub: for ordinary names it is that DNS server.
  if (name === 'resolve' && config.resolvedStub) return 'dns';
  // nss-mdns answers only `.local` (caught before) unless mdns.allow widens a full module.
  if (/^mdns[46]?_minimal$/.test(name) || (/^mdns[46]?$/.test(name) && !mdnsAllow)) return 'unavail';
  // nss-myhostname knows only its own names (caught before) and localhost.
  if (name === 'myhostname') return 'notfound';
  return 'other';
}

/** A `files` source that returns on success and goes on otherwise. */
function standard(source: NssSource): boolean {
  const a = source.actions;
  return a.success === 'return' && a.notfound === 'continue' && a.unavail === 'continue' && a.tryagain === 'continue';
}

/** The nss status a failed user-space DNS query corresponds to (glibc's nss_dns). */
export function nssStatusOf(code: string | undefined): NssStatus | undefined {
  if (code === 'ENOTFOUND' || code === 'ENODATA') return 'notfound';
  if (code === 'ECONNREFUSED') return 'unavail';
  if (code === 'ETIMEOUT' || code === 'ESERVFAIL' || code === 'EREFUSED' || code === 'EBADRESP' || code === 'ECONNRESET') return 'tryagain';
  return undefined; // cancelled, aborted, a bad name: not a DNS outcome
}
