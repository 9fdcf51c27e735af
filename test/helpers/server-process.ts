/** Starting and stopping the real servers the interop tests run as child processes. */
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import net from 'node:net';

/** Spawns a server; it is killed if this process exits first. Its output is read by `untilAccepting`. */
export function startProcess(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  /* c8 ignore next -- a safety net for a test process that dies without stopping its servers */
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return child;
}

/**
 * Resolves once `port` accepts TCP on every host (and the output has shown `readyLine`);
 * rejects when the process exits first (a port taken) or after `readyMs`.
 */
export async function untilAccepting(child: ChildProcess, hosts: string[], port: number, what: string, readyLine = /(?:)/, readyMs = 15_000): Promise<void> {
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += String(chunk)));
  child.stdout?.on('data', (chunk: Buffer) => (output += String(chunk)));
  const deadline = performance.now() + readyMs;
  while (child.exitCode === null && child.signalCode === null) {
    if (readyLine.test(output) && (await Promise.all(hosts.map((host) => accepts(host, port)))).every(Boolean)) return;
    /* c8 ignore next */
    if (performance.now() > deadline) throw new Error(`${what} did not accept on port ${port} within ${readyMs} ms: ${output.trim()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} exited (code ${child.exitCode}, signal ${child.signalCode}) on port ${port}: ${output.trim()}`);
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Stops the process (by its pid) with `signal`, then SIGKILL after 5 s; resolves when it has exited. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
