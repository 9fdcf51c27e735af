/** What the DoT and DoH upstreams of one client share (encrypted.ts makes them). */
import type { Clock } from '../clock.js';
import type { ClientStats } from './client-stats.js';
import type { EncryptedConfig } from './encrypted-options.js';

/** Resolves a DoH server's host name, never through a DoH server (see resolver.ts). */
export type Bootstrap = (hostname: string) => Promise<string[]>;

/** What every DoT and DoH upstream of a client shares. */
export interface EncryptedContext {
  config: EncryptedConfig;
  clock: Clock;
  stats: ClientStats;
  bootstrap: Bootstrap | undefined;
}
