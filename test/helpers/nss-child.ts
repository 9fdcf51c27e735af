/**
 * Runs inside the private namespaces nss-namespace.ts makes (own network, mounts, host
 * name), where /etc/nsswitch.conf, /etc/resolv.conf and /etc/hosts are the test's and
 * getaddrinfo can only reach the loopback DNS server started here. One scenario per run;
 * it prints `@@report <json>` and exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { connect } from '../../lib/connect.js';
import { Resolver } from '../../lib/resolver.js';
import { startBlackHole } from './black-hole.js';
import { FakeDnsServer } from './fake-dns-server.js';

const env = JSON.parse(process.env.HE_NSS_CHILD as string) as { scenario: string; resolvConf: string; avahiConf?: string };

/** No getaddrinfo unless this is the test's namespace: its resolv.conf and its own network. */
function assertIsolated(): void {
  if (readFileSync('/etc/resolv.conf', 'utf8') !== env.resolvConf) throw new Error("/etc/resolv.conf is not the test's: refusing to call getaddrinfo");
  if (!('he0' in networkInterfaces())) throw new Error("not in the test's network namespace: refusing to call getaddrinfo");
}

type Addr = { address: string; family: number };
const sorted = (list: Addr[]): string[] => list.map((a) => `${a.family} ${a.address}`).sort();

/** getaddrinfo as Node calls it: what the system gives. */
function gai(name: string, family: 0 | 4 | 6 = 0): Promise<string[] | string> {
  return new Promise((resolve) => dns.lookup(name, { family, all: true }, (err, list) => resolve(err ? String(err.code) : sorted(list))));
}

function ours(resolver: Resolver, name: string): Promise<string[] | string> {
  return new Promise((resolve) => resolver.lookup(name, { all: true }, (err, list) => resolve(err ? String(err.code) : sorted(list))));
}

const zone = {
  origin: 'he.test',
  ttl: 60,
  soa: { mname: 'ns.he.test', rname: 'hostmaster.he.test', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 60 },
  records: [
    { name: 'www.he.test', type: 'A' as const, data: '192.0.2.80' },
    { name: 'dual.he.test', type: 'AAAA' as const, data: '::1' },
    { name: 'dual.he.test', type: 'A' as const, data: '127.0.0.1' },
    { name: 'slow.he.test', type: 'AAAA' as const, data: '::1' },
    { name: 'slow.he.test', type: 'A' as const, data: '127.0.0.1' },
  ],
};

/** Names the fake server was asked, each once, lowercase. */
const asked = (server: FakeDnsServer): string[] => [...new Set(server.queries().map((q) => `${q.name} ${q.type}`))].sort();

async function myhostname(server: FakeDnsServer): Promise<unknown> {
  const resolver = new Resolver(); // the system's files: ours, inside the namespace
  const names = [hostname(), '_gateway'];
  const report: Record<string, unknown> = { hostname: hostname() };
  for (const name of names) report[name] = { gai: await gai(name), ours: await ours(resolver, name) };
  report.askedOfDns = asked(server);
  report.control = await ours(resolver, 'www.he.test');
  report.askedAfterControl = asked(server);
  report.stats = { systemQueries: resolver.stats().systemQueries };
  // For contrast, user-space DNS only: the fake server does not know these names.
  const dnsOnly = new Resolver({ backend: 'dns' });
  report.dnsOnly = await ours(dnsOnly, hostname());
  resolver.close();
  dnsOnly.close();
  return report;
}

