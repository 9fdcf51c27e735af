/**
 * The NAT64 lab's measuring side, run inside the IPv6-only client namespace (`ip netns
 * exec`), whose /etc/resolv.conf names the gateway's unbound (DNS64). Every peer takes a
 * turn at each target, the order rotating run by run (scripts/lab/peer-clients.ts: ours
 * with a Resolver built from the system configuration, as by default; Node core with
 * autoSelectFamily; Python asyncio; curl):
 *   - the server's IPv4 literal (RFC 8305 §7.1),
 *   - an IPv4-only name (DNS64 synthesizes its AAAA),
 *   - a name with a broken AAAA and a good A (§7.2: DNS64 passes the AAAA through),
 * plus ours with NAT64 switched off (`nat64Prefix: false`) for the literal, and what
 * ours' lookup() answers for each target.
 *
 *   node build/scripts/lab/nat64-peers.js --check
 *   NAT64_DRIVER_CONFIG='{"runs":3,"boundMs":6000}' node build/scripts/lab/nat64-peers.js
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { connect } from '../../lib/connect.js';
import type { LookupAddress } from '../../lib/lookup.js';
import { Resolver } from '../../lib/resolver.js';
import { send } from '../bench-lib/child.js';
import { within } from '../bench-lib/timing.js';
import { NAT64_LAB, NAT64_OFF, TARGETS, type Nat64DriverConfig, type Nat64DriverReport } from './nat64-config.js';
import { nat64ResolvConf } from './nat64-netns.js';
import { fixturesDir } from './netns.js';
import { measure, PEERS, PythonPeer, type Measurement, type PeerContext } from './peer-clients.js';

function assertResolvConf(): void {
  const actual = readFileSync('/etc/resolv.conf', 'utf8');
  if (actual !== nat64ResolvConf()) throw new Error(`/etc/resolv.conf is not the NAT64 lab's (got ${JSON.stringify(actual)}): run inside the client namespace`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** DNS64 answers ipv4only.arpa, and the server answers through tayga. */
async function check(boundMs = 20_000): Promise<void> {
  assertResolvConf();
  const resolver = new Resolver({ servers: [NAT64_LAB.gateway.v6], resolvConf: false, hosts: false, timeout: 500, attempts: 1 });
  const end = Date.now() + boundMs;
  try {
    for (;;) {
      try {
        const answer = await resolver.query('ipv4only.arpa.', 'AAAA');
        if (answer.records.length === 0) throw new Error('no AAAA for ipv4only.arpa');
        const synthesized = (await resolver.query(NAT64_LAB.v4only, 'AAAA')).records[0]!.address;
        const dialed = await within(
          new Promise<void>((resolve, reject) => {
            const socket = net.connect({ host: synthesized, port: NAT64_LAB.port });
            socket.once('connect', () => (socket.destroy(), resolve()));
            socket.once('error', reject);
          }),
          1000,
        );
        if (!dialed.done || dialed.error) throw new Error(`connect to ${synthesized} failed: ${String(dialed.error ?? 'no answer in 1 s')}`);
        console.log('NAT64 lab path ok');
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

/** Ours with NAT64 switched off: what the literal does without synthesis. */
async function withoutNat64(host: string, resolver: Resolver, boundMs: number): Promise<Measurement> {
  const started = performance.now();
  const pending = connect({ host, port: NAT64_LAB.port, resolver, nat64Prefix: false });
  const result = await within(pending, boundMs);
  const ms = performance.now() - started;
  if (!result.done)
    return (
      void pending.then(
        (s) => s.destroy(),
        () => {},
      ),
      { ms, outcome: 'bound' }
    );
  if (result.error) return { ms, outcome: String((result.error as { code?: unknown }).code ?? result.error) };
  result.value!.destroy();
  return { ms, outcome: result.value!.remoteAddress ?? '?' };
}

function lookupAll(resolver: Resolver, host: string): Promise<LookupAddress[] | string> {
  return new Promise((resolve) => resolver.lookup(host, { all: true }, (err, addresses) => resolve(err ? String(err.code) : addresses)));
}

async function drive(cfg: Nat64DriverConfig): Promise<Nat64DriverReport> {
  assertResolvConf();
  const caPath = join(fixturesDir, 'tls', 'ca.pem');
  // As connect() is used by default: the system's resolv.conf (unbound) and hosts file.
  const resolver = new Resolver();
  const ctx: PeerContext = {
    resolver,
    secureContext: tls.createSecureContext({ ca: readFileSync(caPath) }),
    caPath,
    boundMs: cfg.boundMs,
    python: new PythonPeer(caPath),
  };
  const samples: Record<string, Measurement[]> = {};
  const add = (key: string, m: Measurement): number => (samples[key] ??= []).push(m);
  const lookups: Record<string, LookupAddress[] | string> = {};
  try {
    for (const target of TARGETS) lookups[target.key] = await lookupAll(resolver, target.host);
    for (let run = 0; run < cfg.runs; run++) {
      const peers = [...PEERS.slice(run % PEERS.length), ...PEERS.slice(0, run % PEERS.length)];
      for (const target of TARGETS) {
        for (const peer of peers) {
          add(`${peer} ${target.key}`, await measure(peer, 'tcp', target.host, ctx));
          await sleep(20);
        }
      }
      add(`${NAT64_OFF} literal`, await withoutNat64(NAT64_LAB.server.v4, resolver, cfg.boundMs));
    }
  } finally {
    resolver.close();
    ctx.python.close();
  }
  return { samples, lookups };
}

const argv = process.argv.slice(2);
if (argv[0] === '--check') {
  await check();
} else {
  const cfg = JSON.parse(process.env.NAT64_DRIVER_CONFIG ?? 'null') as Nat64DriverConfig | null;
  if (!cfg) throw new Error('NAT64_DRIVER_CONFIG is not set (see scripts/lab/nat64.ts)');
  send('report', await drive(cfg));
  // The getaddrinfo peers' connects to the black-holed address outlive their bound (the
  // kernel gives up after its SYN retries, about 2 minutes): do not wait for them.
  // stdout is a pipe, written synchronously on Linux: the report is out.
  process.exit(0);
}
