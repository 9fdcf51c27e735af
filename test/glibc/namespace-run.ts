/**
 * Runs inside `unshare --mount --net` (see differential.test.ts): brings loopback up,
 * bind-mounts its own resolv.conf, hosts, nsswitch.conf and gai.conf over /etc, and for
 * each case starts the loopback DNS servers on port 53, asks glibc (probe.py) and then our
 * Resolver the same question on the same files, and prints one JSON line per case.
 *
 *   node build/test/glibc/namespace-run.js [case-name-substring]
 *
 * Refuses to run unless its mount and network namespaces differ from those the caller
 * saw (HE_OUTER_NS): outside, the bind mounts would cover the machine's own files.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import dns from 'node:dns';
import { FakeDnsServer, type SeenQuery } from '../../lib/lab/dns-server.js';
import type { Zone } from '../../lib/lab/dns-zone.js';
import { Resolver } from '../../lib/resolver.js';
import type { LookupAddress } from '../../lib/lookup.js';
import type { CaseResult, GlibcCase, Observed } from './case.js';
import { glibcCases } from './cases.js';
import { glibcOutcome, ourOutcome, steps } from './compare.js';

/* c8 ignore start -- a harness run as root inside `unshare --mount --net` (and refusing
   anywhere else, see probe-refuses.test.ts): judged by the cases it runs, not measured. */
export const SENTINEL = '# he-glibc-differential: private namespace, loopback servers only';
const PROBE = join(dirname(fileURLToPath(import.meta.url)), '../../../test/glibc/probe.py');
const FILES = ['resolv.conf', 'hosts', 'nsswitch.conf', 'gai.conf'] as const;
const DEFAULT_HOSTS = '127.0.0.1 localhost\n::1 localhost ip6-localhost\n';
const VETH = ['hei13a', 'hei13b'] as const;
/** The distribution's python (a version manager's shim can cost a second per start). */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const ENV_KEYS = ['LOCALDOMAIN', 'RES_OPTIONS'] as const;

function assertPrivate(): void {
  const outer = new Map((process.env.HE_OUTER_NS ?? '').split(' ').map((item) => [item.split(':', 1)[0], item] as const));
  for (const kind of ['mnt', 'net']) {
    const own = readlinkSync(`/proc/self/ns/${kind}`);
    const seen = outer.get(kind);
    if (seen === undefined || seen === own)
      throw new Error(`refusing to run: the ${kind} namespace is not a private one (HE_OUTER_NS=${process.env.HE_OUTER_NS})`);
  }
}

function sh(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function rootZone(records: GlibcCase['records']): Zone {
  const soa = { mname: 'ns.invalid', rname: 'hostmaster.invalid', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 30 };
  return { origin: '.', ttl: 60, soa, records: (records ?? []).map(([name, type, data]) => ({ name, type, data })) };
}

let lastInterfaces = '[]';

function setInterfaces(c: GlibcCase): void {
  if (!c.interfaces?.length) return;
  sh('ip', ['link', 'add', VETH[0], 'type', 'veth', 'peer', 'name', VETH[1]]);
  // Without an IPv6 address asked for, no link-local one either: it counts for AI_ADDRCONFIG.
  if (!c.interfaces.some((cidr) => cidr.includes(':') || cidr === 'link-local')) {
    for (const dev of VETH) writeFileSync(`/proc/sys/net/ipv6/conf/${dev}/disable_ipv6`, '1');
  }
  for (const cidr of c.interfaces.filter((entry) => entry !== 'link-local'))
    sh('ip', ['addr', 'add', cidr, 'dev', VETH[0], ...(cidr.includes(':') ? ['nodad'] : [])]);
  sh('ip', ['link', 'set', VETH[0], 'up']);
  sh('ip', ['link', 'set', VETH[1], 'up']);
  for (const route of c.routes ?? []) sh('ip', [...(route.includes(':') ? ['-6'] : []), 'route', 'add', ...route.split(' ')]);
}

function clearInterfaces(c: GlibcCase): void {
  if (c.interfaces?.length) sh('ip', ['link', 'del', VETH[0]]);
}

function runProbe(c: GlibcCase): Promise<{ error?: string; addresses?: Array<[number, string]>; refused?: string }> {
  const request = JSON.stringify([{ host: c.ask.host, family: c.ask.family ?? 0, flags: c.ask.flags ?? [] }]);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HE_OUTER_NS: process.env.HE_OUTER_NS, ...c.env };
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [PROBE, request], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk));
    child.on('error', reject);
    child.on('close', () => {
      try {
        const parsed = JSON.parse(out) as { results?: Array<{ error?: string; addresses?: Array<[number, string]> }>; refused?: string };
        resolve(parsed.refused !== undefined ? { refused: parsed.refused } : parsed.results![0]!);
      } catch {
        reject(new Error(`probe printed ${JSON.stringify(out)} ${err}`));
      }
    });
  });
}

