/**
 * Command-line parsing for `happy-eyeballs`: node:util's parseArgs splits argv, and every
 * mistake becomes one `UsageError` with a one-line message naming the value (main prints
 * it and exits 2). Hosts, ports, servers and delays are checked by the library's own
 * rules and ranges (options.ts, dns/name.ts, system/server-address.ts, connect-options.ts).
 *
 *   happy-eyeballs probe <host>[:port] [--port N] [--tls] [--json] [--nameserver SERVER]…
 *                        [--attempt-delay MS] [--resolution-delay MS] [--timeout MS]
 *                        [--backend dns|system|auto]
 *   happy-eyeballs resolve <host> [--json] [--nameserver SERVER]… [--backend dns|system|auto]
 *   (SERVER: IP[:PORT], [IPv6]:PORT, tls://IP[:PORT][#NAME] or https://HOST[:PORT]/PATH)
 *   happy-eyeballs demo
 *   happy-eyeballs help [command] | --help | -h | --version | -v      (--no-color anywhere)
 *
 * Options may come before or after the positionals, as `--opt value` or `--opt=value`;
 * `--` ends the options. A repeated single-value option: the last one wins.
 * Once the command word is known to be valid, `--help` wins over everything else, then
 * `--version`, then the first error.
 */
import { isIP } from 'node:net';
import { parseArgs as splitArgv, type ParseArgsConfig } from 'node:util';
import { attemptDelayRange, resolutionDelayRange } from '../connect-options.js';
import { isValidHostname } from '../dns/name.js';
import { MAX_TIMER_MS, parsePort, splitHostPort } from '../options.js';
import { parseServerEntry } from '../system/server-address.js';

export type CommandName = 'probe' | 'resolve' | 'demo';
type CliBackend = 'dns' | 'system' | 'auto';
const BACKENDS: readonly CliBackend[] = ['dns', 'system', 'auto'];
const COMMANDS: readonly CommandName[] = ['probe', 'resolve', 'demo'];

export interface ProbeCommand {
  command: 'probe';
  host: string;
  /** From `host:port` or `--port`; else 443 with `--tls`, 80 without. */
  port: number;
  tls: boolean;
  json: boolean;
  nameservers: string[];
  /** Only set when given; main applies `PROBE_DEFAULTS`. */
  attemptDelay?: number;
  resolutionDelay?: number;
  timeout?: number;
  /** Only set when given: where names are resolved (Resolver `backend`). */
  backend?: CliBackend;
  noColor: boolean;
}
export interface ResolveCommand {
  command: 'resolve';
  host: string;
  json: boolean;
  nameservers: string[];
  /** Only set when given: where names are resolved (Resolver `backend`). */
  backend?: CliBackend;
  noColor: boolean;
}
interface DemoCommand {
  command: 'demo';
  noColor: boolean;
}
interface HelpCommand {
  command: 'help';
  topic?: CommandName;
}
interface VersionCommand {
  command: 'version';
}
export type ParsedCommand = ProbeCommand | ResolveCommand | DemoCommand | HelpCommand | VersionCommand;

/** Defaults main applies when an option is absent (ms); the help text shows them. */
export const PROBE_DEFAULTS = { attemptDelay: 250, resolutionDelay: 50, timeout: 10_000 } as const;
export const DEFAULT_PORT = { tcp: 80, tls: 443 } as const;

/** Bad command line. `command` names the usage to point at, if one is known. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly code = 'ERR_HE_USAGE';
  readonly command: CommandName | undefined;

  constructor(message: string, command?: CommandName) {
    super(message);
    this.command = command;
  }
}

/** Every option; `commands`: those it applies to (none: every command). */
const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  'no-color': { type: 'boolean' },
  port: { type: 'string' },
  tls: { type: 'boolean' },
  json: { type: 'boolean' },
  nameserver: { type: 'string', multiple: true },
  'attempt-delay': { type: 'string' },
  'resolution-delay': { type: 'string' },
  timeout: { type: 'string' },
  backend: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const APPLIES_TO: Partial<Record<string, readonly CommandName[]>> = {
  '--port': ['probe'],
  '--tls': ['probe'],
  '--json': ['probe', 'resolve'],
  '--nameserver': ['probe', 'resolve'],
  '--attempt-delay': ['probe'],
  '--resolution-delay': ['probe'],
  '--timeout': ['probe'],
  '--backend': ['probe', 'resolve'],
};

