/**
 * The routing decision kept current: the plan (route.ts) is rebuilt when nsswitch.conf
 * or mdns.allow changes (checked at most once a second, on use) or the host name does
 * (read at most once a second), so a changed configuration takes effect without a
 * restart, as it does for getaddrinfo. `route` checks (one clock read, no promise while
 * nothing is due; the file's own interval decides whether it is stat-ed); the warm path (`peek`, a fresh cached answer) reads no clock at all (a
 * clock read costs as much as the rest of a cached lookup on some machines), so a name
 * answered from the cache keeps its route until its entry expires.
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

/** How long a plan stays current, ms: nsswitch.conf and the host name are checked at most this often. */
const CHECK_INTERVAL = 1000;

export class HostRouter {
  readonly #o: HostRouterOptions;
  readonly #hostname: () => string;
  #plan: RoutePlan;
  #nss: NssHosts | undefined;
  /** Clock ms until which the plan needs no check. */
  #validUntil = -Infinity;
  /** The check in progress: every route asked meanwhile waits for this one. */
  #checking: Promise<RoutePlan> | undefined;

  constructor(options: HostRouterOptions) {
    this.#o = options;
    this.#hostname = options.hostname ?? osHostname;
    this.#plan = this.#build(undefined, '');
  }

  /** Reads the configuration a first time (the Resolver does it as it loads). */
  async start(): Promise<void> {
    await this.#refresh();
  }

  /** The route of `name` (a valid host name); a promise only when a check of the configuration is due. */
  route(name: string): Route | Promise<Route> {
    if (this.#o.clock.now() < this.#validUntil) return hostRoute(this.#plan, name);
    return this.#refresh().then((plan) => hostRoute(plan, name));
  }

  /** The route by the plan as last checked (after `start`). */
  peek(name: string): Route {
    return hostRoute(this.#plan, name);
  }

  #refresh(): Promise<RoutePlan> {
    this.#checking ??= this.#check().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  /** Re-reads nsswitch.conf (when changed) and the host name; a new plan only when either changed. */
  async #check(): Promise<RoutePlan> {
    const file = this.#o.nsswitch;
    const nss = file ? await file.read() : undefined;
    const hostname = canonicalName(this.#hostname());
    if (nss !== this.#nss || hostname !== this.#plan.config.hostname) this.#plan = this.#build(nss, hostname);
    this.#nss = nss;
    this.#validUntil = this.#o.clock.now() + CHECK_INTERVAL;
    return this.#plan;
  }

  #build(nss: NssHosts | undefined, hostname: string): RoutePlan {
    const { nsswitch: _file, clock: _clock, hostname: _read, ...config } = this.#o;
    return planRoutes({ ...config, nss, hostname });
  }
}