const HINTS: Readonly<Record<string, number>> = { ADDRCONFIG: dns.ADDRCONFIG, V4MAPPED: dns.V4MAPPED, ALL: dns.ALL };

async function runOurs(c: GlibcCase): Promise<{ code?: string; addresses?: LookupAddress[] }> {
  for (const key of ENV_KEYS) {
    if (c.env?.[key] !== undefined) process.env[key] = c.env[key];
    else delete process.env[key];
  }
  const resolver = new Resolver({ resolvConf: '/etc/resolv.conf', hosts: '/etc/hosts', gaiConf: '/etc/gai.conf', cache: false });
  const hints = (c.ask.flags ?? []).reduce((sum, flag) => sum | HINTS[flag]!, 0);
  try {
    return await new Promise((resolve) => {
      resolver.lookup(c.ask.host, { family: c.ask.family ?? 0, hints, all: true }, (err, addresses) => {
        resolve(err ? { code: String(err.code) } : { addresses });
      });
    });
  } finally {
    resolver.close();
  }
}

async function runCase(c: GlibcCase, dir: string): Promise<CaseResult> {
  writeFileSync(join(dir, 'resolv.conf'), `${SENTINEL}\n${c.resolvConf}\n`);
  writeFileSync(join(dir, 'hosts'), c.hosts ?? DEFAULT_HOSTS);
  writeFileSync(join(dir, 'gai.conf'), c.gaiConf ?? '');
  const hosts = c.servers ?? ['127.0.0.1'];
  const servers = await Promise.all(hosts.map((host) => FakeDnsServer.start({ host, port: 53, zones: [rootZone(c.records)] })));
  for (const b of c.behaviours ?? []) servers[b.server ?? 0]!.setBehaviour(b.name, b.type, b.behaviour);
  const log = (): SeenQuery[] => servers.flatMap((s) => s.queries());
  const reset = (): void => {
    for (const s of servers) s.resetCounts();
    for (const b of c.behaviours ?? []) servers[b.server ?? 0]!.setBehaviour(b.name, b.type, b.behaviour);
  };
  setInterfaces(c);
  try {
    const probe = await runProbe(c);
    if (probe.refused !== undefined) throw new Error(`probe refused: ${probe.refused}`);
    const glibc: Observed = {
      outcome: glibcOutcome(probe.error),
      addresses: (probe.addresses ?? []).map(([family, address]) => `${family} ${address}`),
      steps: steps(log()),
      ...(probe.error !== undefined ? { error: probe.error } : {}),
    };
    reset();
    // ADDRCONFIG reads the interfaces at most once a second (the network check: README,
    // "Differences from getaddrinfo"); glibc reads them per call. Wait that second out when
    // this case's interfaces differ from the last case's.
    const shape = JSON.stringify(c.interfaces ?? []);
    if (shape !== lastInterfaces) await new Promise((resolve) => setTimeout(resolve, 1050));
    lastInterfaces = shape;
    const result = await runOurs(c);
    const ours: Observed = {
      outcome: ourOutcome(result.code),
      addresses: (result.addresses ?? []).map((a) => `${a.family} ${a.address}`),
      steps: steps(log()),
      ...(result.code !== undefined ? { error: result.code } : {}),
    };
    return { name: c.name, glibc, ours };
  } finally {
    clearInterfaces(c);
    await Promise.all(servers.map((s) => s.close()));
  }
}

async function main(): Promise<void> {
  assertPrivate();
  const filter = process.argv[2];
  const dir = mkdtempSync(join(tmpdir(), 'he-i13-glibc-'));
  try {
    sh('ip', ['link', 'set', 'lo', 'up']);
    writeFileSync(join(dir, 'nsswitch.conf'), 'hosts: files dns\n');
    for (const file of ['resolv.conf', 'hosts', 'gai.conf']) writeFileSync(join(dir, file), '');
    for (const file of FILES) sh('mount', ['--bind', join(dir, file), `/etc/${file}`]);
    if (!readFileSync('/etc/nsswitch.conf', 'utf8').startsWith('hosts: files dns')) throw new Error('bind mount did not take');
    for (const c of glibcCases) {
      if (filter !== undefined && !c.name.includes(filter)) continue;
      let result: CaseResult;
      const started = performance.now();
      try {
        result = await runCase(c, dir);
      } catch (err) {
        const none: Observed = { outcome: 'none', addresses: [], steps: [] };
        result = { name: c.name, glibc: none, ours: none, harnessError: String((err as Error).stack ?? err) };
      }
      result.ms = Math.round(performance.now() - started);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
/* c8 ignore stop */
