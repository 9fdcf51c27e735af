/**
 * The peers, as run inside the lab's client namespace: one function per peer and mode
 * that opens one connection to `host` and reports how long it took, measured from the
 * call (name in hand, nothing cached) to the connected socket or the finished TLS
 * handshake. Each closes its connection at once.
 * - happy-eyeballs: connect() with a Resolver asking the lab's DNS server over UDP;
 * - node: net.connect / tls.connect with autoSelectFamily (getaddrinfo);
 * - python: asyncio.open_connection(happy_eyeballs_delay=0.25) in peer.py (getaddrinfo);
 * - curl: Debian's curl, --happy-eyeballs-timeout-ms 250, its own time_connect /
 *   time_appconnect (getaddrinfo in curl's resolver thread);
 * - reference: net.connect to the IP the ideal client ends on (no DNS, no race).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import tls from 'node:tls';
import type { History } from '../../lib/address/history.js';
import { connect } from '../../lib/connect.js';
import type { RaceEvent } from '../../lib/racer/timeline.js';
import type { Resolver } from '../../lib/resolver.js';
import { within } from '../bench-lib/timing.js';
import { LAB, python3, sourceDir } from './netns.js';

export const PEERS = ['happy-eyeballs', 'node', 'python', 'curl'] as const;
export type PeerName = (typeof PEERS)[number];
export type Mode = 'tcp' | 'tls';
export const ATTEMPT_DELAY_MS = 250;

export interface Measurement {
  /** Ms from the call to the connected socket (tcp) or finished handshake (tls); elapsed time on failure. */
  ms: number;
  /** Remote IP of the connection, or what went wrong (an error code, `bound`). */
  outcome: string;
  /** happy-eyeballs only: its race, `event@ms` in order. */
  trace?: string;
}

export interface PeerContext {
  resolver: Resolver;
  /** Made once from the test CA, as Python's ssl context is: no CA parsing per connection. */
  secureContext: tls.SecureContext;
  caPath: string;
  boundMs: number;
  python: PythonPeer;
  /** Ours' connection history (`connect()`'s `history`). @default the process-wide one */
  history?: History | false | undefined;
  /** Another build of this library (`bench-lab.js --before DIR`): the `before` peer. */
  before?: { connect: typeof connect; resolver: Resolver } | undefined;
}

const port = (mode: Mode): number => (mode === 'tls' ? LAB.ports.https : LAB.ports.http);

/** One measurement of one peer; never throws, never takes much longer than `boundMs`. */
export async function measure(peer: PeerName | 'reference' | 'before', mode: Mode, host: string, ctx: PeerContext): Promise<Measurement> {
  if (peer === 'python') return ctx.python.measure(host, port(mode), mode === 'tls', ctx.boundMs);
  if (peer === 'curl') return curl(host, mode, ctx);
  const started = performance.now();
  const events: RaceEvent[] = [];
  const pending =
    peer === 'happy-eyeballs'
      ? ours(host, mode, ctx, events)
      : peer === 'before'
        ? ours(host, mode, { ...ctx, ...ctx.before! }, events, ctx.before!.connect)
        : peer === 'node'
          ? nodeCore(host, mode, ctx)
          : nodeCore(host, 'tcp', ctx, false);
  const result = await within(pending, ctx.boundMs);
  const ms = performance.now() - started;
  const extra = peer === 'happy-eyeballs' || peer === 'before' ? { trace: traceOf(events) } : {};
  if (!result.done) {
    void pending.then(
      (socket) => socket.destroy(),
      () => {},
    );
    return { ms, outcome: 'bound', ...extra };
  }
  if (result.error) return { ms, outcome: errorCode(result.error), ...extra };
  const socket = result.value!;
  const outcome = socket.remoteAddress ?? '?';
  socket.destroy();
  return { ms, outcome, ...extra };
}

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown };
  return String(e.code ?? e.name ?? err);
}

