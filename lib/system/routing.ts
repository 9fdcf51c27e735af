/**
 * The Resolver's routing step, assembled: its options (checked up front), the router
 * over nsswitch.conf and the platform's rules, the system backend, and the macOS
 * /etc/resolver domains (the Resolver asks each one's servers with a DNS client of its
 * own). README "Where names are resolved".
 */
import { systemClock, type Clock } from '../clock.js';
import type { ServerAddress } from '../dns/types.js';
import { functionOption, numberIn, oneOf } from '../options.js';
import { checkSource } from './config.js';
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
  if (o.backend !== undefined) oneOf('backend', o.backend, BACKENDS);
  if (o.nsswitch !== undefined) checkSource('nsswitch', o.nsswitch);
  if (o.resolverDir !== undefined) checkSource('resolverDir', o.resolverDir);
  if (o.systemTtl !== undefined) numberIn('systemTtl', o.systemTtl, 0, Number.MAX_VALUE, 'seconds');
  functionOption('systemLookup', o.systemLookup);
  return o.platform === undefined ? currentPlatform() : checkPlatform(o.platform);
}

export interface Routing {
  system: SystemBackend;
  /** The /etc/resolver domains (read once) whose names our client asks of their own servers. */
  splitDomains: readonly SplitDomain[];
  /**
   * The router for resolv.conf's `nameservers`, primed: made again when resolv.conf
   * changes, since whether it names systemd-resolved's stub decides a rule.
   */
  router(nameservers: readonly ServerAddress[]): Promise<HostRouter>;
}

export interface RoutingSetup {
  options: RoutingOptions;
  platform: Platform;
  files: PlatformFiles;
  /** The Resolver was given `servers`. */
  serversGiven: boolean;
  clock: Clock | undefined;
  /** The cache's queue bounds, for the system backend's queue. */
  queue: { maxQueued?: number | undefined; queueTimeout?: number | undefined; maxEntries?: number | undefined };
}

/** Reads the routing configuration (the /etc/resolver files once; nsswitch.conf on use). */
export async function createRouting(s: RoutingSetup): Promise<Routing> {
  const o = s.options;
  const backend = o.backend ?? 'auto';
  const resolverDir = pathOption(o.resolverDir, s.files.resolverDir);
  const splitDomains = backend === 'system' || resolverDir === undefined ? [] : await loadResolverDir(resolverDir);
  const nsswitch = pathOption(o.nsswitch, s.files.nsswitch);
  const clock = s.clock ? { clock: s.clock } : {};
  const router = async (nameservers: readonly ServerAddress[]): Promise<HostRouter> => {
    const router = new HostRouter({
      backend,
      platform: s.platform,
      serversGiven: s.serversGiven,
      nsswitch: nsswitch === undefined || backend !== 'auto' ? undefined : new NsswitchFile({ path: nsswitch, ...clock }),
      resolvedStub: nameservers.length > 0 && nameservers.every((server) => RESOLVED_STUBS.has(server.address)),
      splitDomains: new Map(splitDomains.map((split) => [split.domain, split])),
      clock: s.clock ?? systemClock,
    });
    await router.start();
    return router;
  };
  const system = new SystemBackend({ lookup: o.systemLookup, clock: s.clock, ttl: o.systemTtl, ...s.queue });
  return { system, splitDomains: splitDomains.filter((split) => !split.unsupported), router };
}

/** An option's path, the platform's when unset, none when `false`. */
function pathOption(value: string | false | undefined, platformDefault: string | undefined): string | undefined {
  return value === false ? undefined : (value ?? platformDefault);
}
