/**
 * getaddrinfo pointed at a loopback DNS server, never at the machine's nameserver
 * (/work/shared/LAB.md): the lab process runs a FakeDnsServer on 127.0.0.x:53 and
 * writes a resolv.conf naming it; the client process runs in a private mount namespace
 * with that file bind-mounted over /etc/resolv.conf, and checks the file before its
 * first lookup (`assertOwnResolvConf`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeDnsServer } from '../../lib/lab/dns-server.js';
import type { Zone } from '../../lib/lab/dns-zone.js';

/** getaddrinfo asks port 53 only; these loopback addresses are tried in turn (127.0.0.1 is often taken). */
const DNS_HOSTS = ['127.0.0.153', '127.0.0.154', '127.0.0.155', '127.0.0.156', '127.0.0.157', '127.0.0.158'];

export interface NamespaceDns<S extends { close(): Promise<void> } = FakeDnsServer> {
  server: S;
  /** `127.0.0.x:53`, as Resolver `servers` take it. */
  nameserver: string;
  resolvConfPath: string;
  /** The exact text the client must find in /etc/resolv.conf. */
  resolvConfText: string;
  close(): Promise<void>;
}

/**
 * Starts a DNS server (the lab's FakeDnsServer unless `start` is given) on the first free
 * 127.0.0.x:53 and writes its resolv.conf. `timeout`/`attempts` are glibc's per-query
 * seconds and tries (resolv.conf(5)).
 */
export async function startNamespaceDns<S extends { close(): Promise<void> } = FakeDnsServer>(
  zones: Zone[],
  glibc: { timeout: number; attempts: number },
  start: (options: { host: string; port: number; zones: Zone[] }) => Promise<S> = FakeDnsServer.start as never,
): Promise<NamespaceDns<S>> {
  let lastError: unknown;
  for (const host of DNS_HOSTS) {
    let server: S;
    try {
      server = await start({ zones, host, port: 53 });
    } catch (err) {
      lastError = err;
      continue;
    }
    const dir = mkdtempSync(join(tmpdir(), 'he-bench-ns-'));
    const resolvConfPath = join(dir, 'resolv.conf');
    // No search/domain line: names are asked as given. glibc's own defaults otherwise.
    const resolvConfText = `nameserver ${host}\noptions timeout:${glibc.timeout} attempts:${glibc.attempts}\n`;
    writeFileSync(resolvConfPath, resolvConfText);
    return {
      server,
      nameserver: `${host}:53`,
      resolvConfPath,
      resolvConfText,
      close: async () => {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  throw new Error(`no free 127.0.0.x:53 for the fake DNS server: ${String(lastError)}`);
}

/** Why getaddrinfo cannot be pointed at the fake server here, or undefined when it can. */
export function namespaceUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (a private mount namespace)';
  const probe = spawnSync('unshare', ['--mount', 'true'], { timeout: 5000, stdio: 'ignore' });
  if (probe.error) return `unshare failed: ${probe.error.message}`;
  if (probe.status !== 0) return `unshare --mount exited with ${probe.status}`;
  return undefined;
}

/** The command that runs `argv` with `resolvConfPath` mounted over /etc/resolv.conf, in its own mount namespace only. */
export function inNamespace(resolvConfPath: string, argv: string[]): { command: string; args: string[] } {
  // `exec` keeps one process: the pid the parent holds is node's own.
  const script = 'mount --bind "$0" /etc/resolv.conf && exec "$@"';
  return { command: 'unshare', args: ['--mount', 'sh', '-c', script, resolvConfPath, ...argv] };
}

/**
 * Client side, before any Node-core lookup: /etc/resolv.conf must be exactly ours and
 * name only loopback servers, and /etc/hosts must not know the benchmark's zone.
 * Throws (the process ends) otherwise: no query may reach the machine's nameserver.
 */
export function assertOwnResolvConf(expected: string, zone: string): void {
  const actual = readFileSync('/etc/resolv.conf', 'utf8');
  if (actual !== expected) throw new Error(`/etc/resolv.conf is not the benchmark's (got ${JSON.stringify(actual)}); refusing to call getaddrinfo`);
  const servers = actual.split('\n').filter((line) => /^\s*nameserver\b/.test(line));
  if (servers.length === 0 || !servers.every((line) => /^\s*nameserver\s+127\.\d+\.\d+\.\d+\s*$/.test(line))) {
    throw new Error(`/etc/resolv.conf names a server outside 127.0.0.0/8: ${JSON.stringify(actual)}`);
  }
  const hosts = readFileSync('/etc/hosts', 'utf8').toLowerCase();
  if (hosts.includes(zone.toLowerCase())) throw new Error(`/etc/hosts mentions ${zone}: the benchmark would not measure DNS`);
}

/** A zone with the usual SOA for the benchmarks' names. */
export function benchZone(origin: string, records: Zone['records'], ttl = 60): Zone {
  const soa = { mname: `ns.${origin}`, rname: `hostmaster.${origin}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: ttl };
  return { origin, ttl, soa, records };
}
