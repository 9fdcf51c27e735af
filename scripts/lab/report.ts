/** docs/lab-report.md from the lab's results: a summary, the targets, a table per scenario. */
import { ms, times } from '../bench-lib/print.js';
import { median, ratio } from '../bench-lib/stats.js';
import { LAB } from './netns.js';
import { PEERS, type Mode } from './peer-clients.js';
import { bestOther, key, type LabResults, type ScenarioResult, type Spread } from './results.js';
import { RFC8305, type FamilyPath } from './scenarios.js';

const PEER_TEXT = {
  'happy-eyeballs':
    "this library: `connect({ host, port, resolver, history: false })`, its own DNS client asking knot over UDP (`servers`), TLS with `tls: { secureContext }`; no connection history, so every run starts as fresh as the other peers' (what history changes: the section on it below)",
  node: 'Node core `net.connect` / `tls.connect` with `autoSelectFamily: true`, `autoSelectFamilyAttemptTimeout: 250` (getaddrinfo); TLS with the same `secureContext`',
  python: 'Python `asyncio.open_connection(host, port, happy_eyeballs_delay=0.25)`, `ssl=` a default context for TLS (getaddrinfo)',
  curl: "Debian's curl, `--happy-eyeballs-timeout-ms 250`, its own `time_connect` / `time_appconnect` (getaddrinfo in its resolver thread)",
} as const;

const modeLabel = (mode: Mode): string => (mode === 'tcp' ? 'connect' : 'TLS');

function path(p: FamilyPath): string {
  const parts = [`RTT ${p.rtt} ms`];
  if (p.loss > 0) parts.push(`${p.loss * 100} % loss each way`);
  if (p.syn === 'drop') parts.push('SYNs dropped');
  if (p.syn === 'icmp') parts.push('SYNs answered with ICMPv6 Destination Unreachable (code 0, no route)');
  return parts.join(', ');
}

function cell(s: Spread | undefined, limit: number): string {
  if (!s) return '—';
  return `${ms(s.median)} (${times(ratio(s.median, limit))})`;
}

function summaryTable(results: LabResults, mode: Mode): string {
  const head = `| scenario | limit | ${PEERS.join(' | ')} |\n|---|---:|${PEERS.map(() => '---:').join('|')}|`;
  const rows = results.scenarios.map((r) => {
    const limit = mode === 'tcp' ? r.limit.tcp : r.limit.tls;
    const best = Math.min(...PEERS.map((p) => r.spread[key(p, mode)]?.median ?? Infinity));
    const cells = PEERS.map((p) => {
      const text = cell(r.spread[key(p, mode)], limit);
      return r.spread[key(p, mode)]?.median === best ? `**${text}**` : text;
    });
    return `| ${r.scenario.title} | ${limit} | ${cells.join(' | ')} |`;
  });
  return [head, ...rows].join('\n');
}

function targetTable(results: LabResults): string {
  const head = '| scenario | target | measured | |\n|---|---|---:|---|';
  const rows = results.targets.map((t) => {
    const goal = `${t.direction === 'max' ? '≤' : '≥'} ${t.goal}×`;
    const delta = t.deltaMs === undefined ? '' : ` (${t.deltaMs >= 0 ? '+' : ''}${t.deltaMs.toFixed(2)} ms)`;
    const note = t.note ? ` (${t.note})` : '';
    return `| ${t.scenario} | ${t.what} ${goal} | ${times(t.value, 3)}${delta} | ${t.met ? 'met' : '**missed**'}${note} |`;
  });
  return [head, ...rows].join('\n');
}

