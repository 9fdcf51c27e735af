/**
 * The whole CLI as one function of (argv, streams, env) → exit status, so it runs in
 * tests without a process; main.ts only binds it to `process`. Every failure ends
 * here as one line on stderr: usage errors exit 2, anything unexpected exits 1 (the
 * stack only with HAPPY_EYEBALLS_DEBUG=1).
 */
import { readFileSync } from 'node:fs';
import { systemClock } from '../clock.js';
import { InvalidArgumentError } from '../errors.js';
import { Resolver, type ResolverOptions } from '../resolver.js';
import { parseArgs, PROBE_DEFAULTS, UsageError, type ProbeCommand, type ResolveCommand } from './args.js';
import { runDemo } from './demo.js';
import { hostPort } from '../options.js';
import { runProbe } from './probe.js';
import { renderProbe, renderResolve } from './render.js';
import { runResolve } from './resolve.js';
import { makeStyle, type OutputStream, startSpinner, type Style } from './style.js';
import { formatUsageError, usage, usageHint } from './usage.js';
import { EXIT_UNREACHABLE, EXIT_USAGE, probeExitCode, resolveExitCode } from './verdict.js';

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
}

const BIN = 'happy-eyeballs';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    return reportFailure(err, io);
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const command = parseArgs(argv);
  switch (command.command) {
    case 'help':
      io.stdout.write(usage(command.topic));
      return 0;
    case 'version':
      io.stdout.write(`${readVersion()}\n`);
      return 0;
    case 'probe':
      return probe(command, io);
    case 'resolve':
      return resolve(command, io);
    case 'demo':
      return runDemo({ out: io.stdout, err: io.stderr, style: styleFor(io, command.noColor) });
  }
}

async function probe(command: ProbeCommand, io: CliIo): Promise<number> {
  const resolver = resolverFor(command.nameservers, command.backend);
  const stop = command.json ? () => {} : startSpinner(io.stderr, `probing ${hostPort(command.host, command.port)}`);
  try {
    const report = await runProbe({
      host: command.host,
      port: command.port,
      tls: command.tls,
      resolver,
      attemptDelay: command.attemptDelay ?? PROBE_DEFAULTS.attemptDelay,
      resolutionDelay: command.resolutionDelay ?? PROBE_DEFAULTS.resolutionDelay,
      timeout: command.timeout ?? PROBE_DEFAULTS.timeout,
    });
    stop();
    io.stdout.write(command.json ? json(report) : renderProbe(report, styleFor(io, command.noColor)));
    return probeExitCode(report);
  } finally {
    stop();
    resolver.close();
  }
}

async function resolve(command: ResolveCommand, io: CliIo): Promise<number> {
  const resolver = resolverFor(command.nameservers, command.backend);
  try {
    const report = await runResolve(command.host, resolver, systemClock);
    io.stdout.write(command.json ? json(report) : renderResolve(report, styleFor(io, command.noColor)));
    return resolveExitCode(report);
  } finally {
    resolver.close();
  }
}

/** `--nameserver` given: those servers; else the system's configuration. `--backend`: where names go. */
function resolverFor(nameservers: string[], backend: ResolverOptions['backend']): Resolver {
  const options: ResolverOptions = nameservers.length > 0 ? { servers: nameservers } : {};
  if (backend !== undefined) options.backend = backend;
  return new Resolver(options);
}

function styleFor(io: CliIo, noColor: boolean): Style {
  return makeStyle({ isTTY: io.stdout.isTTY === true, env: io.env, noColor, columns: io.stdout.columns });
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** One line on stderr; bad input exits 2, anything else 1. */
export function reportFailure(err: unknown, io: CliIo): number {
  if (err instanceof UsageError) {
    io.stderr.write(formatUsageError(err));
    return EXIT_USAGE;
  }
  if (err instanceof InvalidArgumentError) {
    io.stderr.write(`${BIN}: ${err.message}\n${usageHint()}\n`);
    return EXIT_USAGE;
  }
  io.stderr.write(`${BIN}: ${oneLine(err)}\n`);
  if (io.env.HAPPY_EYEBALLS_DEBUG === '1' && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  return EXIT_UNREACHABLE;
}

/** The error's message on one line (control characters would break the terminal). */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
}

/**
 * The version in package.json, found from this module's place: dist/cli/run.js and
 * build/lib/cli/run.js sit two and three levels below the package root.
 */
export function readVersion(from: URL = new URL(import.meta.url)): string {
  for (let up = 1; up <= 4; up++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(`${'../'.repeat(up)}package.json`, from), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'happy-eyeballs' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here (or not readable): look one level up
    }
  }
  throw new Error(`cannot find the package.json of ${BIN} above ${from.pathname}`);
}
