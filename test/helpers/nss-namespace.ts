/**
 * getaddrinfo with real NSS modules, safely: nss-child.ts runs in new network, mount and
 * UTS namespaces (`unshare --net --mount --uts`, mounts private), where
 * - /etc/nsswitch.conf, /etc/resolv.conf (nameserver 127.0.0.1: the child's own fake DNS
 *   server, on the namespace's own loopback) and /etc/hosts are the test's, bind-mounted;
 * - the host name is `he-i14-host`, and a veth pair he0/he1 carries 198.18.0.2/24 and
 *   2001:db8:14::2/64 with default routes (so nss-myhostname has a `_gateway`);
 * - /run is a private tmpfs (avahi-daemon's socket lives there).
 * Nothing leaves the namespace; the real /etc and /run are never written. The child's
 * whole process group (avahi-daemon included) is killed at teardown.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';

export const NS_HOSTNAME = 'he-i14-host';

export interface NssRun {
  scenario: 'myhostname' | 'mdns' | 'connect';
  /** The `hosts:` line's sources. */
  hosts: string;
  /** Lines of avahi's static hosts file (mdns scenario). */
  avahiHosts?: string;
  /** Milliseconds before the run is killed. */
  timeoutMs: number;
}

const AVAHI_CONF = `[server]
use-ipv4=yes
use-ipv6=no
enable-dbus=no
allow-interfaces=he0
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
`;

export async function runNssChild(t: Test, run: NssRun): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'he-i14-ns-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const resolvConf = 'nameserver 127.0.0.1\noptions timeout:5 attempts:1\n';
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  file('nsswitch.conf', `hosts: ${run.hosts}\n`);
  file('resolv.conf', resolvConf);
  file('hosts', '127.0.0.1 localhost\n::1 localhost ip6-localhost\n');
  const avahiConf = file('avahi.conf', AVAHI_CONF);
  if (run.avahiHosts !== undefined) file('avahi-hosts', run.avahiHosts);
  const setup = [
    'set -e',
    'ip link set lo up',
    'ip link add he0 type veth peer name he1',
    'ip link set he1 up',
    'ip addr add 198.18.0.2/24 dev he0',
    'ip -6 addr add 2001:db8:14::2/64 dev he0 nodad',
    'ip link set he0 up',
    'ip route add default via 198.18.0.1',
    'ip -6 route add default via 2001:db8:14::1',
    `hostname ${NS_HOSTNAME}`,
    'mount -t tmpfs tmpfs /run',
    'mkdir -p /run/avahi-daemon',
    'mount --bind "$D/nsswitch.conf" /etc/nsswitch.conf',
    'mount --bind "$D/resolv.conf" /etc/resolv.conf',
    'mount --bind "$D/hosts" /etc/hosts',
    ...(run.avahiHosts !== undefined ? ['mount --bind "$D/avahi-hosts" /etc/avahi/hosts'] : []),
    'exec "$@"',
  ].join('\n');
  const child = fileURLToPath(new URL('./nss-child.js', import.meta.url));
  const proc = spawn('unshare', ['--net', '--mount', '--uts', '--propagation', 'private', 'sh', '-c', setup, 'sh', process.execPath, child], {
    env: { ...process.env, D: dir, HE_NSS_CHILD: JSON.stringify({ scenario: run.scenario, resolvConf, avahiConf }) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: avahi-daemon goes with it
  });
  const killGroup = (): void => {
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  t.teardown(killGroup);
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const timer = setTimeout(killGroup, run.timeoutMs);
  const code = await new Promise<number | null>((resolve) => proc.once('close', resolve));
  clearTimeout(timer);
  killGroup();
  const line = stdout.split('\n').find((l) => l.startsWith('@@report '));
  if (!line) throw new Error(`the namespace child gave no report (exit ${code}): ${stderr.slice(-2000)}${stdout.slice(-500)}`);
  return JSON.parse(line.slice('@@report '.length)) as Record<string, unknown>;
}
