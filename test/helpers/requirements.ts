/**
 * What some tests need beyond `npm ci`: real servers and tools from Debian, and root for
 * namespaces. On a machine without one, the tests that need it are skipped with a short
 * reason, and `test/requirements.test.ts` says once what is missing and how to get it.
 * `.ci/run` installs everything and sets HE_REQUIRE_ALL=1: then a missing requirement is
 * a failure, so CI can never pass by skipping.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Requirement {
  /** What is needed, as a person would name it. */
  what: string;
  /** How to get it on Debian. */
  install: string;
  /** True when it is here. */
  present(): boolean;
}

/** Directories searched for programs: PATH, then the sbin directories PATH often lacks. */
function searchDirs(): string[] {
  return [...String(process.env.PATH).split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
}

/** Absolute path of a program, or undefined when it is not installed. */
export function findProgram(name: string, dirs = searchDirs()): string | undefined {
  return dirs.map((dir) => join(dir, name)).find((path) => path.startsWith('/') && existsSync(path));
}

const program = (name: string, pkg: string): Requirement => ({
  what: `${name} (Debian package "${pkg}")`,
  install: `apt-get install ${pkg}`,
  present: () => findProgram(name) !== undefined,
});

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
