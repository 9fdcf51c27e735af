/**
 * The measuring side of the lab, run inside the client namespace (`ip netns exec`), whose
 * /etc/resolv.conf is the lab's: every getaddrinfo-based peer asks the lab's knotd, and
 * so does our Resolver (`servers`). Per run, every peer and mode takes one turn, in an
 * order that rotates run by run; every turn asks a name never asked before
 * (`r<run>-<peer>-<mode>-<stamp>.he.test`, a wildcard in the zone), so every peer pays
 * for DNS. The first `warmup` runs are thrown away (module loading, JIT, Python start).
 *
 *   node build/scripts/lab/peers.js --check     (exit 0 once DNS and both ports answer)
 *   LAB_DRIVER_CONFIG='{...}' node build/scripts/lab/peers.js   (as bench-lab.ts runs it)
 */
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import { Resolver } from '../../lib/resolver.js';
import { send } from '../bench-lib/child.js';
import { within } from '../bench-lib/timing.js';
import { fixturesDir, LAB, NSSWITCH_HOSTS, resolvConfText } from './netns.js';
import { measure, PythonPeer, type Measurement, type Mode, type PeerContext, type PeerName } from './peer-clients.js';

export interface DriverConfig {
  scenario: string;
  runs: number;
  warmup: number;
  peers: PeerName[];
  modes: Mode[];
  /** The IP the reference row dials directly; none when absent. */
  reference?: string | undefined;
  /** Bound on one measurement, ms. */
  boundMs: number;
  /** Zone the names are asked in. @default LAB.zone */
  domain?: string | undefined;
  /** A git worktree of an earlier commit, built with tsc: its connect() runs as the `before` peer. */
  before?: string | undefined;
}

export interface DriverReport {
  scenario: string;
  /** Keyed `peer mode` (`reference tcp` for the reference). */
  samples: Record<string, Measurement[]>;
}

/** No getaddrinfo before this: resolv.conf must be the lab's, hosts must not know the zone, NSS must ask only files and DNS. */
function assertLabResolvConf(): void {
  const actual = readFileSync('/etc/resolv.conf', 'utf8');
  if (actual !== resolvConfText()) throw new Error(`/etc/resolv.conf is not the lab's (got ${JSON.stringify(actual)}): run inside the client namespace`);
  if (readFileSync('/etc/hosts', 'utf8').includes(LAB.zone)) throw new Error(`/etc/hosts knows ${LAB.zone}: DNS would not be measured`);
  const hosts = readFileSync('/etc/nsswitch.conf', 'utf8')
    .split('\n')
    .filter((l) => /^\s*hosts\s*:/.test(l));
  if (hosts.length !== 1 || hosts[0]!.replace(/\s+/g, ' ').trim() !== NSSWITCH_HOSTS)
    throw new Error(`/etc/nsswitch.conf: expected "${NSSWITCH_HOSTS}", got ${JSON.stringify(hosts)}`);
}

function labResolver(): Resolver {
  return new Resolver({ servers: [LAB.server.v4], resolvConf: false, hosts: false, timeout: LAB.dns.timeoutSeconds * 1000, attempts: LAB.dns.attempts });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function dial(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve()));
    socket.once('error', reject);
  });
}

/** One pass over the path: our DNS, getaddrinfo, and both ports on both server addresses. */
async function checkOnce(resolver: Resolver): Promise<void> {
  const name = `check-${Date.now()}.${LAB.zone}`;
  await Promise.all([resolver.resolve(name, 'AAAA'), resolver.resolve(name, 'A')]);
  const all = await dns.promises.lookup(`gai-${name}`, { all: true });
  if (!all.some((a) => a.family === 6) || !all.some((a) => a.family === 4)) throw new Error(`getaddrinfo gave ${JSON.stringify(all)}`);
  const dials = [LAB.server.v4, LAB.server.v6].flatMap((ip) => [LAB.ports.http, LAB.ports.https].map((port) => dial(ip, port)));
  const result = await within(Promise.all(dials), 1000);
  if (!result.done || result.error) throw new Error(`connect to the server failed: ${String(result.error ?? 'no answer in 1 s')}`);
}