/** Medians of our race's steps, from the `trace` each happy-eyeballs measurement carries. */
function ourSteps(r: ScenarioResult, mode: Mode): string {
  const traces = (r.samples[key('happy-eyeballs', mode)] ?? []).map((m) => m.trace ?? '');
  const at = (trace: string, tag: RegExp, pick: (xs: number[]) => number): number => {
    const xs = [...trace.matchAll(new RegExp(`${tag.source}@([\\d.]+)`, 'g'))].map((x) => Number(x[1]));
    return xs.length ? pick(xs) : NaN;
  };
  const step = (tag: RegExp, pick: (xs: number[]) => number = (xs) => xs[0]!): string =>
    ms(median(traces.map((t) => at(t, tag, pick)).filter(Number.isFinite)));
  const ref = r.spread[key('reference', 'tcp')];
  return (
    `Our race, medians: first DNS answer ${step(/dns[46]/, (xs) => Math.min(...xs))} ms, first attempt ${step(/start[46]/)} ms, last attempt started ${step(/start[46]/, (xs) => Math.max(...xs))} ms, done ${step(/ok[46]/)} ms` +
    (ref ? `; reference (connect to the IP, no DNS): ${ms(ref.median)} ms.` : '.')
  );
}

function breakdownSection(b: LabResults['breakdown']): string {
  if (!b) return '';
  const who = Object.keys(b);
  const parts = [...new Set(who.flatMap((w) => Object.keys(b[w]!)))].filter((p) => p !== 'total').concat('total');
  const rows = parts.map((p) => `| ${p === 'total' ? '**total**' : p} | ${who.map((w) => (b[w]![p] === undefined ? '' : ms(b[w]![p]!))).join(' | ')} |`);
  return `## Where a healthy connect's time goes

\`scripts/lab/overhead.ts\` on the healthy path (20 ms RTT), 41 runs each, interleaved; median ms of
each part, taken by wrapping dgram's \`send\`/\`'message'\` and \`net.Socket\`'s \`connect\`/\`'connect'\`.
**bare JS** is the least a JavaScript DNS client can do (a new UDP socket, AAAA and A
encoded with dns-packet and sent at once, \`net.connect\` to the first AAAA answer: no cache,
no race, no checks).

| part | ${who.join(' | ')} |
|---|${who.map(() => '---:').join('|')}|
${rows.join('\n')}
`;
}

function scenarioSection(r: ScenarioResult): string {
  const { scenario: s, limit } = r;
  const lines = [
    `### ${s.title}`,
    '',
    `IPv4: ${path(s.v4)}. IPv6: ${path(s.v6)}.${s.aaaaDelay ? ` DNS answers to AAAA questions held ${s.aaaaDelay} ms more.` : ''}${s.aDelay ? ` DNS answers to A questions held ${s.aDelay} ms more.` : ''}${s.https ? ' The names have an HTTPS record with both addresses as hints, answered at once (TLS races use it).' : ''}`,
    '',
    `Physical limit, connect: ${limit.formula} ms. TLS: ${limit.tlsFormula} ms.${limit.rfcDelay ? ' An RFC 8305 delay is part of it.' : ' No RFC 8305 delay applies.'}`,
    '',
    '| peer | mode | median ms | p25–p75 | min–max | / limit | / best other peer | ended on |',
    '|---|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const mode of ['tcp', 'tls'] as const) {
    const limitMs = mode === 'tcp' ? limit.tcp : limit.tls;
    const best = bestOther(r, mode);
    for (const peer of PEERS) {
      const x = r.spread[key(peer, mode)];
      if (!x) continue;
      const outcomes = Object.entries(x.outcomes)
        .map(([o, n]) => `${o} ×${n}`)
        .join(', ');
      lines.push(
        `| ${peer} | ${modeLabel(mode)} | ${ms(x.median)} | ${ms(x.p25)}–${ms(x.p75)} | ${ms(x.min)}–${ms(x.max)} | ${times(ratio(x.median, limitMs))} | ${best ? times(ratio(x.median, best.median)) : '—'} | ${outcomes} |`,
      );
    }
  }
  const ref = r.spread[key('reference', 'tcp')];
  if (ref)
    lines.push(
      `| reference: connect to ${limit.family === 6 ? LAB.server.v6 : LAB.server.v4} | connect | ${ms(ref.median)} | ${ms(ref.p25)}–${ms(ref.p75)} | ${ms(ref.min)}–${ms(ref.max)} | ${times(ratio(ref.median, limit.tcp))} | | |`,
    );
  lines.push(
    '',
    `${ourSteps(r, 'tcp')} With TLS: ${ourSteps(r, 'tls')
      .replace(/^Our race, medians: /, '')
      .replace(/; reference.*$/, '.')}`,
  );
  lines.push(
    '',
    `Relay: ${Object.entries(r.relay)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}.`,
  );
  return lines.join('\n');
}

