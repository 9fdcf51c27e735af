/**
 * Where each platform keeps what the resolver reads. Linux (and every other Unix) has
 * resolv.conf, the hosts file and nsswitch.conf; macOS has resolv.conf (written by
 * configd for the primary service) plus /etc/resolver (resolver(5)); Windows and Android
 * have no resolv.conf: their DNS servers come from `dns.getServers()` (c-ares reads the
 * registry's adapter settings, or Android's system properties).
 */
import { win32 } from 'node:path';
import type { DnsServer } from '../dns/types.js';
import { oneOf } from '../options.js';
import type { Platform } from './route.js';
import { parseServerEntry } from './server-address.js';
import { nodeDns } from './lazy-builtins.js';

const PLATFORMS: readonly Platform[] = ['linux', 'darwin', 'win32', 'android'];

export interface PlatformFiles {
  /** `undefined`: the platform has none. */
  resolvConf: string | undefined;
  hosts: string;
  nsswitch: string | undefined;
  resolverDir: string | undefined;
}

/** `process.platform` as a Platform: every Unix but macOS and Android reads files as Linux does. */
export function currentPlatform(platform: NodeJS.Platform = process.platform): Platform {
  return platform === 'darwin' || platform === 'win32' || platform === 'android' ? platform : 'linux';
}

export function checkPlatform(value: unknown): Platform {
  return oneOf('platform', value, PLATFORMS);
}

/** The configuration files of `platform`; Windows' hosts file is under %SystemRoot%. */
export function platformFiles(platform: Platform, env: Readonly<Record<string, string | undefined>> = process.env): PlatformFiles {
  if (platform === 'win32') {
    const root = env['SystemRoot'] ?? env['SYSTEMROOT'] ?? 'C:\\Windows';
    return { resolvConf: undefined, hosts: win32.join(root, 'System32', 'drivers', 'etc', 'hosts'), nsswitch: undefined, resolverDir: undefined };
  }
  if (platform === 'android') return { resolvConf: undefined, hosts: '/system/etc/hosts', nsswitch: undefined, resolverDir: undefined };
  if (platform === 'darwin') return { resolvConf: '/etc/resolv.conf', hosts: '/etc/hosts', nsswitch: undefined, resolverDir: '/etc/resolver' };
  return { resolvConf: '/etc/resolv.conf', hosts: '/etc/hosts', nsswitch: '/etc/nsswitch.conf', resolverDir: undefined };
}

/**
 * The servers c-ares found for this process (`dns.getServers()`: `'ip'`, `'ip:port'`,
 * `'[v6]:port'`), read through the module object so a `dns.setServers()` of the
 * application counts; entries it cannot give as an address are skipped.
 */
export function systemServers(list: () => string[] = () => nodeDns().getServers()): DnsServer[] {
  const servers: DnsServer[] = [];
  for (const entry of list()) {
    try {
      servers.push(parseServerEntry(entry, 'dns.getServers()'));
    } catch {
      // e.g. a scope id c-ares prints in a form we do not take: that server is skipped
    }
  }
  return servers;
}
