#!/usr/bin/env node
/**
 * The `happy-eyeballs` executable: runs the CLI on this process's argv and streams and
 * exits with its status once everything it opened has closed (no forced exit: a
 * leaked socket or timer would show as a hang, not hide).
 */
import { oneLine, runCli } from './run.js';

const BIN = 'happy-eyeballs';

// A closed pipe (`happy-eyeballs probe x | head -1`) is not an error worth a report.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') crash(err);
});

// Last resort for a throw outside any awaited promise: still one line, still no stack,
// and exit status 1 once the command has finished (no forced exit here either).
let crashed = false;
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

const status = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
process.exitCode = crashed ? 1 : status;

function crash(err: unknown): void {
  crashed = true;
  process.exitCode = 1;
  process.stderr.write(`${BIN}: ${oneLine(err)}\n`);
  if (process.env.HAPPY_EYEBALLS_DEBUG === '1' && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
}