export function renderReport(results: LabResults, notes = ''): string {
  const env = results.environment;
  return `# Network lab: time to connect, side by side (issue 7)

<!-- Generated by scripts/bench-lab.ts from one run; do not edit by hand (notes: scripts/lab/notes.md). -->

One run on ${results.date.slice(0, 10)}: \`${results.command}\`, ${results.runs} measured runs per peer, mode
and scenario (after ${results.warmup} warm-up run), peers interleaved (the order rotates each run).
Machine: ${env.cpu}, Linux ${env.kernel}, load average ${env.loadAtStart} at the start.
Peers: Node ${env.node}; ${env.python}; ${env.curl}; DNS server ${env.knotd}.
Raw data: \`lab-results.json\` next to this file (every measurement, with our race's timeline).

## The lab

Two network namespaces, \`he-client\` (${LAB.client.v4}, ${LAB.client.v6}) and \`he-server\`
(${LAB.server.v4}, ${LAB.server.v6}), joined by a user-space relay (\`scripts/lab/relay.py\`)
between two TUN devices. The relay holds every packet for its family's one-way delay (half
the RTT), drops a share of packets per family, drops IPv4 or IPv6 TCP SYNs (a black hole)
or answers IPv6 SYNs with ICMPv6 Destination Unreachable after one IPv6 RTT, and can hold
DNS answers to AAAA and to A questions. knotd serves \`${LAB.zone}\` on the server's addresses, port 53;
a wildcard gives every name both addresses. A second zone, \`${LAB.httpsZone}\`, has the same
wildcard plus an HTTPS record (RFC 9460) with both addresses as hints, for the scenario
that asks it. An HTTP server (port 80) and an HTTPS server (port 443, TLS 1.3, the test
CA's certificate for \`*.${LAB.zone}\` and \`*.${LAB.httpsZone}\`) listen dual-stack.
The client namespace's \`/etc/resolv.conf\` (bind-mounted by \`ip netns exec\`) names only
\`${LAB.server.v4}\`, with \`options timeout:${LAB.dns.timeoutSeconds} attempts:${LAB.dns.attempts}\`; this library's
\`Resolver\` gets the same server, timeout and attempts. DNS therefore crosses the IPv4 path.

Every turn of every peer asks a name never asked before (\`r<run>-<peer>-<mode>-<stamp>.${LAB.zone}\`,
under \`${LAB.httpsZone}\` in the HTTPS scenario),
so every figure includes one DNS exchange: time runs from the call (name in hand) to the
connected socket (**connect**) or to the finished TLS handshake (**TLS**).

${PEERS.map((p) => `- **${p}**: ${PEER_TEXT[p]}.`).join('\n')}
- **reference**: \`net.connect\` to the IP the ideal client ends on (no DNS, no race): the
  path's own round trip plus the relay's overhead.

**Physical limit**: what an ideal RFC 8305 client needs on the path: one DNS round trip
over IPv4 (AAAA and A asked in parallel), the RFC's delays where they apply (Resolution
Delay ${RFC8305.resolutionDelay} ms, Connection Attempt Delay ${RFC8305.connectionAttemptDelay} ms; the next attempt at once
when one fails), the winning family's RTT for the TCP handshake and one more for TLS 1.3.
Loss is left out (the lossless path). The formula is under each scenario.

## Summary

Median ms (ratio to the physical limit); the fastest peer in bold.

**Time to connected socket**

${summaryTable(results, 'tcp')}

**Time to TLS done**

${summaryTable(results, 'tls')}

![time to connect per peer and scenario](lab-chart.svg)

## Targets

${targetTable(results)}
${notes ? `\n${notes.trim()}\n` : ''}
${breakdownSection(results.breakdown)}
## Scenarios

${results.scenarios.map(scenarioSection).join('\n\n')}
`;
}