interface OptionToken {
  name: string;
  value: string | undefined;
}
interface Tokens {
  positionals: string[];
  options: OptionToken[];
  /** The first malformed option; thrown once the command (for the hint) is known. */
  problem: string | undefined;
}

/** Parses `process.argv.slice(2)`. Throws `UsageError` on any bad input. */
export function parseArgs(argv: readonly string[]): ParsedCommand {
  const tokens = tokenize(argv);
  const [first, ...rest] = tokens.positionals;
  const has = (name: string): boolean => tokens.options.some((o) => o.name === name);
  const command = first === undefined ? undefined : commandName(first);
  if (first === 'help') return helpTopic(rest);
  if (first !== undefined && command === undefined) throw new UsageError(`unknown command ${quote(first)}`);
  if (has('--help')) return command ? { command: 'help', topic: command } : { command: 'help' };
  if (has('--version')) return { command: 'version' };
  if (tokens.problem !== undefined) throw new UsageError(tokens.problem, command);
  if (command === undefined) throw new UsageError('missing command');
  checkApplicable(tokens.options, command);
  if (command === 'probe') return probeCommand(rest, tokens.options);
  if (command === 'resolve') return resolveCommand(rest, tokens.options);
  expectPositionals(rest, 0, command);
  return { command: 'demo', noColor: has('--no-color') };
}

/**
 * Step 1: argv as parseArgs splits it (options anywhere, `--opt=value`, `--` ends the
 * options), noting the first bad option: unknown, short ones grouped (`-hv`), a value on
 * a flag, or none (an option name is no value) for an option that takes one.
 */
