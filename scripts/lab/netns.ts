/**
 * The network lab's life cycle (root only): namespaces `<id>-client` and `<id>-server`
 * joined by the user-space relay (relay.py, two TUN devices), knotd and an HTTP/HTTPS
 * server in the server namespace, and a resolv.conf for the client namespace that
 * `ip netns exec` bind-mounts over /etc/resolv.conf. The root namespace's routes and
 * resolv.conf are never touched. `labDown` removes everything, also after a crash:
 * it finds the lab by its names, not by what the crashed process remembered.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { knotdPath } from '../harness/knot.js';
import { labZoneText, writeKnotConfig } from './knot-config.js';
import { relayControl } from './relay-control.js';

export const LAB = {
  client: { v4: '198.18.0.2', v6: '2001:db8::2' },
  server: { v4: '198.18.1.2', v6: '2001:db8:1::2' },
  zone: 'he.test',
  /** Names here also have an HTTPS record with hints (the test certificate covers *.example.test). */
  httpsZone: 'example.test',
  ports: { http: 80, https: 443 },
  /** glibc resolv.conf(5) per-try seconds and tries; our Resolver gets the same. */
  dns: { timeoutSeconds: 2, attempts: 2 },
} as const;

export interface LabNames {
  id: string;
  clientNs: string;
  serverNs: string;
  clientDev: string;
  serverDev: string;
  stateDir: string;
}

export interface LabState {
  relayPid?: number;
  relayPort?: number;
  knotPid?: number;
  serverPid?: number;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The TypeScript source dir (relay.py and peer.py are not compiled). */
export const sourceDir = join(here, '..', '..', '..', 'scripts', 'lab');
export const fixturesDir = join(here, '..', '..', '..', 'fixtures');

export function labNames(id = 'he'): LabNames {
  // Interface names have at most 15 characters; namespaces are files under /run/netns.
  if (!/^[a-z][a-z0-9]{0,9}$/.test(id)) throw new Error(`lab id must be 1–10 lowercase letters or digits, got ${JSON.stringify(id)}`);
  return { id, clientNs: `${id}-client`, serverNs: `${id}-server`, clientDev: `${id}-c`, serverDev: `${id}-s`, stateDir: `/run/${id}-lab` };
}

/** python3 for the relay and the Python peer: Debian's own when present. */
export function python3(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Why the lab cannot run here, or undefined. */
export function labUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, /dev/net/tun)';
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing';
  if (!existsSync('/proc/sys/net/ipv6')) return 'IPv6 is disabled in this kernel';
  if (!knotdPath()) return 'knotd is not installed (Debian package "knot")';
  for (const [cmd, pkg] of [
    ['ip', 'iproute2'],
    [python3(), 'python3'],
    ['curl', 'curl'],
  ] as const) {
    const probe = spawnSync(cmd, ['-V'], { stdio: 'ignore', timeout: 5000 });
    if (probe.error) return `${cmd} is not installed (Debian package "${pkg}")`;
  }
  return undefined;
}

