/**
 * The NAT64 lab's life cycle (root only): three namespaces joined by veth pairs created
 * inside them (no device ever exists in the root namespace):
 *
 *   <id>-n64c  IPv6 only: 2001:db8:6::2/64, default route to the gateway; /etc/resolv.conf
 *              (bind-mounted by `ip netns exec`) names unbound, so getaddrinfo gets DNS64
 *   <id>-n64g  the gateway: IPv6 2001:db8:6::1 to the client, IPv4 198.18.64.1 to the
 *              server, tayga (NAT64 for 2001:db8:64::/96) and unbound (DNS64) on 2001:db8:6::1;
 *              2001:db8:dead::/48 black-holed (the broken AAAA's address)
 *   <id>-n64s  IPv4 only: 198.18.64.2/24, knotd (the lab zone and ipv4only.arpa) and the
 *              lab's web server (scripts/lab/server.ts, port 80)
 *
 * `nat64Down` removes everything, also after a crash: it finds the lab by its names.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { knotdPath } from '../harness/knot.js';
import { findProgram } from '../harness/find-program.js';
import { NAT64_LAB, writeKnot, writeTayga, writeUnbound } from './nat64-config.js';
import { alive, fixturesDir, netnsList, pidsIn, run, stop, writeNamespaceEtc } from './netns.js';

export interface Nat64Names {
  id: string;
  clientNs: string;
  gatewayNs: string;
  serverNs: string;
  stateDir: string;
}

/** Devices, inside the namespaces (names need only be unique there). */
const DEV = { client: 'c0', gatewayClient: 'g0', gatewayServer: 'g1', server: 's0', nat64: 'nat64' } as const;

const here = dirname(fileURLToPath(import.meta.url));

export function nat64Names(id = 'n64'): Nat64Names {
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(id)) throw new Error(`lab id must be 1–16 lowercase letters, digits or '-', got ${JSON.stringify(id)}`);
  return { id, clientNs: `${id}-n64c`, gatewayNs: `${id}-n64g`, serverNs: `${id}-n64s`, stateDir: `/run/${id}-n64lab` };
}

/** Why the lab cannot run here, or undefined. */
export function nat64Unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  if (!existsSync('/proc/sys/net/ipv6')) return 'IPv6 is disabled in this kernel';
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing (tayga needs it)';
  for (const [name, pkg] of [
    ['tayga', 'tayga'],
    ['unbound', 'unbound'],
    ['knotd', 'knot'],
    ['ip', 'iproute2'],
    ['curl', 'curl'],
    ['python3', 'python3'],
  ] as const) {
    if (findProgram(name) === undefined) return `${name} is not installed (Debian package "${pkg}")`;
  }
  return undefined;
}

const inNs = (ns: string, ...args: string[]): string => run('ip', ['-n', ns, ...args]);

