/**
 * The system's resolver configuration read once: resolv.conf (with LOCALDOMAIN/RES_OPTIONS,
 * as glibc) and the hosts file's path. The Resolver itself follows both as they change
 * (watched-file.ts, hosts-file.ts); `checkSource` is the check of its path options.
 */
import { InvalidArgumentError } from '../errors.js';
import { defaultResolvConf, loadResolvConf, type ResolvConf } from './resolv-conf.js';

export interface SystemConfigOptions {
  /** Path of resolv.conf, or `false` for none (glibc defaults, environment ignored). @default '/etc/resolv.conf' */
  resolvConf?: string | false | undefined;
  /** Path of the hosts file, or `false` for none. @default '/etc/hosts' */
  hosts?: string | false | undefined;
}

export interface SystemConfig {
  resolvConf: ResolvConf;
  /** `undefined` when the hosts file is switched off. */
  hostsPath: string | undefined;
}

export async function loadSystemConfig(options: SystemConfigOptions = {}): Promise<SystemConfig> {
  const { resolvConf = '/etc/resolv.conf', hosts = '/etc/hosts' } = options;
  checkSource('resolvConf', resolvConf);
  checkSource('hosts', hosts);
  return {
    resolvConf: resolvConf === false ? defaultResolvConf() : await loadResolvConf(resolvConf),
    hostsPath: hosts === false ? undefined : hosts,
  };
}

/** A file path, or `false` for none. */
export function checkSource(option: string, value: unknown): void {
  if (value !== false && (typeof value !== 'string' || value === '')) {
    throw new InvalidArgumentError(option, value, 'a file path or false');
  }
}
