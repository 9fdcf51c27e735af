/**
 * The race as the report shows it: connect()'s `onEvent` timeline turned into one row
 * per attempt (start order) and the winner, on the probe's time axis.
 */
import type { RaceEvent } from '../racer/timeline.js';
import { endpointReport, httpsFromRace } from './https-report.js';
import { reportError, type AttemptReport, type FamilyKey, type HttpsReport, type WinnerReport } from './probe-report.js';
import { roundMs } from './resolve.js';

export interface RaceReport {
  attempts: AttemptReport[];
  winner: WinnerReport | null;
  /** When the race saw each family's DNS outcome, if it did before it ended. */
  dnsMs: Partial<Record<FamilyKey, number>>;
  /** The HTTPS answer the race saw before it ended (TLS races). */
  https?: HttpsReport;
}

/**
 * `events`: the whole timeline, up to `race:end`. `offset`: milliseconds from the
 * probe's start to the race's (the race stamps its events from its own start).
 */
export function raceReport(events: readonly RaceEvent[], offset: number, httpsName = ''): RaceReport {
  const at = (ms: number): number => roundMs(offset + ms);
  const byNumber = new Map<number, AttemptReport>();
  let winner: WinnerReport | null = null;
  const dnsMs: Partial<Record<FamilyKey, number>> = {};
  let https: HttpsReport | undefined;
  for (const event of events) {
    switch (event.type) {
      case 'dns':
        dnsMs[event.family === 6 ? 'ipv6' : 'ipv4'] = at(event.ms);
        break;
      case 'dns:https':
        https = httpsFromRace(event, httpsName, at);
        break;
      case 'attempt:start': {
        const row: AttemptReport = {
          address: event.address,
          family: event.family,
          startMs: at(event.ms),
          endMs: at(event.ms),
          outcome: 'abandoned',
          error: null,
        };
        // Only an HTTPS service endpoint can name a port other than the probe's.
        if (event.endpoint) Object.assign(row, { port: event.port, endpoint: endpointReport(event.endpoint) });
        byNumber.set(event.attempt, row);
        break;
      }
      case 'attempt:success': {
        const row = settle(byNumber.get(event.attempt), at(event.ms), 'won');
        winner = { address: event.address, family: event.family, ms: at(event.ms) };
        if (row.endpoint) Object.assign(winner, { port: event.port, endpoint: row.endpoint });
        break;
      }
      case 'attempt:failure': {
        settle(byNumber.get(event.attempt), at(event.ms), 'failed', event.error).phase = event.error.phase;
        break;
      }
      case 'attempt:abandoned':
        // RFC 8305 §5: losers are cancelled; only the race's own timeout is a failure.
        settle(
          byNumber.get(event.attempt),
          at(event.ms),
          event.reason === 'timeout' ? 'timeout' : 'abandoned',
          event.reason === 'timeout' ? timeoutError(events) : undefined,
        );
        break;
      default:
        break; // dns:wait, dns:target, attempt:connected, delay-extended and race:end change no row
    }
  }
  return { attempts: [...byNumber.values()], winner, dnsMs, ...(https ? { https } : {}) };
}

/** Every attempt event follows its `attempt:start` (race.ts emits it before dialling). */
function settle(row: AttemptReport | undefined, ms: number, outcome: AttemptReport['outcome'], error?: unknown): AttemptReport {
  if (row === undefined) throw new Error('race event for an attempt that never started');
  row.endMs = ms;
  row.outcome = outcome;
  row.error = error === undefined ? null : reportError(error);
  return row;
}

/** The race's TimeoutError, from its end event (what the timed-out attempts share). */
function timeoutError(events: readonly RaceEvent[]): unknown {
  const end = events.find((e): e is Extract<RaceEvent, { type: 'race:end' }> => e.type === 'race:end');
  return end?.error;
}