async function check(boundMs = 15_000): Promise<void> {
  assertLabResolvConf();
  const resolver = labResolver();
  const end = Date.now() + boundMs;
  try {
    for (;;) {
      try {
        await checkOnce(resolver);
        console.log('lab path ok');
        return;
      } catch (err) {
        if (Date.now() > end) throw err;
        await sleep(100);
      }
    }
  } finally {
    resolver.close();
  }
}

const TAG: Record<PeerName | 'reference' | 'before', string> = {
  'happy-eyeballs': 'he',
  node: 'node',
  python: 'py',
  curl: 'curl',
  reference: 'ref',
  before: 'heb',
};

/** The `before` peer: connect() and a Resolver like ours from another build of this library. */
async function loadBefore(dir: string): Promise<NonNullable<PeerContext['before']>> {
  const lib = join(dir, 'build', 'lib');
  const { connect } = (await import(pathToFileURL(join(lib, 'connect.js')).href)) as { connect: NonNullable<PeerContext['before']>['connect'] };
  const { Resolver: Before } = (await import(pathToFileURL(join(lib, 'resolver.js')).href)) as { Resolver: typeof Resolver };
  const resolver = new Before({
    servers: [LAB.server.v4],
    resolvConf: false,
    hosts: false,
    timeout: LAB.dns.timeoutSeconds * 1000,
    attempts: LAB.dns.attempts,
  });
  return { connect, resolver };
}

async function drive(cfg: DriverConfig): Promise<DriverReport> {
  assertLabResolvConf();
  const caPath = join(fixturesDir, 'tls', 'ca.pem');
  // history: false: every run of ours starts without memory, as every other peer does
  // (what history changes is measured on its own: scripts/lab/history.ts).
  const ctx: PeerContext = {
    resolver: labResolver(),
    secureContext: tls.createSecureContext({ ca: readFileSync(caPath) }),
    caPath,
    boundMs: cfg.boundMs,
    python: new PythonPeer(caPath),
    history: false,
    before: cfg.before ? await loadBefore(cfg.before) : undefined,
  };
  const peers: Array<PeerName | 'before'> = cfg.before ? [...cfg.peers, 'before'] : cfg.peers;
  const turns: [PeerName | 'reference' | 'before', Mode][] = peers.flatMap((p) => cfg.modes.map((m) => [p, m] as [PeerName | 'before', Mode]));
  if (cfg.reference) turns.push(['reference', 'tcp']);
  const samples: Record<string, Measurement[]> = Object.fromEntries(turns.map(([p, m]) => [`${p} ${m}`, []]));
  const stamp = Date.now().toString(36);
  try {
    for (let run = -cfg.warmup; run < cfg.runs; run++) {
      const k = ((run % turns.length) + turns.length) % turns.length;
      for (const [peer, mode] of [...turns.slice(k), ...turns.slice(0, k)]) {
        const host = peer === 'reference' ? cfg.reference! : `r${run < 0 ? `w${-run}` : run}-${TAG[peer]}-${mode}-${stamp}.${cfg.domain ?? LAB.zone}`;
        const m = await measure(peer, mode, host, ctx);
        if (run >= 0) samples[`${peer} ${mode}`]!.push(m);
        // Let the closed connection's last packets cross the path before the next turn.
        await sleep(20);
      }
    }
  } finally {
    ctx.resolver.close();
    ctx.before?.resolver.close();
    ctx.python.close();
  }
  return { scenario: cfg.scenario, samples };
}

const { values } = parseArgs({ options: { check: { type: 'boolean' } } });
if (values.check) {
  await check();
} else {
  const cfg = JSON.parse(process.env.LAB_DRIVER_CONFIG ?? 'null') as DriverConfig | null;
  if (!cfg) throw new Error('LAB_DRIVER_CONFIG is not set (see scripts/bench-lab.ts)');
  send('report', await drive(cfg));
}
