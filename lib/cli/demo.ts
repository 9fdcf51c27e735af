/**
 * `happy-eyeballs demo`: starts a lab on loopback (lib/lab), probes each of its hosts,
 * then times the same hosts with Node core's clients for contrast. Nothing leaves
 * loopback, and everything the lab started is stopped before it returns.
 */
import { systemClock, type Clock } from '../clock.js';
import { startLab, type Lab, type LabHostSpec } from '../lab/lab.js';
import { Resolver } from '../resolver.js';
import { PROBE_DEFAULTS } from './args.js';
import { CLIENTS, ratio, timeClient, TIMED_OUT, type ClientName, type Timing } from './demo-compare.js';
import { hostPort } from '../options.js';
import { fit, formatMs } from './format.js';
import { runProbe } from './probe.js';
import type { ProbeReport } from './probe-report.js';
import { renderProbe } from './render.js';
import { legendLines } from './timeline.js';
import { type OutputStream, startSpinner, type Style } from './style.js';

export const DEMO_HOSTS: ReadonlyArray<LabHostSpec & { note: string }> = [
  { name: 'dual-stack.he.test', ipv6: 'accept', ipv4: 'accept', note: '::1 and 127.0.0.1 both accept' },
  { name: 'broken-v6.he.test', ipv6: 'black-hole', ipv4: 'accept', note: 'SYNs to ::1 vanish (full accept queue); 127.0.0.1 accepts' },
  { name: 'slow-aaaa.he.test', ipv6: 'accept', ipv4: 'accept', aaaaDelay: 1_000, note: 'the AAAA answer takes 1 s; both addresses accept' },
  { name: 'v4-only.he.test', ipv4: 'accept', note: 'an A record only' },
  { name: 'unreachable.he.test', ipv6: 'closed', ipv4: 'closed', note: 'both ports closed (ECONNREFUSED)' },
];

export interface DemoOptions {
  out: OutputStream;
  /** Where the spinner goes (only on a terminal). */
  err: OutputStream;
  style: Style;
  clock?: Clock | undefined;
  /** Each address's own check in the probes, ms. @default 1000 */
  addressTimeout?: number | undefined;
  /** How long each client may take before it counts as failed, ms. @default 2000 */
  compareTimeout?: number | undefined;
}

export async function runDemo(options: DemoOptions): Promise<number> {
  const { out, style } = options;
  const lab = await startLab({ hosts: [...DEMO_HOSTS] });
  try {
    out.write(intro(lab, style));
    // One probe first, not shown, so one-time costs (module loading, JIT) do not land on the first host.
    await step(options, 'warming up', () => probeHost(lab, DEMO_HOSTS[0]!.name, lab.hosts[0]!.port, options));
    for (const host of lab.hosts) {
      const report = await step(options, `probing ${host.name}`, () => probeHost(lab, host.name, host.port, options));
      out.write(`\n${withoutLegend(renderProbe(report, style), style)}`);
    }
    const limit = options.compareTimeout ?? COMPARE_TIMEOUT;
    const timings = await step(options, 'timing Node core clients', () => compareAll(lab, limit, options.clock ?? systemClock));
    out.write(`\n${comparison(lab, timings, limit, style)}`);
    return 0;
  } finally {
    await lab.close();
  }
}

async function step<T>(options: DemoOptions, text: string, work: () => Promise<T>): Promise<T> {
  const stop = startSpinner(options.err, text, { clock: options.clock ?? systemClock });
  try {
    return await work();
  } finally {
    stop();
  }
}

function intro(lab: Lab, style: Style): string {
  const lines = [
    style.bold('happy-eyeballs demo: a lab on loopback'),
    `DNS server ${lab.nameserver} (zone he.test); every address is ::1 or 127.0.0.1.`,
    '',
    ...DEMO_HOSTS.map((h) => `  ${fit(hostPort(h.name, lab.host(h.name).port), 28)}  ${style.dim(h.note)}`),
    '',
    'Each probe: DNS per family, every address tried on its own, and the race:',
    ...legendLines(style.width).map((line) => style.dim(line)),
  ];
  return `${lines.join('\n')}\n`;
}

/** The race legend is shown once, in the intro, not under every probe. */
function withoutLegend(text: string, style: Style): string {
  const legend = new Set(legendLines(style.width).map((line) => style.dim(line)));
  return text
    .split('\n')
    .filter((line) => !legend.has(line))
    .join('\n');
}

async function probeHost(lab: Lab, name: string, port: number, options: DemoOptions): Promise<ProbeReport> {
  const resolver = new Resolver({ servers: [lab.nameserver], resolvConf: false, hosts: false });
  try {
    return await runProbe({
      host: name,
      port,
      tls: false,
      resolver,
      attemptDelay: PROBE_DEFAULTS.attemptDelay,
      resolutionDelay: PROBE_DEFAULTS.resolutionDelay,
      timeout: PROBE_DEFAULTS.timeout,
      addressTimeout: options.addressTimeout ?? 1_000,
      clock: options.clock,
    });
  } finally {
    resolver.close();
  }
}

/** One client after another, host by host, so no two connects share the machine. */
async function compareAll(lab: Lab, timeoutMs: number, clock: Clock): Promise<Map<string, Record<ClientName, Timing>>> {
  const timings = new Map<string, Record<ClientName, Timing>>();
  for (const host of lab.hosts) {
    const row = {} as Record<ClientName, Timing>;
    for (const client of CLIENTS) {
      row[client] = await timeClient(client, { host: host.name, port: host.port, nameserver: lab.nameserver, timeoutMs, clock });
    }
    timings.set(host.name, row);
  }
  return timings;
}

const COMPARE_TIMEOUT = 2_000;
const HOST_WIDTH = 20;
const CELL_WIDTH = 19;

function comparison(lab: Lab, timings: Map<string, Record<ClientName, Timing>>, limit: number, style: Style): string {
  const header = `${' '.repeat(HOST_WIDTH)}${CLIENTS.map((c) => c.padStart(CELL_WIDTH)).join('')}`;
  const lines = [style.bold('time to a connected socket, each client asking the lab DNS itself'), style.bold(header)];
  for (const host of lab.hosts) {
    const row = timings.get(host.name) as Record<ClientName, Timing>;
    const mine = row['happy-eyeballs'];
    const cells = CLIENTS.map((client) => cell(row[client], client === 'happy-eyeballs' ? '' : ratio(mine, row[client]), limit, style));
    lines.push(`${fit(host.name, HOST_WIDTH)}${cells.join('')}`);
  }
  lines.push(
    style.dim(`v6/v4: the family that connected; ×: time over happy-eyeballs' time; >${limit} ms: gave up.`),
    style.dim('net.connect: autoSelectFamily off, so one address. Both Node clients get AAAA'),
    style.dim('and A together, as getaddrinfo gives them. A few ms either way is loopback noise.'),
  );
  return `${lines.join('\n')}\n`;
}

/** `252 ms v4 19×` or `✗ ECONNREFUSED`, right-aligned in its column. */
function cell(timing: Timing, times: string, limit: number, style: Style): string {
  if (timing.error === TIMED_OUT) return style.red(`✗ >${limit} ms`.padStart(CELL_WIDTH));
  if (timing.error !== null) return style.red(`✗ ${timing.error}`.padStart(CELL_WIDTH));
  const family = timing.address?.includes(':') ? 'v6' : 'v4';
  const text = `${formatMs(timing.ms)} ${family}${times ? ` ${times.padStart(4)}` : ''}`;
  return style.green(text.padStart(CELL_WIDTH));
}
