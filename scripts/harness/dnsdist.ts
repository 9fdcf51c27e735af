/**
 * A real DoT and DoH peer: dnsdist (Debian package "dnsdist") on loopback with a plain,
 * a TLS and a DoH listener, forwarding to a backend of the test's choosing (a
 * FakeDnsServer, so the test sees what reaches it). No packet cache: every query it
 * forwards reaches the backend. `stop()` kills it and removes its temp dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { findProgram } from './find-program.js';

export interface Dnsdist {
  /** `127.0.0.1:port`: plain UDP/TCP. */
  plain: string;
  /** `tls://127.0.0.1:port#localhost`. */
  dot: string;
  /** `https://127.0.0.1:port/dns-query`. */
  doh: string;
  stop(): Promise<void>;
}

const TLS_FIXTURES = new URL('../../../fixtures/tls/', import.meta.url);

/** Path of dnsdist, or undefined when it is not installed. */
export function dnsdistPath(): string | undefined {
  return findProgram('dnsdist');
}

export async function startDnsdist(backend: { address: string; port: number }, tries = 5): Promise<Dnsdist> {
  const binary = dnsdistPath();
  /* c8 ignore next -- callers check dnsdistPath() first and skip */
  if (!binary) throw new Error('dnsdist is not installed (Debian package "dnsdist")');
  let lastError: unknown;
  for (let attempt = 0; attempt < tries; attempt++) {
    const [plain, dot, doh] = [await freePort(), await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'he-dnsdist-'));
    copyFileSync(new URL('server.pem', TLS_FIXTURES), join(dir, 'cert.pem'));
    copyFileSync(new URL('server-key.pem', TLS_FIXTURES), join(dir, 'key.pem'));
    writeFileSync(
      join(dir, 'dnsdist.conf'),
      `setSecurityPollSuffix("")
setLocal("127.0.0.1:${plain}")
addTLSLocal("127.0.0.1:${dot}", "${dir}/cert.pem", "${dir}/key.pem", { provider = "openssl", maxInFlight = 100 })
addDOHLocal("127.0.0.1:${doh}", "${dir}/cert.pem", "${dir}/key.pem", "/dns-query")
newServer({ address = "${backend.address}:${backend.port}" }):setUp()
`,
    );
    const child = spawn(binary, ['--supervised', '--disable-syslog', '-C', join(dir, 'dnsdist.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    /* c8 ignore next -- a safety net for a test process that dies without stopping dnsdist */
    const killOnExit = (): void => void child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const stop = async (): Promise<void> => {
      process.removeListener('exit', killOnExit);
      await terminate(child);
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      await waitUntilReady(child, plain, dot);
      return { plain: `127.0.0.1:${plain}`, dot: `tls://127.0.0.1:${dot}#localhost`, doh: `https://127.0.0.1:${doh}/dns-query`, stop };
      /* c8 ignore start -- a port taken between freePort() and dnsdist's bind: try others */
    } catch (err) {
      lastError = err;
      await stop();
    }
  }
  throw lastError;
}
/* c8 ignore stop */

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Ready when a plain query is answered and the TLS port accepts; fails if dnsdist exits. */
async function waitUntilReady(child: ChildProcess, plain: number, dot: number): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`dnsdist exited (${code}): ${stderr.trim()}`))));
  exited.catch(() => {});
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const ready = await Promise.race([Promise.all([answers(plain), accepts(dot)]), exited]);
    if (ready.every(Boolean)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  /* c8 ignore start -- only when dnsdist hangs at start-up */
  throw new Error(`dnsdist did not come up: ${stderr.trim()}`);
}
/* c8 ignore stop */

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 200);
    socket.on('message', () => done(true));
    socket.send(dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: 'ready.invalid', type: 'A' }] }), port, '127.0.0.1');
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  /* c8 ignore next -- dnsdist exited by itself (it failed to start: see waitUntilReady) */
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
