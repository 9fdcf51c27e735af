/**
 * The routing decision kept current: the plan (route.ts) is rebuilt when nsswitch.conf
 * or mdns.allow changes (checked at most once a second, on use) or the host name does
 * (read at most once a second), so a changed configuration takes effect without a
 * restart, as it does for getaddrinfo. The checks run on the asynchronous path only:
 * the warm path (`peek`, a fresh cached answer) reads no clock (a clock read costs as
 * much as the rest of a cached lookup on some machines), so a name answered from the
 * cache keeps its route until its entry expires.
 */
import { hostname as osHostname } from 'node:os';
import type { Clock } from '../clock.js';
import { canonicalName } from '../dns/name.js';
import type { NsswitchFile, NssHosts } from './nsswitch.js';
import { hostRoute, planRoutes, type Route, type RouteConfig, type RoutePlan } from './route.js';

export interface HostRouterOptions extends Omit<RouteConfig, 'nss' | 'hostname'> {
  /** `undefined`: nsswitch.conf is not consulted. */
  nsswitch: NsswitchFile | undefined;
  clock: Pick<Clock, 'now'>;
  /** @default os.hostname */
  hostname?: (() => string) | undefined;
}

/** How long a host name read stays current, ms. */
const HOSTNAME_INTERVAL = 1000;

export class HostRouter {
  readonly #o: HostRouterOptions;
  readonly #hostname: () => string;
  #plan: RoutePlan;
  #nss: NssHosts | undefined;
  #hostnameAt = -Infinity;
  /** A `route` has settled: the plan follows the configuration. */
  #checked = false;

  constructor(options: HostRouterOptions) {
    this.#o = options;
    this.#hostname = options.hostname ?? osHostname;
    this.#plan = this.#build(undefined, '');
  }

  /** The route of `name` (a valid host name), after a check of the configuration when one is due. */
  async route(name: string): Promise<Route> {
    const file = this.#o.nsswitch;
    const nss = file ? await file.read() : undefined;
    const plan = this.#current(nss);
    this.#checked = true;
    return hostRoute(plan, name);
  }

  /** The route by the plan as last checked; `null` before the first `route`. */
  peek(name: string): Route | null {
    return this.#checked ? hostRoute(this.#plan, name) : null;
  }

  #current(nss: NssHosts | undefined): RoutePlan {
    const now = this.#o.clock.now();
    if (nss === this.#nss && now - this.#hostnameAt < HOSTNAME_INTERVAL) return this.#plan;
    this.#hostnameAt = now;
    const hostname = canonicalName(this.#hostname());
    if (nss !== this.#nss || hostname !== this.#plan.config.hostname) this.#plan = this.#build(nss, hostname);
    this.#nss = nss;
    return this.#plan;
  }

  #build(nss: NssHosts | undefined, hostname: string): RoutePlan {
    const { nsswitch: _file, clock: _clock, hostname: _read, ...config } = this.#o;
    return planRoutes({ ...config, nss, hostname });
  }
}