/** Starts `cmd` inside `ns`, detached, output to `log` in the state dir; returns its pid. */
function daemon(n: Nat64Names, ns: string, log: string, cmd: string, args: string[]): number {
  const fd = openSync(join(n.stateDir, log), 'a');
  try {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
    if (child.pid === undefined) throw new Error(`${cmd} did not start`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

function links(n: Nat64Names): void {
  const { client, gateway, server } = NAT64_LAB;
  run('ip', ['link', 'add', DEV.client, 'netns', n.clientNs, 'type', 'veth', 'peer', 'name', DEV.gatewayClient, 'netns', n.gatewayNs]);
  run('ip', ['link', 'add', DEV.gatewayServer, 'netns', n.gatewayNs, 'type', 'veth', 'peer', 'name', DEV.server, 'netns', n.serverNs]);
  // nodad: no Duplicate Address Detection wait before the addresses can be used.
  inNs(n.clientNs, 'addr', 'add', `${client.v6}/64`, 'dev', DEV.client, 'nodad');
  inNs(n.clientNs, 'link', 'set', DEV.client, 'up');
  inNs(n.clientNs, '-6', 'route', 'add', 'default', 'via', gateway.v6);
  inNs(n.gatewayNs, 'addr', 'add', `${gateway.v6}/64`, 'dev', DEV.gatewayClient, 'nodad');
  inNs(n.gatewayNs, 'link', 'set', DEV.gatewayClient, 'up');
  inNs(n.gatewayNs, 'addr', 'add', `${gateway.v4}/24`, 'dev', DEV.gatewayServer);
  inNs(n.gatewayNs, 'link', 'set', DEV.gatewayServer, 'up');
  inNs(n.serverNs, 'addr', 'add', `${server.v4}/24`, 'dev', DEV.server);
  inNs(n.serverNs, 'link', 'set', DEV.server, 'up');
  inNs(n.serverNs, 'route', 'add', 'default', 'via', gateway.v4);
  run('ip', ['netns', 'exec', n.gatewayNs, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
  // The broken AAAA's address: SYNs to it vanish at the gateway (no ICMP).
  inNs(n.gatewayNs, '-6', 'route', 'add', 'blackhole', '2001:db8:dead::/48');
}

/** tayga's TUN device, configured before tayga runs on it (tayga(8): --mktun, then routes). */
function nat64Device(n: Nat64Names, taygaConf: string): void {
  run('ip', ['netns', 'exec', n.gatewayNs, findProgram('tayga')!, '-c', taygaConf, '--mktun']);
  inNs(n.gatewayNs, 'link', 'set', DEV.nat64, 'up');
  inNs(n.gatewayNs, 'addr', 'add', NAT64_LAB.gateway.v4, 'dev', DEV.nat64);
  inNs(n.gatewayNs, 'addr', 'add', NAT64_LAB.gateway.v6, 'dev', DEV.nat64, 'nodad');
  inNs(n.gatewayNs, 'route', 'add', NAT64_LAB.tayga.pool, 'dev', DEV.nat64);
  inNs(n.gatewayNs, '-6', 'route', 'add', NAT64_LAB.prefix, 'dev', DEV.nat64);
}

/** The client's /etc as `ip netns exec` shows it: unbound as resolver, hosts without the lab zone, NSS files and DNS only. */
function writeEtc(n: Nat64Names): void {
  writeNamespaceEtc(n.clientNs, nat64ResolvConf());
}

export const nat64ResolvConf = (): string => `nameserver ${NAT64_LAB.gateway.v6}\noptions timeout:2 attempts:2\n`;

/** Brings the lab up; a lab left by a crash under the same id is removed first; on failure everything is removed. */
export async function nat64Up(id = 'n64'): Promise<Nat64Names> {
  const unavailable = nat64Unavailable();
  if (unavailable) throw new Error(`the NAT64 lab cannot run here: ${unavailable}`);
  const n = nat64Names(id);
  if (nat64Leftovers(id).length > 0) nat64Down(id);
  try {
    mkdirSync(n.stateDir, { recursive: true });
    for (const ns of [n.clientNs, n.gatewayNs, n.serverNs]) {
      run('ip', ['netns', 'add', ns]);
      inNs(ns, 'link', 'set', 'lo', 'up');
    }
    links(n);
    writeEtc(n);
    const taygaConf = writeTayga(join(n.stateDir, 'tayga'), DEV.nat64);
    nat64Device(n, taygaConf);
    daemon(n, n.gatewayNs, 'tayga.log', findProgram('tayga')!, ['-c', taygaConf, '-d']);
    daemon(n, n.serverNs, 'knot.log', knotdPath()!, ['-c', writeKnot(join(n.stateDir, 'knot'))]);
    daemon(n, n.serverNs, 'server.log', process.execPath, [join(here, 'server.js'), join(fixturesDir, 'tls')]);
    daemon(n, n.gatewayNs, 'unbound.log', findProgram('unbound')!, ['-d', '-c', writeUnbound(join(n.stateDir, 'unbound'))]);
    waitForPath(n);
    return n;
  } catch (err) {
    nat64Down(id);
    throw err;
  }
}

/** Until DNS64 answers and the server answers through tayga, seen from the client namespace. */
function waitForPath(n: Nat64Names): void {
  const check = spawnSync('ip', ['netns', 'exec', n.clientNs, process.execPath, join(here, 'nat64-peers.js'), '--check'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (check.status !== 0) {
    const logs = ['tayga.log', 'unbound.log', 'knot.log', 'server.log'].map((f) => `${f}: ${tail(join(n.stateDir, f))}`).join('\n');
    throw new Error(`NAT64 lab path check failed: ${(check.stderr || check.stdout || String(check.error)).trim()}\n${logs}`);
  }
}

const tail = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ') : '(none)');

/** What tayga did: packets through its device, and its dynamic map (client address → pool address). */
export interface TaygaEvidence {
  packets: { rx: number; tx: number };
  mappings: string[];
}

/**
 * Reads tayga's packet counters, then stops it (SIGTERM: it writes dynamic.map and exits)
 * and reads the map: the proof that the peers' connections went through the NAT64.
 */
export function stopTayga(n: Nat64Names): TaygaEvidence {
  const stats = JSON.parse(run('ip', ['-n', n.gatewayNs, '-s', '-j', 'link', 'show', DEV.nat64])) as Array<{
    stats64?: { rx?: { packets?: number }; tx?: { packets?: number } };
  }>;
  const packets = { rx: stats[0]?.stats64?.rx?.packets ?? 0, tx: stats[0]?.stats64?.tx?.packets ?? 0 };
  const tayga = pidsIn(n.gatewayNs).filter((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'tayga');
  stop(tayga);
  const file = join(n.stateDir, 'tayga', 'dynamic.map');
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  const mappings = lines
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.trim().split(/\s+/).slice(0, 2).reverse().join(' → '));
  return { packets, mappings };
}

/** What of lab `id` exists now. Empty when clean. */
export function nat64Leftovers(id = 'n64'): string[] {
  const n = nat64Names(id);
  const out: string[] = [];
  const spaces = netnsList();
  for (const ns of [n.clientNs, n.gatewayNs, n.serverNs]) if (spaces.includes(ns)) out.push(`namespace ${ns}`);
  for (const path of [`/etc/netns/${n.clientNs}`, n.stateDir]) if (existsSync(path)) out.push(`path ${path}`);
  return out;
}

/** Removes lab `id` entirely; safe any time, also twice. Synchronous (usable on exit). Returns what it removed. */
export function nat64Down(id = 'n64'): string[] {
  const n = nat64Names(id);
  const before = nat64Leftovers(id);
  const spaces = netnsList().filter((ns) => [n.clientNs, n.gatewayNs, n.serverNs].includes(ns));
  // Everything running inside the namespaces is the lab's: tayga, unbound, knotd, the server, peers.
  stop(spaces.flatMap(pidsIn).filter(alive));
  for (const ns of spaces) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 10_000 });
  rmSync(`/etc/netns/${n.clientNs}`, { recursive: true, force: true });
  try {
    rmdirSync('/etc/netns'); // only when empty: other namespaces may keep files there
  } catch {
    // not empty or not there
  }
  rmSync(n.stateDir, { recursive: true, force: true });
  return before;
}
