/**
 * What some tests need beyond `npm ci`: real servers and tools from Debian, and root for
 * namespaces. On a machine without one, the tests that need it are skipped with a short
 * reason, and `test/requirements.test.ts` says once what is missing and how to get it.
 * `.ci/run` installs everything and sets HE_REQUIRE_ALL=1: then a missing requirement is
 * a failure, so CI can never pass by skipping.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findProgram } from '../../scripts/harness/find-program.js';

export interface Requirement {
  /** What is needed, as a person would name it. */
  what: string;
  /** How to get it on Debian. */
  install: string;
  /** True when it is here. */
  present(): boolean;
}

/** Directories glibc loads NSS modules from (Debian multiarch first). */
function libraryDirs(): string[] {
  const multiarch = ['/usr/lib', '/lib']
    .filter((root) => existsSync(root))
    .flatMap((root) =>
      readdirSync(root)
        .filter((d) => /-linux-gnu/.test(d))
        .map((d) => join(root, d)),
    );
  return [...multiarch, '/usr/lib', '/lib', '/usr/lib64', '/lib64'];
}

/** A glibc NSS module (`libnss_<name>.so.2`) from a Debian package. */
const nssModule = (name: string, pkg: string): Requirement => ({
  what: `the NSS module ${name} (Debian package "${pkg}")`,
  install: `apt-get install ${pkg}`,
  present: () => libraryDirs().some((dir) => existsSync(join(dir, `libnss_${name}.so.2`))),
});

const program = (name: string, pkg: string): Requirement => ({
  what: `${name} (Debian package "${pkg}")`,
  install: `apt-get install ${pkg}`,
  present: () => findProgram(name) !== undefined,
});

/** The bin directory of the newest PostgreSQL server Debian installed (not on PATH), or undefined. */
export function postgresBinDir(root = '/usr/lib/postgresql'): string | undefined {
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest === undefined ? undefined : join(root, newest, 'bin');
}

export const requirements = {
  knot: program('knotd', 'knot'),
  kdig: program('kdig', 'knot-dnsutils'),
  dnsdist: program('dnsdist', 'dnsdist'),
  tayga: program('tayga', 'tayga'),
  unbound: program('unbound', 'unbound'),
  root: {
    what: 'root (network and mount namespaces)',
    install: 'run the tests as root (CI does)',
    present: () => process.getuid?.() === 0,
  },
  tun: {
    what: '/dev/net/tun (TUN devices for the network lab)',
    install: 'a kernel with TUN and /dev/net/tun in the container',
    present: () => existsSync('/dev/net/tun'),
  },
  ipv6: {
    what: 'IPv6 in the kernel',
    install: 'a kernel with IPv6 enabled',
    present: () => existsSync('/proc/sys/net/ipv6'),
  },
  iproute2: program('ip', 'iproute2'),
  python3: program('python3', 'python3'),
  curl: program('curl', 'curl'),
  redis: program('redis-server', 'redis-server'),
  postgres: {
    what: 'PostgreSQL server (Debian package "postgresql")',
    install: 'apt-get install postgresql',
    present: () => postgresBinDir() !== undefined,
  },
  nssMyhostname: nssModule('myhostname', 'libnss-myhostname'),
  nssMdns: nssModule('mdns4_minimal', 'libnss-mdns'),
  avahi: program('avahi-daemon', 'avahi-daemon'),
  unshare: {
    what: 'unshare and mount (Debian package "util-linux")',
    install: 'apt-get install util-linux',
    present: () => spawnSync('unshare', ['--version'], { stdio: 'ignore' }).status === 0,
  },
} satisfies Record<string, Requirement>;

export type RequirementId = keyof typeof requirements;

/** True when CI asked for every requirement to be met (HE_REQUIRE_ALL=1). */
export function requireAll(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.HE_REQUIRE_ALL === '1';
}

/**
 * For tap's `{ skip }`: false when every requirement is met, else a short reason naming
 * what is missing. Under HE_REQUIRE_ALL=1 a missing requirement throws instead, so the
 * test file fails and says what CI failed to install.
 */
export function unmet(ids: readonly RequirementId[], table: Record<string, Requirement> = requirements, env = process.env): string | false {
  const missing = ids.filter((id) => !table[id]!.present()).map((id) => table[id]!);
  if (missing.length === 0) return false;
  const list = missing.map((r) => r.what).join(', ');
  if (requireAll(env)) throw new Error(`HE_REQUIRE_ALL=1 but missing: ${list} (${missing.map((r) => r.install).join('; ')})`);
  return `needs ${list}; see test/requirements.test.ts`;
}