const short: Partial<Record<RaceEvent['type'], string>> = {
  dns: 'dns',
  'dns:https': 'https',
  'dns:wait': 'wait',
  'attempt:start': 'start',
  'attempt:connected': 'tcp',
  'attempt:success': 'ok',
  'attempt:failure': 'fail',
  'attempt:abandoned': 'drop',
};

/** `dns6@21.3 start6@21.4 ok6@41.9`: formatted after the measurement, which only keeps the events. */
function traceOf(events: RaceEvent[]): string {
  return events.flatMap((e) => (short[e.type] ? [`${short[e.type]}${'family' in e ? e.family : ''}@${e.ms.toFixed(1)}`] : [])).join(' ');
}

function ours(host: string, mode: Mode, ctx: PeerContext, events: RaceEvent[], connectFn = connect): Promise<net.Socket> {
  const tls = mode === 'tls' ? { secureContext: ctx.secureContext } : undefined;
  // No `timeout` option (Node core gets none either); `within` bounds every peer alike.
  const history = ctx.history === undefined ? {} : { history: ctx.history };
  return connectFn({ host, port: port(mode), resolver: ctx.resolver, tls, onEvent: (e) => events.push(e), ...history });
}

/** Node core with its own Happy Eyeballs (`autoSelectFamily`); `race: false` dials an IP literal plainly. */
function nodeCore(host: string, mode: Mode, ctx: PeerContext, race = true): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const options = race ? { host, port: port(mode), autoSelectFamily: true, autoSelectFamilyAttemptTimeout: ATTEMPT_DELAY_MS } : { host, port: port(mode) };
    const socket = mode === 'tls' ? tls.connect({ ...options, servername: host, secureContext: ctx.secureContext }) : net.connect(options);
    socket.once(mode === 'tls' ? 'secureConnect' : 'connect', () => resolve(socket));
    socket.once('error', (err) => (socket.destroy(), reject(err)));
  });
}

/** curl's own timers: time_connect (TCP) or time_appconnect (TLS), from the start of the transfer. */
function curl(host: string, mode: Mode, ctx: PeerContext): Promise<Measurement> {
  const url = `${mode === 'tls' ? 'https' : 'http'}://${host}:${port(mode)}/`;
  // -q first: no ~/.curlrc. No proxy, whatever the environment says.
  const args = [
    '-q',
    '-s',
    '-o',
    '/dev/null',
    '--noproxy',
    '*',
    '--happy-eyeballs-timeout-ms',
    String(ATTEMPT_DELAY_MS),
    '--max-time',
    String(ctx.boundMs / 1000),
    '--cacert',
    ctx.caPath,
    '-w',
    '%{time_connect} %{time_appconnect} %{time_total} %{remote_ip} %{exitcode}',
    url,
  ];
  return new Promise((resolve) => {
    const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'ignore'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', (err) => resolve({ ms: NaN, outcome: `curl ${err.message}` }));
    child.once('close', () => {
      const [connectS, appS, totalS, ip, exit] = out.trim().split(' ');
      const seconds = Number(mode === 'tls' ? appS : connectS);
      if (exit !== '0' || !(seconds > 0)) resolve({ ms: Number(totalS) * 1000, outcome: `curl exit ${exit}` });
      else resolve({ ms: seconds * 1000, outcome: ip ?? '?' });
    });
  });
}

/** peer.py, long-lived: one JSON line per request, one per answer. */
export class PythonPeer {
  readonly #child: ChildProcess;
  readonly #waiting: ((m: Measurement) => void)[] = [];

  constructor(caPath: string) {
    this.#child = spawn(python3(), [join(sourceDir, 'peer.py'), caPath], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.#child.stdout! }).on('line', (line) => this.#waiting.shift()?.(JSON.parse(line) as Measurement));
    this.#child.once('exit', () => {
      for (const waiter of this.#waiting.splice(0)) waiter({ ms: NaN, outcome: 'python exited' });
    });
  }

  measure(host: string, port: number, tls: boolean, boundMs: number): Promise<Measurement> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#child.stdin!.write(`${JSON.stringify({ host, port, tls, bound: boundMs })}\n`);
    });
  }

  close(): void {
    this.#child.stdin!.end();
  }
}
