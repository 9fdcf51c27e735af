/**
 * A real knotd on loopback (127.0.0.1 and ::1, one free high port) serving zones from
 * fixtures, for wire tests and benchmarks. Stop it with `stop()`: the process is killed
 * and its temp dir removed. Tests skip with `unmet(['knot'])` (helpers/requirements.ts)
 * when knotd is not installed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { zoneToText, type Zone } from '../../lib/lab/dns-zone.js';
import { findProgram } from './find-program.js';

export interface KnotServer {
  port: number;
  v4: { address: '127.0.0.1'; port: number; family: 4 };
  v6: { address: '::1'; port: number; family: 6 };
  stop(): Promise<void>;
}

export interface KnotOptions {
  /** knotd UDP worker threads. @default knot's own (one per CPU) */
  udpWorkers?: number;
  /** Milliseconds to wait for knot to answer. @default 10000 */
  readyMs?: number;
  /** Starts to try (each on a new port) before giving up. @default 5 */
  tries?: number;
  /** Path of knotd. @default knotdPath() */
  knotd?: string | undefined;
}

/** Path of knotd, or undefined when it is not installed. */
export function knotdPath(): string | undefined {
  return findProgram('knotd');
}

export async function startKnot(zones: Zone[], options: KnotOptions = {}): Promise<KnotServer> {
  const knotd = 'knotd' in options ? options.knotd : knotdPath();
  if (!knotd) throw new Error('knotd is not installed (Debian package "knot")');
  let lastError: unknown;
  for (let attempt = 0; attempt < (options.tries ?? 5); attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'he-knot-'));
    writeConfig(dir, port, zones, options);
    const child = spawn(knotd, ['-c', join(dir, 'knot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    // A safety net for a test process that dies without stopping knot.
    /* c8 ignore next */
    const killOnExit = (): void => void child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const stop = async (): Promise<void> => {
      process.removeListener('exit', killOnExit);
      await terminate(child);
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      await waitUntilAnswering(child, port, zones[0]!.origin, options.readyMs ?? 10_000);
      return { port, v4: { address: '127.0.0.1', port, family: 4 }, v6: { address: '::1', port, family: 6 }, stop };
    } catch (err) {
      lastError = err;
      await stop();
    }
  }
  throw lastError;
}

function writeConfig(dir: string, port: number, zones: Zone[], options: KnotOptions): void {
  mkdirSync(join(dir, 'db'));
  for (const zone of zones) writeFileSync(join(dir, `${zone.origin}.zone`), zoneToText(zone));
  const workers = options.udpWorkers ? `    udp-workers: ${options.udpWorkers}\n    tcp-workers: 1\n` : '';
  writeFileSync(
    join(dir, 'knot.conf'),
    `server:
    rundir: "${dir}"
    listen: [ 127.0.0.1@${port}, ::1@${port} ]
    udp-max-payload: 1232
${workers}database:
    storage: "${dir}/db"
log:
  - target: stderr
    any: error
template:
  - id: default
    storage: "${dir}"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
${zones.map((z) => `  - domain: ${z.origin}\n`).join('')}`,
  );
}

/** A port free for UDP and TCP on both loopback addresses (knot binds all four). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Polls with a SOA query over both addresses until knot answers; fails if knotd exits. */
async function waitUntilAnswering(child: ChildProcess, port: number, origin: string, readyMs: number): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`knotd exited (${code}): ${stderr.trim()}`))));
  exited.catch(() => {});
  const deadline = Date.now() + readyMs;
  while (Date.now() < deadline) {
    const ready = await Promise.race([Promise.all([soaAnswers('127.0.0.1', port, origin), soaAnswers('::1', port, origin)]), exited]);
    if (ready.every(Boolean)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`knotd did not answer on port ${port} within ${readyMs} ms: ${stderr.trim()}`);
}

function soaAnswers(address: string, port: number, origin: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 200);
    // Unconnected UDP sockets get no ICMP errors: only a host without IPv6 lands here.
    /* c8 ignore next */
    socket.on('error', () => done(false));
    socket.on('message', (msg) => done(msg.length >= 12 && (msg[3]! & 0x0f) === 0));
    socket.send(dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: origin, type: 'SOA' }] }), port, address);
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