async function mdns(server: FakeDnsServer): Promise<unknown> {
  const avahi = startAvahi();
  try {
    // avahi announces its names after probing (RFC 6762 §8.1): wait until getaddrinfo sees one.
    const ready = await waitFor(async () => Array.isArray(await gai('printer.local', 4)), 40, 250);
    server.resetCounts();
    const resolver = new Resolver();
    const report: Record<string, unknown> = { ready };
    report.printer = { gai: await gai('printer.local'), ours: await ours(resolver, 'printer.local') };
    report.self = { gai: await gai(`${hostname()}.local`), ours: await ours(resolver, `${hostname()}.local`) };
    report.missing = await ours(resolver, 'nothere.local');
    report.askedOfDns = asked(server);
    report.control = await ours(resolver, 'www.he.test');
    report.askedAfterControl = asked(server);
    report.stats = { systemQueries: resolver.stats().systemQueries };
    // Why one family-0 lookup: an AF_INET6 one passes mdns4_minimal by and asks DNS.
    server.resetCounts();
    report.v6Lookup = await gai('printer.local', 6);
    report.askedByV6Lookup = asked(server);
    resolver.close();
    return report;
  } finally {
    avahi.kill('SIGTERM');
  }
}

/* c8 ignore start */
/** True once `check` is, tried `tries` times `ms` apart; how many tries it takes is up to the machine. */
async function waitFor(check: () => Promise<boolean>, tries: number, ms: number): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, ms));
  }
  return false;
}
/* c8 ignore stop */

function startAvahi(): ChildProcess {
  const child = spawn('avahi-daemon', ['--no-drop-root', '--no-chroot', '--no-rlimits', '-f', env.avahiConf!], { stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('error', (err) => process.stderr.write(`avahi-daemon: ${err.message}\n`));
  return child;
}

async function listen(host: string): Promise<net.Server> {
  const server = net.createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen({ host, port: 0, ipv6Only: host === '::1' }, resolve));
  return server;
}

/** `backend: 'system'` under connect(): the race acts on each family's lookup as it ends. */
async function connectScenario(server: FakeDnsServer): Promise<unknown> {
  const resolver = new Resolver({ backend: 'system' });
  const report: Record<string, unknown> = {};
  const race = async (host: string, port: number) => {
    const started = performance.now();
    const socket = await connect({ host, port, resolver });
    const ms = performance.now() - started;
    const attempted = (socket as unknown as { autoSelectFamilyAttemptedAddresses: string[] }).autoSelectFamilyAttemptedAddresses;
    const winner = socket.remoteAddress;
    socket.destroy();
    return { ms, attempted, winner };
  };

  // IPv6 black-holed: the SYN to ::1 is never answered; IPv4 after one attempt delay (250 ms).
  const hole = await startBlackHole({ host: '::1' });
  const v4 = net.createServer((socket) => socket.end());
  await new Promise<void>((resolve) => v4.listen({ host: '127.0.0.1', port: hole.port }, resolve));
  report.blackHole = await race('dual.he.test', hole.port);
  v4.close();
  await hole.close();

  // AAAA slow: the family-6 lookup waits for it; A answers, the Resolution Delay (50 ms) passes, IPv4 wins.
  server.setBehaviour('slow.he.test', 'AAAA', { delay: 1500 });
  const six = await listen('::1');
  const port = (six.address() as net.AddressInfo).port;
  const four = net.createServer((socket) => socket.end());
  await new Promise<void>((resolve) => four.listen({ host: '127.0.0.1', port }, resolve));
  report.slowAaaa = await race('slow.he.test', port);
  report.askedOfDns = server.queries().map((q) => `${q.name} ${q.type}`);
  report.stats = { systemQueries: resolver.stats().systemQueries, upstreamQueries: resolver.stats().upstreamQueries };
  six.close();
  four.close();
  resolver.close();
  return report;
}

const scenarios: Record<string, (server: FakeDnsServer) => Promise<unknown>> = { myhostname, mdns, connect: connectScenario };

assertIsolated();
const server = await FakeDnsServer.start({ zones: [zone], host: '127.0.0.1', port: 53 });
try {
  const report = await scenarios[env.scenario]!(server);
  process.stdout.write(`@@report ${JSON.stringify(report)}\n`);
} finally {
  await server.close();
}
process.exit(0); // a getaddrinfo still running on the threadpool must not hold the process
