/**
 * Benchmarks run their clients in child processes (so the lab's DNS server and listeners
 * use the other core, and getaddrinfo can run in a mount namespace). The child speaks
 * to its parent with `@@tag json` lines on stdout; everything else is passed through.
 * Every child has a deadline after which it is killed (SIGKILL, by its pid).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ChildOptions {
  /** Shown before the child's passed-through output. */
  label: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Milliseconds before the child is killed. */
  deadlineMs: number;
  /** Called for each `@@tag json` line, in order. */
  onMessage?: (tag: string, value: unknown) => void;
  /** Called for every other stdout line (after it is passed through). */
  onLine?: (line: string) => void;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the deadline ended it. */
  killed: boolean;
  /** The last value sent under each tag. */
  messages: Map<string, unknown>;
}

const live = new Set<ChildProcess>();
// A parent that dies (error, Ctrl-C) takes its children along.
process.once('exit', killAll);

export function killAll(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export function runChild(options: ChildOptions): Promise<ChildResult> {
  const child = spawn(options.command, options.args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const messages = new Map<string, unknown>();
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, options.deadlineMs);
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const match = /^@@(\S+) (.*)$/.exec(line);
    if (!match) {
      process.stdout.write(`  [${options.label}] ${line}\n`);
      return options.onLine?.(line);
    }
    const value: unknown = JSON.parse(match[2]!);
    messages.set(match[1]!, value);
    options.onMessage?.(match[1]!, value);
  });
  createInterface({ input: child.stderr! }).on('line', (line) => process.stderr.write(`  [${options.label}] ${line}\n`));
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      clearTimeout(timer);
      live.delete(child);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, signal, killed, messages });
    });
  });
}

/** Child side: one message to the parent. */
export function send(tag: string, value: unknown): void {
  process.stdout.write(`@@${tag} ${JSON.stringify(value)}\n`);
}

/** The argv that runs this same script again as a child in `mode` (options after it). */
export function selfArgv(scriptUrl: string | URL, mode: string): string[] {
  return [process.execPath, ...process.execArgv, fileURLToPath(scriptUrl), '--child', mode];
}
