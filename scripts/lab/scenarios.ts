/**
 * The lab's scenarios (what the relay does to each family) and, for each, the physical
 * limit: the time an ideal RFC 8305 client needs on that path, given its round trips
 * and the delays the RFC imposes (Resolution Delay 50 ms, §3; Connection Attempt Delay
 * 250 ms, §5). Nothing in the limit is measured: it is computed from the settings.
 */

export type SynFate = 'pass' | 'drop' | 'icmp';

export interface FamilyPath {
  /** Round trip, ms (half of it each way). */
  rtt: number;
  /** Share of packets dropped, each way, 0–1. */
  loss: number;
  /** What happens to a TCP SYN from the client: pass, vanish (black hole) or ICMPv6 unreachable. */
  syn: SynFate;
}

export interface Scenario {
  key: string;
  title: string;
  /** For the chart: ' / ' breaks the line. */
  short: string;
  v4: FamilyPath;
  v6: FamilyPath;
  /** Extra ms the relay holds DNS answers to AAAA questions. */
  aaaaDelay: number;
  /** Extra ms the relay holds DNS answers to A questions. @default 0 */
  aDelay?: number;
  /**
   * The names asked have an HTTPS record (RFC 9460) with both addresses as hints, answered
   * at once (LAB.httpsZone): TLS races use it (Happy Eyeballs v3); other peers ignore it.
   */
  https?: boolean;
}

export const RFC8305 = { resolutionDelay: 50, connectionAttemptDelay: 250 } as const;

const ok = (rtt: number): FamilyPath => ({ rtt, loss: 0, syn: 'pass' });

export const SCENARIOS: Scenario[] = [
  {
    key: 'v6-black-hole',
    short: 'IPv6 / black hole',
    title: 'IPv6 black hole (SYNs dropped), both 20 ms RTT',
    v4: ok(20),
    v6: { ...ok(20), syn: 'drop' },
    aaaaDelay: 0,
  },
  { key: 'v6-slow', short: 'IPv6 300 ms, / IPv4 40 ms', title: 'IPv6 300 ms RTT, IPv4 40 ms RTT', v4: ok(40), v6: ok(300), aaaaDelay: 0 },
  {
    key: 'v4-black-hole',
    short: 'IPv4 / black hole',
    title: 'IPv4 black hole (SYNs dropped), both 20 ms RTT',
    v4: { ...ok(20), syn: 'drop' },
    v6: ok(20),
    aaaaDelay: 0,
  },
  { key: 'aaaa-late', short: 'AAAA answer / 1 s late', title: 'AAAA answer 1 s late, both 20 ms RTT', v4: ok(20), v6: ok(20), aaaaDelay: 1000 },
  {
    key: 'loss-5',
    short: 'packet loss / 5 %',
    title: '5 % packet loss each way on both, 20 ms RTT',
    v4: { ...ok(20), loss: 0.05 },
    v6: { ...ok(20), loss: 0.05 },
    aaaaDelay: 0,
  },
  { key: 'healthy', short: 'both healthy / 20 ms', title: 'both healthy, 20 ms RTT', v4: ok(20), v6: ok(20), aaaaDelay: 0 },
  {
    key: 'v6-icmp',
    short: 'IPv6 ICMP / unreachable',
    title: 'IPv6 SYNs answered with ICMPv6 unreachable, both 20 ms RTT',
    v4: ok(20),
    v6: { ...ok(20), syn: 'icmp' },
    aaaaDelay: 0,
  },
  {
    key: 'https-hints',
    short: 'AAAA, A 1 s late, / HTTPS hints',
    title: 'AAAA and A answers 1 s late, an HTTPS record with hints at once, both 20 ms RTT',
    v4: ok(20),
    v6: ok(20),
    aaaaDelay: 1000,
    aDelay: 1000,
    https: true,
  },
];

export function scenario(key: string): Scenario {
  const found = SCENARIOS.find((s) => s.key === key);
  if (!found) throw new Error(`unknown scenario ${JSON.stringify(key)}; known: ${SCENARIOS.map((s) => s.key).join(', ')}`);
  return found;
}

/** The relay's settings for a scenario (one-way delays). */
export function relayConfig(s: Scenario): Record<string, unknown> {
  const fam = (p: FamilyPath): Record<string, unknown> => ({ delay: p.rtt / 2, loss: p.loss, syn: p.syn });
  return { v4: fam(s.v4), v6: fam(s.v6), aaaa_delay: s.aaaaDelay, a_delay: s.aDelay ?? 0 };
}