function tokenize(argv: readonly string[]): Tokens {
  const tokens: Tokens = { positionals: [], options: [], problem: undefined };
  const note = (problem: string): void => void (tokens.problem ??= problem);
  const { tokens: parsed } = splitArgv({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const indexes = parsed.flatMap((token) => (token.kind === 'option' ? [token.index] : []));
  for (const token of parsed) {
    if (token.kind === 'positional') tokens.positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = (OPTIONS as Record<string, { type: 'boolean' | 'string' } | undefined>)[token.name];
    const grouped = indexes.indexOf(token.index) !== indexes.lastIndexOf(token.index);
    if (!spec || grouped) {
      note(`unknown option ${quote(token.rawName.startsWith('--') ? token.rawName : (argv[token.index] as string))}`);
      continue;
    }
    const name = `--${token.name}`;
    let value = token.value;
    if (spec.type === 'boolean' && value !== undefined) note(`option ${name} takes no value`);
    if (spec.type === 'string' && (value === undefined || (!token.inlineValue && value.startsWith('--')))) {
      note(`option ${name} needs a value`);
      value = undefined;
    }
    tokens.options.push({ name, value });
  }
  return tokens;
}

function commandName(word: string): CommandName | undefined {
  return COMMANDS.find((c) => c === word);
}

function helpTopic(rest: string[]): HelpCommand {
  const [topic, ...extra] = rest;
  if (topic === undefined) return { command: 'help' };
  const command = commandName(topic);
  if (!command) throw new UsageError(`unknown command ${quote(topic)}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${quote(extra[0] as string)}`, command);
  return { command: 'help', topic: command };
}

function checkApplicable(options: OptionToken[], command: CommandName): void {
  for (const { name } of options) {
    const commands = APPLIES_TO[name];
    if (commands && !commands.includes(command)) throw new UsageError(`option ${name} does not apply to ${command}`, command);
  }
}

function expectPositionals(rest: string[], count: number, command: CommandName): void {
  if (rest.length < count) throw new UsageError('missing host', command);
  if (rest.length > count) throw new UsageError(`unexpected argument ${quote(rest[count] as string)}`, command);
}

/** The last value of a single-value option (last one wins), if given. */
function lastValue(options: OptionToken[], name: string): string | undefined {
  return options.filter((o) => o.name === name).pop()?.value;
}

function flag(options: OptionToken[], name: string): boolean {
  return options.some((o) => o.name === name);
}

function probeCommand(rest: string[], options: OptionToken[]): ProbeCommand {
  expectPositionals(rest, 1, 'probe');
  const input = rest[0] as string;
  const target = parseTarget(input, 'probe');
  const tls = flag(options, '--tls');
  const portText = lastValue(options, '--port');
  const port = portText === undefined ? undefined : portOf(portText, '--port', 'probe');
  if (port !== undefined && target.port !== undefined && port !== target.port) {
    throw new UsageError(`conflicting ports: ${quote(input)} and --port ${port}`, 'probe');
  }
  const probe: ProbeCommand = {
    command: 'probe',
    host: target.host,
    port: port ?? target.port ?? (tls ? DEFAULT_PORT.tls : DEFAULT_PORT.tcp),
    tls,
    json: flag(options, '--json'),
    nameservers: nameservers(options, 'probe'),
    noColor: flag(options, '--no-color'),
  };
  const attemptDelay = numberOption(options, '--attempt-delay', attemptDelayRange.min, attemptDelayRange.max);
  const resolutionDelay = numberOption(options, '--resolution-delay', resolutionDelayRange.min, resolutionDelayRange.max);
  const timeout = numberOption(options, '--timeout', 1, MAX_TIMER_MS);
  if (attemptDelay !== undefined) probe.attemptDelay = attemptDelay;
  if (resolutionDelay !== undefined) probe.resolutionDelay = resolutionDelay;
  if (timeout !== undefined) probe.timeout = timeout;
  const backend = backendOption(options, 'probe');
  if (backend !== undefined) probe.backend = backend;
  return probe;
}

function resolveCommand(rest: string[], options: OptionToken[]): ResolveCommand {
  expectPositionals(rest, 1, 'resolve');
  const input = rest[0] as string;
  const target = parseTarget(input, 'resolve');
  if (target.port !== undefined) throw new UsageError(`resolve takes a host without a port: ${quote(input)}`, 'resolve');
  const resolve: ResolveCommand = {
    command: 'resolve',
    host: target.host,
    json: flag(options, '--json'),
    nameservers: nameservers(options, 'resolve'),
    noColor: flag(options, '--no-color'),
  };
  const backend = backendOption(options, 'resolve');
  if (backend !== undefined) resolve.backend = backend;
  return resolve;
}

/** `--backend dns|system|auto`, if given. */
function backendOption(options: OptionToken[], command: CommandName): CliBackend | undefined {
  const text = lastValue(options, '--backend');
  if (text === undefined) return undefined;
  if (!BACKENDS.includes(text as CliBackend)) throw new UsageError(`invalid --backend ${quote(text)} (expected dns, system or auto)`, command);
  return text as CliBackend;
}

/** `name`, `name:port`, `v4:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal: a host the library takes. */
function parseTarget(input: string, command: CommandName): { host: string; port: number | undefined } {
  const split = splitHostPort(input);
  const valid = split !== undefined && (split.bracketed ? isIP(split.host) === 6 : isIP(split.host) !== 0 || isValidHostname(split.host));
  if (!valid) throw new UsageError(`invalid host ${quote(input)} (expected a host name or an IP address)`, command);
  return { host: split.host, port: split.port === undefined ? undefined : portOf(split.port, input, command) };
}

function portOf(text: string, where: string, command: CommandName): number {
  const port = parsePort(text);
  if (port === undefined) {
    const context = where === '--port' ? '' : ` in ${quote(where)}`;
    throw new UsageError(`invalid port ${quote(text)}${context} (expected an integer from 1 to 65535)`, command);
  }
  return port;
}

function nameservers(options: OptionToken[], command: CommandName): string[] {
  return options
    .filter((o) => o.name === '--nameserver')
    .map(({ value }) => {
      const text = value as string; // tokenize() saw to it that a value follows
      try {
        parseServerEntry(text); // as Resolver's `servers` takes it
      } catch {
        throw new UsageError(
          `invalid nameserver ${quote(text)} (expected IP, IP:PORT, [IPv6]:PORT, tls://IP[:PORT][#NAME] or https://HOST[:PORT]/PATH)`,
          command,
        );
      }
      return text;
    });
}

/** A whole number of milliseconds in [min, max], if the option was given. */
function numberOption(options: OptionToken[], name: string, min: number, max: number): number | undefined {
  const text = lastValue(options, name);
  if (text === undefined) return undefined;
  const value = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    throw new UsageError(`invalid ${name} ${quote(text)} (expected whole milliseconds from ${min} to ${max})`, 'probe');
  }
  return value;
}

/** One line, whatever the user typed: JSON quoting escapes control characters. */
function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}
