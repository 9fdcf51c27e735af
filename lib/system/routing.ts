/**
 * The Resolver's routing step, assembled: its options (checked up front), the router
 * over nsswitch.conf and the platform's rules, the system backend, and a DNS client per
 * macOS /etc/resolver domain. README "Where names are resolved".
 */
import { systemClock, type Clock } from '../clock.js';
import type { ServerAddress } from '../dns/types.js';
import { InvalidArgumentError } from '../errors.js';
import { HostRouter } from './host-router.js';
import { NsswitchFile } from './nsswitch.js';
import { checkPlatform, currentPlatform, type PlatformFiles } from './platform.js';
import { loadResolverDir, type SplitDomain } from './resolver-dir.js';
import type { Backend, Platform } from './route.js';
import { SystemBackend, type SystemLookup } from './system-backend.js';

export interface RoutingOptions {
  /**
   * Where names are resolved: `'dns'` by the user-space client for every name;
   * `'system'` by getaddrinfo for every name (`servers` is then not used for address
   * lookups); `'auto'` per name, by the system backend only where the system's sources
   * (nsswitch.conf, mDNS, macOS /etc/resolver, Windows) would answer differently.
   * @default 'auto'
   */
  backend?: Backend;
  /** Whose rules and files apply. @default process.platform ('linux' for other Unixes) */
  platform?: Platform;
  /** Path of nsswitch.conf (its `hosts:` line routes names), or `false` to read none. @default '/etc/nsswitch.conf' (Linux) */
  nsswitch?: string | false;
  /** macOS per-domain resolver files (resolver(5)), or `false` for none. @default '/etc/resolver' (macOS) */
  resolverDir?: string | false;
  /** Seconds answers of the system backend are kept (getaddrinfo gives no TTL). @default 0 */
  systemTtl?: number;
  /** The system resolver, as `dns.lookup` (a seam for tests, or another resolver). @default dns.lookup */
  systemLookup?: SystemLookup;
}

export const ROUTING_OPTION_KEYS: readonly string[] = ['backend', 'platform', 'nsswitch', 'resolverDir', 'systemTtl', 'systemLookup'];
const BACKENDS: readonly Backend[] = ['auto', 'dns', 'system'];
/** systemd-resolved's stub listeners (systemd-resolved.service(8)). */
const RESOLVED_STUBS = new Set(['127.0.0.53', '127.0.0.54']);

/** Checks the routing options (InvalidArgumentError naming the option); the platform they mean. */
export function checkRoutingOptions(o: RoutingOptions): Platform {
  if (o.backend !== undefined && !BACKENDS.includes(o.backend)) throw new InvalidArgumentError('backend', o.backend, "'auto', 'dns' or 'system'");
  checkPath('nsswitch', o.nsswitch);
  checkPath('resolverDir', o.resolverDir);
  const ttl = o.systemTtl;
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0)) throw new InvalidArgumentError('systemTtl', ttl, 'seconds, a finite number >= 0');
  if (o.systemLookup !== undefined && typeof o.systemLookup !== 'function') throw new InvalidArgumentError('systemLookup', o.systemLookup, 'a function like dns.lookup');
  return o.platform === undefined ? currentPlatform() : checkPlatform(o.platform);
}

export interface Routing<C> {
  router: HostRouter;
  system: SystemBackend;
  /** A client per /etc/resolver domain with servers of its own. */
  splitClients: Map<SplitDomain, C>;
}

export interface RoutingSetup<C> {
  options: RoutingOptions;
  platform: Platform;
  files: PlatformFiles;
  /** resolv.conf's servers (systemd-resolved's stub counts as DNS behind them). */
  nameservers: readonly ServerAddress[];
  /** The Resolver was given `servers`. */
  serversGiven: boolean;
  clock: Clock | undefined;
  /** The cache's queue bounds, for the system backend's queue. */
  queue: { maxQueued?: number | undefined; queueTimeout?: number | undefined; maxEntries?: number | undefined };
  /** Makes the DNS client of one /etc/resolver domain. */
  client(split: SplitDomain): C;
}

/** Reads the routing configuration (the /etc/resolver files once; nsswitch.conf on use). */
export async function createRouting<C>(s: RoutingSetup<C>): Promise<Routing<C>> {
  const o = s.options;
  const backend = o.backend ?? 'auto';
  const resolverDir = pathOption(o.resolverDir, s.files.resolverDir);
  const splitDomains = backend === 'system' || resolverDir === undefined ? [] : await loadResolverDir(resolverDir);
  const splitClients = new Map<SplitDomain, C>();
  for (const split of splitDomains) if (!split.unsupported) splitClients.set(split, s.client(split));
  const nsswitch = pathOption(o.nsswitch, s.files.nsswitch);
  const clock = s.clock ? { clock: s.clock } : {};
  const router = new HostRouter({
    backend,
    platform: s.platform,
    serversGiven: s.serversGiven,
    nsswitch: nsswitch === undefined || backend !== 'auto' ? undefined : new NsswitchFile({ path: nsswitch, ...clock }),
    resolvedStub: s.nameservers.length > 0 && s.nameservers.every((server) => RESOLVED_STUBS.has(server.address)),
    splitDomains: new Map(splitDomains.map((split) => [split.domain, split])),
    clock: s.clock ?? systemClock,
  });
  await router.start();
  const system = new SystemBackend({ lookup: o.systemLookup, clock: s.clock, ttl: o.systemTtl, ...s.queue });
  return { router, system, splitClients };
}

function checkPath(option: string, value: unknown): void {
  if (value !== undefined && value !== false && (typeof value !== 'string' || value === '')) {
    throw new InvalidArgumentError(option, value, 'a path or false');
  }
}

/** An option's path, the platform's when unset, none when `false`. */
function pathOption(value: string | false | undefined, platformDefault: string | undefined): string | undefined {
  return value === false ? undefined : (value ?? platformDefault);
}