export interface Limit {
  /** Ms to a connected socket. */
  tcp: number;
  /** Ms to a finished TLS 1.3 handshake (one more round trip on the winning path). */
  tls: number;
  /** Family of the winning attempt. */
  family: 4 | 6;
  /** True when an RFC 8305 delay (Resolution or Connection Attempt Delay) is part of it. */
  rfcDelay: boolean;
  /** How it adds up, for the report. */
  formula: string;
  tlsFormula: string;
}

interface Attempt {
  family: 4 | 6;
  start: number;
  /** Why it starts when it does. */
  why: string;
  /** Ms when it fails (ICMP), or Infinity (a black hole never answers). */
  failAt: number;
  connectedAt: number;
}

function attempt(family: 4 | 6, path: FamilyPath, start: number, why: string): Attempt {
  const back = start + path.rtt;
  if (path.syn === 'pass') return { family, start, why, failAt: Infinity, connectedAt: back };
  // ICMP comes back from the far end after one round trip; a dropped SYN never does.
  return { family, start, why, failAt: path.syn === 'icmp' ? back : Infinity, connectedAt: Infinity };
}

/**
 * The ideal client: DNS over IPv4 to the lab's server (one IPv4 round trip, AAAA and A in
 * parallel); AAAA first unless it is later than the Resolution Delay (R4, R5); the second
 * family after the Connection Attempt Delay or at once when the first attempt fails (R12,
 * R17). Loss is ignored (the limit is the lossless path).
 */
export function physicalLimit(s: Scenario): Limit {
  const { resolutionDelay: rd, connectionAttemptDelay: cad } = RFC8305;
  const dns = s.v4.rtt;
  const aaaaAt = dns + s.aaaaDelay;
  const aAt = dns + (s.aDelay ?? 0);
  const v6First = aaaaAt <= aAt + rd;
  const first = v6First
    ? attempt(6, s.v6, aaaaAt, s.aaaaDelay > 0 ? `AAAA answer ${aaaaAt}` : `DNS ${dns} (IPv4 RTT)`)
    : attempt(4, s.v4, aAt + rd, `${s.aDelay ? `A answer ${aAt}` : `DNS ${dns} (IPv4 RTT)`} + Resolution Delay ${rd}`);
  const byTimer = first.start + cad;
  const secondStart = Math.min(byTimer, first.failAt);
  const secondWhy = first.failAt < byTimer ? `IPv${first.family} fails ${first.failAt - first.start} (ICMP after its RTT)` : `Connection Attempt Delay ${cad}`;
  const secondFamily = first.family === 6 ? 4 : 6;
  const second = attempt(secondFamily, secondFamily === 4 ? s.v4 : s.v6, Math.max(secondStart, v6First ? 0 : aaaaAt), secondWhy);
  const rttOf = (a: Attempt): number => (a.family === 4 ? s.v4 : s.v6).rtt;
  const tlsOf = (a: Attempt): number => a.connectedAt + rttOf(a);
  const tcpWinner = first.connectedAt <= second.connectedAt ? first : second;
  const tlsWinner = tlsOf(first) <= tlsOf(second) ? first : second;
  const describe = (a: Attempt, tls: boolean): string => {
    const parts = a === first ? [a.why] : [first.why, second.why];
    parts.push(`IPv${a.family} RTT ${rttOf(a)}`);
    if (tls) parts.push(`TLS 1.3 (1 RTT) ${rttOf(a)}`);
    return `${parts.join(' + ')} = ${tls ? tlsOf(a) : a.connectedAt}`;
  };
  const rfcDelay = !v6First || (tcpWinner === second && secondWhy.startsWith('Connection'));
  const limit = {
    tcp: tcpWinner.connectedAt,
    tls: tlsOf(tlsWinner),
    family: tcpWinner.family,
    rfcDelay,
    formula: describe(tcpWinner, false),
    tlsFormula: describe(tlsWinner, true),
  };
  if (!s.https) return limit;
  // Happy Eyeballs v3 (TLS only): the HTTPS answer's IPv6 hint answers the preferred family, so IPv6 starts with it.
  const tls = dns + 2 * s.v6.rtt;
  return { ...limit, tls, tlsFormula: `HTTPS answer with hints ${dns} (IPv4 RTT) + IPv6 RTT ${s.v6.rtt} + TLS 1.3 (1 RTT) ${s.v6.rtt} = ${tls}` };
}