/** Runs a command, bounded; throws with its stderr when it fails. */
export function run(cmd: string, args: string[], timeoutMs = 10_000): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.error?.message ?? r.stderr.trim() ?? `exit ${r.status}`}`);
  return r.stdout;
}

const tryRun = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;

export function readState(n: LabNames): LabState {
  try {
    return JSON.parse(readFileSync(join(n.stateDir, 'state.json'), 'utf8')) as LabState;
  } catch {
    return {};
  }
}

function saveState(n: LabNames, patch: LabState): void {
  writeFileSync(join(n.stateDir, 'state.json'), JSON.stringify({ ...readState(n), ...patch }));
}

/** Starts a long-lived process, detached, output to a log file in the state dir; returns its pid. */
function daemon(n: LabNames, log: string, cmd: string, args: string[]): number {
  const fd = openSync(join(n.stateDir, log), 'a');
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
    if (child.pid === undefined) throw new Error(`${cmd} did not start`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

const sleepSync = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
export const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

async function waitFor(what: string, ready: () => boolean, pid: number, n: LabNames, log: string, boundMs: number): Promise<void> {
  const end = Date.now() + boundMs;
  while (!ready()) {
    const tail = (): string => readFileSync(join(n.stateDir, log), 'utf8').trim().split('\n').slice(-5).join(' | ');
    if (!alive(pid)) throw new Error(`${what} exited: ${tail()}`);
    if (Date.now() > end) throw new Error(`${what} not ready within ${boundMs} ms: ${tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function addressPath(n: LabNames): void {
  const side = (ns: string, dev: string, self: { v4: string; v6: string }, peer: { v4: string; v6: string }): void => {
    run('ip', ['-n', ns, 'addr', 'add', `${self.v4}/32`, 'dev', dev]);
    // nodad: no Duplicate Address Detection wait; a TUN device has no neighbours to ask.
    run('ip', ['-n', ns, 'addr', 'add', `${self.v6}/128`, 'dev', dev, 'nodad']);
    run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    run('ip', ['-n', ns, 'route', 'add', `${peer.v4}/32`, 'dev', dev]);
    run('ip', ['-n', ns, 'route', 'add', `${peer.v6}/128`, 'dev', dev]);
  };
  side(n.clientNs, n.clientDev, LAB.client, LAB.server);
  side(n.serverNs, n.serverDev, LAB.server, LAB.client);
}

/** resolv.conf and hosts for the client namespace (ip-netns(8) bind-mounts /etc/netns/NS/*). */
export function resolvConfText(): string {
  return `nameserver ${LAB.server.v4}\noptions timeout:${LAB.dns.timeoutSeconds} attempts:${LAB.dns.attempts}\n`;
}

/** What the client namespace's /etc/nsswitch.conf says for hosts: nothing but files and DNS. */
export const NSSWITCH_HOSTS = 'hosts: files dns';

/**
 * The client namespace's view of /etc: the lab's resolv.conf, a hosts file that knows only
 * localhost, nsswitch.conf with `hosts: files dns` (an NSS module such as systemd's
 * `resolve` would reach the machine's resolver through a Unix socket, outside the
 * namespace) and an empty gai.conf (glibc's default RFC 6724 table). ip-netns(8) can
 * only mount over files that exist, so gai.conf is left alone where there is none.
 */
function writeEtc(n: LabNames): void {
  const dir = writeNamespaceEtc(n.clientNs, resolvConfText());
  if (existsSync('/etc/gai.conf')) writeFileSync(join(dir, 'gai.conf'), '# empty: glibc uses its RFC 6724 defaults\n');
}

/**
 * A namespace's /etc as `ip netns exec` shows it: `resolvConf`, a hosts file that knows
 * only localhost, and the machine's nsswitch.conf with its hosts line replaced by
 * NSSWITCH_HOSTS. Returns the directory (for more files).
 */
export function writeNamespaceEtc(namespace: string, resolvConf: string): string {
  const dir = `/etc/netns/${namespace}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'resolv.conf'), resolvConf);
  writeFileSync(join(dir, 'hosts'), '127.0.0.1 localhost\n::1 localhost\n');
  const nsswitch = existsSync('/etc/nsswitch.conf') ? readFileSync('/etc/nsswitch.conf', 'utf8') : '';
  writeFileSync(
    join(dir, 'nsswitch.conf'),
    `${nsswitch
      .split('\n')
      .filter((l) => !/^\s*hosts\s*:/.test(l))
      .join('\n')
      .trimEnd()}\n${NSSWITCH_HOSTS}\n`,
  );
  return dir;
}

/**
 * Brings the lab up with every path healthy (no delay). A lab left by a crash under the
 * same id is taken down first. On any failure everything started so far is removed.
 */
export async function labUp(id = 'he'): Promise<{ names: LabNames; state: LabState }> {
  const unavailable = labUnavailable();
  if (unavailable) throw new Error(`the lab cannot run here: ${unavailable}`);
  const n = labNames(id);
  if (labLeftovers(id).length > 0) labDown(id);
  try {
    mkdirSync(n.stateDir, { recursive: true });
    for (const ns of [n.clientNs, n.serverNs]) {
      run('ip', ['netns', 'add', ns]);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    writeEtc(n);
    const ready = join(n.stateDir, 'relay.json');
    const relayPid = daemon(n, 'relay.log', python3(), [
      join(sourceDir, 'relay.py'),
      '--client-dev',
      n.clientDev,
      '--client-ns',
      n.clientNs,
      '--server-dev',
      n.serverDev,
      '--server-ns',
      n.serverNs,
      '--ready',
      ready,
    ]);
    saveState(n, { relayPid });
    await waitFor('relay', () => existsSync(ready), relayPid, n, 'relay.log', 5000);
    const relayPort = (JSON.parse(readFileSync(ready, 'utf8')) as { port: number }).port;
    saveState(n, { relayPort });
    addressPath(n);
    const knotDir = join(n.stateDir, 'knot');
    const httpsZone = { origin: LAB.httpsZone, text: labZoneText(LAB.httpsZone, LAB.server, true) };
    writeKnotConfig(knotDir, [`${LAB.server.v4}@53`, `${LAB.server.v6}@53`], LAB.zone, labZoneText(LAB.zone, LAB.server), [httpsZone]);
    const knotPid = daemon(n, 'knot.log', 'ip', ['netns', 'exec', n.serverNs, knotdPath()!, '-c', join(knotDir, 'knot.conf')]);
    saveState(n, { knotPid });
    const serverPid = daemon(n, 'server.log', 'ip', ['netns', 'exec', n.serverNs, process.execPath, join(here, 'server.js'), join(fixturesDir, 'tls')]);
    saveState(n, { serverPid });
    await relayControl(relayPort, { cmd: 'set' });
    await waitForPath(n);
    return { names: n, state: readState(n) };
  } catch (err) {
    labDown(id);
    throw err;
  }
}

/** Until DNS and both ports answer over both families from the client namespace. */
async function waitForPath(n: LabNames): Promise<void> {
  const check = spawnSync('ip', ['netns', 'exec', n.clientNs, process.execPath, join(here, 'peers.js'), '--check'], { encoding: 'utf8', timeout: 20_000 });
  if (check.status !== 0) throw new Error(`lab path check failed: ${(check.stderr || check.stdout || String(check.error)).trim()}`);
}

export const netnsList = (): string[] =>
  run('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter(Boolean);
const linkExists = (dev: string): boolean => tryRun('ip', ['link', 'show', 'dev', dev]);

/** Pids of relays of this lab, found by their exact arguments (also those a crash left without state). */
function relayPids(n: LabNames): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    if (argv.some((a) => a.endsWith('/relay.py')) && argv[argv.indexOf('--client-ns') + 1] === n.clientNs) pids.push(Number(entry));
  }
  return pids.filter(alive);
}

export function pidsIn(ns: string): number[] {
  return run('ip', ['netns', 'pids', ns]).split('\n').filter(Boolean).map(Number);
}

/** SIGTERM, then SIGKILL after `graceMs` for what is still there. */
export function stop(pids: number[], graceMs = 2000): void {
  for (const pid of pids) tryKill(pid, 'SIGTERM');
  const end = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < end) sleepSync(20);
  for (const pid of pids.filter(alive)) tryKill(pid, 'SIGKILL');
  const hard = Date.now() + 2000;
  while (pids.some(alive) && Date.now() < hard) sleepSync(20);
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** What of lab `id` exists now: namespaces, devices, relay processes, files. Empty when clean. */
export function labLeftovers(id = 'he'): string[] {
  const n = labNames(id);
  const out: string[] = [];
  const spaces = netnsList();
  for (const ns of [n.clientNs, n.serverNs]) if (spaces.includes(ns)) out.push(`namespace ${ns}`);
  for (const dev of [n.clientDev, n.serverDev]) if (linkExists(dev)) out.push(`device ${dev} (root namespace)`);
  for (const pid of relayPids(n)) out.push(`relay process ${pid}`);
  for (const path of [`/etc/netns/${n.clientNs}`, `/etc/netns/${n.serverNs}`, n.stateDir]) if (existsSync(path)) out.push(`path ${path}`);
  return out;
}

/** Removes lab `id` entirely; safe to call any time, also twice. Synchronous (usable on exit). Returns what it removed. */
export function labDown(id = 'he'): string[] {
  const n = labNames(id);
  const before = labLeftovers(id);
  const spaces = netnsList();
  // Everything running inside the namespaces is the lab's: knotd, the server, peers.
  for (const ns of [n.clientNs, n.serverNs]) if (spaces.includes(ns)) stop(pidsIn(ns));
  // The TUN devices end with the relay (they are not persistent).
  stop(relayPids(n));
  for (const ns of [n.clientNs, n.serverNs]) if (spaces.includes(ns)) tryRun('ip', ['netns', 'del', ns]);
  for (const dev of [n.clientDev, n.serverDev]) if (linkExists(dev)) tryRun('ip', ['link', 'del', dev]);
  for (const ns of [n.clientNs, n.serverNs]) rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
  try {
    rmdirSync('/etc/netns'); // only when empty: other namespaces may keep files there
  } catch {
    // not empty or not there
  }
  rmSync(n.stateDir, { recursive: true, force: true });
  return before;
}
