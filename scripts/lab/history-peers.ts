/**
 * The history run's measuring side, inside the lab's client namespace (scripts/lab/history.ts
 * starts it). Phase 1, IPv6 black-holed: `connects` turns, each peer once per turn (the
 * order rotating), a fresh name every time, all in this one process, so ours keeps its
 * connection history (a `History` with the given ttl) from turn to turn. Then it asks the
 * parent to heal IPv6 (`@@heal`), waits for the word (a file), and connects with ours
 * every `everyMs` until a connect lands on IPv6 again (or `recoverMaxMs` passes); one more
 * turn of every peer shows where each stands after the heal.
 *
 *   HISTORY_DRIVER_CONFIG='{...}' node build/scripts/lab/history-peers.js
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { History } from '../../lib/address/history.js';
import { Resolver } from '../../lib/resolver.js';
import { send } from '../bench-lib/child.js';
import { fixturesDir, LAB } from './netns.js';
import { measure, PEERS, PythonPeer, type Measurement, type PeerContext, type PeerName } from './peer-clients.js';

export interface HistoryDriverConfig {
  connects: number;
  /** The History's ttl, ms: the bound on how long a healed IPv6 stays demoted. */
  ttlMs: number;
  boundMs: number;
  /** Appears when the parent has healed IPv6. */
  healedFile: string;
  everyMs: number;
  recoverMaxMs: number;
}

export interface RecoveryStep {
  /** Ms since IPv6 was healed, at the start of this connect. */
  sinceHealMs: number;
  measurement: Measurement;
}

export interface HistoryDriverReport {
  /** Phase 1: per peer, one measurement per turn, in turn order. */
  blackHole: Record<string, Measurement[]>;
  recovery: RecoveryStep[];
  /** One turn per peer after ours was back on IPv6 (or gave up). */
  afterHeal: Record<string, Measurement>;
  historyStats: ReturnType<History['stats']>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const TAG: Record<PeerName, string> = { 'happy-eyeballs': 'he', node: 'node', python: 'py', curl: 'curl' };
const isIPv6 = (m: Measurement): boolean => m.outcome.includes(':');

async function drive(cfg: HistoryDriverConfig): Promise<HistoryDriverReport> {
  const caPath = join(fixturesDir, 'tls', 'ca.pem');
  const resolver = new Resolver({
    servers: [LAB.server.v4],
    resolvConf: false,
    hosts: false,
    timeout: LAB.dns.timeoutSeconds * 1000,
    attempts: LAB.dns.attempts,
  });
  const history = new History({ ttl: cfg.ttlMs });
  const ctx: PeerContext = {
    resolver,
    secureContext: tls.createSecureContext({ ca: readFileSync(caPath) }),
    caPath,
    boundMs: cfg.boundMs,
    python: new PythonPeer(caPath),
    history,
  };
  const stamp = Date.now().toString(36);
  let names = 0;
  const fresh = (peer: PeerName): string => `h${names++}-${TAG[peer]}-${stamp}.${LAB.zone}`;
  const blackHole: Record<string, Measurement[]> = Object.fromEntries(PEERS.map((p) => [p, []]));
  try {
    // Warm-up (module loading, Python start), on a name of its own; not kept.
    for (const peer of PEERS) if (peer !== 'happy-eyeballs') await measure(peer, 'tcp', fresh(peer), ctx);
    for (let turn = 0; turn < cfg.connects; turn++) {
      const k = turn % PEERS.length;
      for (const peer of [...PEERS.slice(k), ...PEERS.slice(0, k)]) {
        blackHole[peer]!.push(await measure(peer, 'tcp', fresh(peer), ctx));
        await sleep(20);
      }
    }
    send('heal', {});
    const waitUntil = Date.now() + 10_000;
    while (!existsSync(cfg.healedFile)) {
      if (Date.now() > waitUntil) throw new Error('the parent did not heal IPv6 within 10 s');
      await sleep(5);
    }
    const healedAt = performance.now();
    const recovery: RecoveryStep[] = [];
    while (performance.now() - healedAt < cfg.recoverMaxMs) {
      const sinceHealMs = performance.now() - healedAt;
      const measurement = await measure('happy-eyeballs', 'tcp', fresh('happy-eyeballs'), ctx);
      recovery.push({ sinceHealMs, measurement });
      if (isIPv6(measurement)) break;
      await sleep(cfg.everyMs);
    }
    const afterHeal: Record<string, Measurement> = {};
    for (const peer of PEERS) afterHeal[peer] = await measure(peer, 'tcp', fresh(peer), ctx);
    return { blackHole, recovery, afterHeal, historyStats: history.stats() };
  } finally {
    resolver.close();
    ctx.python.close();
  }
}

const cfg = JSON.parse(process.env.HISTORY_DRIVER_CONFIG ?? 'null') as HistoryDriverConfig | null;
if (!cfg) throw new Error('HISTORY_DRIVER_CONFIG is not set (see scripts/lab/history.ts)');
send('report', await drive(cfg));
process.exit(0); // stdout is a pipe, written synchronously on Linux: the report is out
