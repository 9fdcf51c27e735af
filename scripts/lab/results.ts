/**
 * The lab benchmark's results (bench-results/lab.json): per scenario its settings, its
 * physical limit, every measurement and their order statistics, and the targets of
 * issue 7 checked against them.
 */
import { quantile, ratio } from '../bench-lib/stats.js';
import type { Measurement, Mode, PeerName } from './peer-clients.js';
import type { Limit, Scenario } from './scenarios.js';

export interface Spread {
  n: number;
  min: number;
  p25: number;
  median: number;
  p75: number;
  max: number;
  /** How the runs ended: `IPv6`, `IPv4` or an error code, with counts. */
  outcomes: Record<string, number>;
}

export interface ScenarioResult {
  scenario: Scenario;
  limit: Limit;
  /** Keyed `peer mode`. */
  samples: Record<string, Measurement[]>;
  spread: Record<string, Spread>;
  /** What the relay did to packets during the scenario. */
  relay: Record<string, number>;
  /** Seconds the scenario took. */
  seconds: number;
}

export interface LabResults {
  date: string;
  command: string;
  runs: number;
  warmup: number;
  environment: Record<string, string>;
  scenarios: ScenarioResult[];
  targets: Target[];
  /** Healthy path, median ms per part of a connect, per client (scripts/lab/overhead.ts). */
  breakdown?: Record<string, Record<string, number>> | undefined;
}

export interface Target {
  scenario: string;
  what: string;
  /** The ratio measured. */
  value: number;
  /** ≤ or ≥ `goal`. */
  goal: number;
  direction: 'max' | 'min';
  met: boolean;
  /** Ms behind (positive) or ahead, where that is the clearer figure. */
  deltaMs?: number;
  /** Context computed with it (e.g. what the physical limit would score). */
  note?: string;
}

export const OTHERS: PeerName[] = ['node', 'python', 'curl'];
export const key = (peer: PeerName | 'reference', mode: Mode): string => `${peer} ${mode}`;

function outcomeOf(m: Measurement): string {
  if (m.outcome.includes(':')) return 'IPv6';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(m.outcome)) return 'IPv4';
  return m.outcome;
}

export function spreadOf(samples: Measurement[]): Spread {
  // Failed or bounded runs count with their elapsed time: a failure is never fast.
  const ms = samples.map((m) => m.ms).filter(Number.isFinite);
  const outcomes: Record<string, number> = {};
  for (const m of samples) outcomes[outcomeOf(m)] = (outcomes[outcomeOf(m)] ?? 0) + 1;
  return {
    n: samples.length,
    min: quantile(ms, 0),
    p25: quantile(ms, 0.25),
    median: quantile(ms, 0.5),
    p75: quantile(ms, 0.75),
    max: quantile(ms, 1),
    outcomes,
  };
}

/** The best median among the other peers for a mode, and whose it is. */
export function bestOther(r: ScenarioResult, mode: Mode): { peer: PeerName; median: number } | undefined {
  const found = OTHERS.map((peer) => ({ peer, median: r.spread[key(peer, mode)]?.median ?? NaN })).filter((x) => Number.isFinite(x.median));
  return found.sort((a, b) => a.median - b.median)[0];
}

/**
 * Issue 7's targets: in every scenario no slower than the best peer; with the AAAA late at
 * least 10× faster than every getaddrinfo-based peer (all three are); within 1.2× of the
 * physical limit where no RFC 8305 delay is part of it.
 */
export function targets(results: ScenarioResult[]): Target[] {
  const out: Target[] = [];
  for (const r of results) {
    for (const mode of ['tcp', 'tls'] as const) {
      const ours = r.spread[key('happy-eyeballs', mode)]?.median;
      const best = bestOther(r, mode);
      if (ours === undefined || !best) continue;
      const label = mode === 'tcp' ? 'connect' : 'TLS';
      const vsBest = ratio(ours, best.median);
      out.push({
        scenario: r.scenario.key,
        what: `${label}: ours / best peer (${best.peer})`,
        value: vsBest,
        goal: 1,
        direction: 'max',
        met: vsBest <= 1,
        deltaMs: ours - best.median,
      });
      // With the A answer late too only an HTTPS record's hints (TLS) can beat the wait.
      if (r.scenario.aaaaDelay > 0 && (!r.scenario.aDelay || (mode === 'tls' && r.scenario.https))) {
        for (const peer of OTHERS) {
          const theirs = r.spread[key(peer, mode)]?.median ?? NaN;
          const faster = ratio(theirs, ours);
          const ceiling = ratio(theirs, mode === 'tcp' ? r.limit.tcp : r.limit.tls);
          const note = `${ceiling < 10 ? 'out of reach: ' : ''}a client at the physical limit would score ${ceiling.toFixed(2)}×`;
          out.push({ scenario: r.scenario.key, what: `${label}: ${peer} / ours`, value: faster, goal: 10, direction: 'min', met: faster >= 10, note });
        }
      }
      if (!r.limit.rfcDelay) {
        const toLimit = ratio(ours, mode === 'tcp' ? r.limit.tcp : r.limit.tls);
        out.push({ scenario: r.scenario.key, what: `${label}: ours / physical limit`, value: toLimit, goal: 1.2, direction: 'max', met: toLimit <= 1.2 });
      }
    }
  }
  return out;
}
