/**
 * Runs the built `happy-eyeballs` executable as a child process, as a user would.
 * BIN is the test build (build/lib/cli/main.js: its coverage maps to lib/cli/*.ts);
 * DIST_BIN the shipped one (package.json `bin`). `npm test`'s pretest builds both.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../lib/cli/main.js', import.meta.url));
export const DIST_BIN = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface BinResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
}

export interface BinOptions {
  /** Added to the environment (undefined removes a variable). Colour variables start unset. */
  env?: Record<string, string | undefined>;
  bin?: string;
  /** Killed (SIGKILL) after this long: a hang fails the test instead of stalling the run. */
  timeoutMs?: number;
  /** Node options before the script (e.g. `--import` a module that misbehaves). */
  nodeArgs?: string[];
  /** Called with the child once spawned (e.g. to close its stdout early). */
  onSpawn?: (child: ReturnType<typeof spawn>) => void;
}

export function runBin(args: readonly string[], options: BinOptions = {}): Promise<BinResult> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: undefined,
    FORCE_COLOR: undefined,
    HAPPY_EYEBALLS_DEBUG: undefined,
    ...options.env,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.bin ?? BIN, ...args], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.on('error', () => {}); // closed early on purpose by some tests
    const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.once('error', (err) => (clearTimeout(killer), reject(err)));
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
    options.onSpawn?.(child);
  });
}
