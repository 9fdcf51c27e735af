import t from 'tap';
import { parseArgs, UsageError, PROBE_DEFAULTS, type CommandName, type ParsedCommand } from '../../lib/cli/args.js';
import { formatUsageError, usage, usageHint } from '../../lib/cli/usage.js';

const probe = (fields: Partial<Extract<ParsedCommand, { command: 'probe' }>>): ParsedCommand => ({
  command: 'probe',
  host: 'example.com',
  port: 80,
  tls: false,
  json: false,
  nameservers: [],
  noColor: false,
  ...fields,
});
const resolve = (fields: Partial<Extract<ParsedCommand, { command: 'resolve' }>>): ParsedCommand => ({
  command: 'resolve',
  host: 'example.com',
  json: false,
  nameservers: [],
  noColor: false,
  ...fields,
});

const label63 = 'a'.repeat(63);
const name253 = [label63, label63, label63, 'b'.repeat(61)].join('.');

const good: Array<{ argv: string[]; want: ParsedCommand }> = [
  // host forms and the default port (80, or 443 with --tls)
  { argv: ['probe', 'example.com'], want: probe({}) },
  { argv: ['probe', 'example.com', '--tls'], want: probe({ tls: true, port: 443 }) },
  { argv: ['probe', 'example.com:8080'], want: probe({ port: 8080 }) },
  { argv: ['probe', 'example.com:8443', '--tls'], want: probe({ port: 8443, tls: true }) },
  { argv: ['probe', 'example.com.'], want: probe({ host: 'example.com.' }) },
  { argv: ['probe', 'localhost:3000'], want: probe({ host: 'localhost', port: 3000 }) },
  { argv: ['probe', '3com.example'], want: probe({ host: '3com.example' }) },
  { argv: ['probe', 'xn--bcher-kva.example'], want: probe({ host: 'xn--bcher-kva.example' }) },
  { argv: ['probe', `${label63}.test`], want: probe({ host: `${label63}.test` }) },
  { argv: ['probe', name253], want: probe({ host: name253 }) },
  { argv: ['probe', `${name253}.`], want: probe({ host: `${name253}.` }) },
  { argv: ['probe', '192.0.2.1'], want: probe({ host: '192.0.2.1' }) },
  { argv: ['probe', '192.0.2.1:65535'], want: probe({ host: '192.0.2.1', port: 65535 }) },
  { argv: ['probe', '[2001:db8::1]:443'], want: probe({ host: '2001:db8::1', port: 443 }) },
  { argv: ['probe', '[::1]'], want: probe({ host: '::1' }) },
  { argv: ['probe', '::1'], want: probe({ host: '::1' }) },
  { argv: ['probe', 'fe80::1%eth0', '--tls'], want: probe({ host: 'fe80::1%eth0', port: 443, tls: true }) },
  { argv: ['probe', '2001:db8::1', '--port', '1'], want: probe({ host: '2001:db8::1', port: 1 }) },
  // --port: both spellings; agreeing with host:port is fine
  { argv: ['probe', '--port=81', 'example.com'], want: probe({ port: 81 }) },
  { argv: ['probe', 'example.com:81', '--port', '81'], want: probe({ port: 81 }) },
  { argv: ['probe', 'example.com', '--port', '80', '--port', '82'], want: probe({ port: 82 }) },
  // every probe option, nameserver forms normalised to Resolver's `servers` syntax
  {
    argv: [
      'probe',
      'example.com',
      '--json',
      '--no-color',
      '--nameserver',
      '127.0.0.1',
      '--nameserver',
      '127.0.0.1:5300',
      '--nameserver=[::1]:5300',
      '--nameserver',
      '::1',
      '--nameserver',
      '[::1]',
      '--nameserver',
      'fe80::1%lo',
      '--attempt-delay',
      '10',
      '--resolution-delay',
      '0',
      '--timeout',
      '1',
    ],
    want: probe({
      json: true,
      noColor: true,
      nameservers: ['127.0.0.1', '127.0.0.1:5300', '[::1]:5300', '::1', '[::1]', 'fe80::1%lo'],
      attemptDelay: 10,
      resolutionDelay: 0,
      timeout: 1,
    }),
  },
  { argv: ['probe', 'example.com', '--attempt-delay=2000', '--timeout', '2147483647'], want: probe({ attemptDelay: 2000, timeout: 2147483647 }) },
  { argv: ['probe', 'example.com', '--timeout', '5', '--timeout', '7'], want: probe({ timeout: 7 }) },
  // options anywhere; `--` ends them
  { argv: ['--no-color', 'probe', '--tls', 'example.com'], want: probe({ noColor: true, tls: true, port: 443 }) },
  { argv: ['probe', '--', 'example.com'], want: probe({}) },
  { argv: ['probe', '--', '-a.test'], want: probe({ host: '-a.test' }) },
  // what the DNS client takes as a name, the CLI takes too (dns/name.ts): no second rule here
  ...['a-.test', 'a_b.test', '1.2.3', '256.1.1.1', '01.2.3.4', '80', '-'].map((host) => ({ argv: ['probe', '--', host], want: probe({ host }) })),
  // resolve
  { argv: ['resolve', 'example.com'], want: resolve({}) },
  { argv: ['resolve', 'example.com', '--json', '--nameserver', '127.0.0.1:53'], want: resolve({ json: true, nameservers: ['127.0.0.1:53'] }) },
  { argv: ['resolve', '[::1]', '--no-color'], want: resolve({ host: '::1', noColor: true }) },
  { argv: ['resolve', '192.0.2.1'], want: resolve({ host: '192.0.2.1' }) },
  // --backend: where names are resolved
  { argv: ['resolve', 'printer.local', '--backend', 'system'], want: resolve({ host: 'printer.local', backend: 'system' }) },
  { argv: ['probe', 'example.com', '--backend=dns', '--backend', 'auto'], want: probe({ backend: 'auto' }) },
  // demo, help, version
  { argv: ['demo'], want: { command: 'demo', noColor: false } },
  { argv: ['demo', '--no-color'], want: { command: 'demo', noColor: true } },
  { argv: ['--help'], want: { command: 'help' } },
  { argv: ['-h'], want: { command: 'help' } },
  { argv: ['help'], want: { command: 'help' } },
  { argv: ['help', 'resolve'], want: { command: 'help', topic: 'resolve' } },
  { argv: ['probe', '--help'], want: { command: 'help', topic: 'probe' } },
  { argv: ['probe', '-h'], want: { command: 'help', topic: 'probe' } },
  { argv: ['demo', '--help'], want: { command: 'help', topic: 'demo' } },
  // --help wins over errors and --version, as GNU tools do
  { argv: ['probe', '--bogus', '--port', '0', 'a..b', '--help'], want: { command: 'help', topic: 'probe' } },
  { argv: ['resolve', '--version', '--help'], want: { command: 'help', topic: 'resolve' } },
  { argv: ['probe', 'example.com', '--help=probe'], want: { command: 'help', topic: 'probe' } },
  { argv: ['--version'], want: { command: 'version' } },
  { argv: ['-v'], want: { command: 'version' } },
  { argv: ['probe', 'example.com', '-v'], want: { command: 'version' } },
  { argv: ['-v', '--bogus'], want: { command: 'version' } },
];

for (const c of good) {
  t.test(`accepts ${JSON.stringify(c.argv)}`, async (t) => {
    t.strictSame(parseArgs(c.argv), c.want);
  });
}

t.test('optional probe numbers are absent when not given (main applies PROBE_DEFAULTS)', async (t) => {
  const parsed = parseArgs(['probe', 'example.com']);
  t.notOk('attemptDelay' in parsed || 'resolutionDelay' in parsed || 'timeout' in parsed);
  t.strictSame(PROBE_DEFAULTS, { attemptDelay: 250, resolutionDelay: 50, timeout: 10_000 });
});

const bad: Array<{ argv: string[]; message: string; command?: CommandName }> = [
  // commands and positionals
  { argv: [], message: 'missing command' },
  { argv: ['--no-color'], message: 'missing command' },
  { argv: ['frobnicate'], message: 'unknown command "frobnicate"' },
  { argv: ['frobnicate', '--help'], message: 'unknown command "frobnicate"' },
  { argv: ['Probe', 'example.com'], message: 'unknown command "Probe"' },
  { argv: ['help', 'frob'], message: 'unknown command "frob"' },
  { argv: ['help', 'probe', 'extra'], message: 'unexpected argument "extra"', command: 'probe' },
  { argv: ['probe'], message: 'missing host', command: 'probe' },
  { argv: ['probe', '--tls'], message: 'missing host', command: 'probe' },
  { argv: ['resolve'], message: 'missing host', command: 'resolve' },
  { argv: ['probe', 'a.test', 'b.test'], message: 'unexpected argument "b.test"', command: 'probe' },
  { argv: ['demo', 'extra'], message: 'unexpected argument "extra"', command: 'demo' },
  // malformed hosts
  ...[
    '',
    'a..b',
    '.a',
    'exa mple.com',
    `${'a'.repeat(64)}.test`,
    `${name253}b`,
    `${name253}..`,
    'example.com/path',
    '[example.com]:80',
    '[192.0.2.1]:80',
    '[::1',
    '::1]',
    '[::1]x',
    '[]:80',
    ':::',
    'fe80::1%',
  ].map((host) => ({
    argv: ['probe', host],
    message: `invalid host ${JSON.stringify(host).slice(0, 40)}`,
    command: 'probe' as const,
  })),
  { argv: ['probe', '-a.test'], message: 'unknown option "-a.test"', command: 'probe' },
  { argv: ['resolve', 'a..b'], message: 'invalid host "a..b"', command: 'resolve' },
  { argv: ['resolve', 'example.com:53'], message: 'resolve takes a host without a port: "example.com:53"', command: 'resolve' },
  { argv: ['resolve', '[::1]:53'], message: 'without a port: "[::1]:53"', command: 'resolve' },
  // ports, in host:port and --port
  ...['0', '65536', 'abc', '1.5', '', '-1', '+80', '0x50', '1e3', '100000', ' 80'].flatMap((port) => [
    { argv: ['probe', `example.com:${port}`], message: `invalid port ${JSON.stringify(port)} in "example.com:${port}"`, command: 'probe' as const },
    {
      argv: ['probe', 'example.com', `--port=${port}`],
      message: `invalid port ${JSON.stringify(port)} (expected an integer from 1 to 65535)`,
      command: 'probe' as const,
    },
  ]),
  { argv: ['probe', '[::1]:0'], message: 'invalid port "0" in "[::1]:0"', command: 'probe' },
  { argv: ['probe', 'https://example.com'], message: 'invalid port "//example.com"', command: 'probe' },
  { argv: ['probe', 'example.com:80', '--port', '8080'], message: 'conflicting ports: "example.com:80" and --port 8080', command: 'probe' },
  { argv: ['probe', '[::1]:443', '--tls', '--port=8443'], message: 'conflicting ports: "[::1]:443" and --port 8443', command: 'probe' },
  // options: unknown, missing value, value on a flag, not for this command
  { argv: ['probe', 'example.com', '--bogus'], message: 'unknown option "--bogus"', command: 'probe' },
  { argv: ['probe', 'example.com', '--Port', '80'], message: 'unknown option "--Port"', command: 'probe' },
  { argv: ['probe', 'example.com', '-x'], message: 'unknown option "-x"', command: 'probe' },
  { argv: ['probe', 'example.com', '-hv'], message: 'unknown option "-hv"', command: 'probe' },
  { argv: ['--bogus', 'resolve', 'example.com'], message: 'unknown option "--bogus"', command: 'resolve' },
  { argv: ['--bogus'], message: 'unknown option "--bogus"' },
  { argv: ['probe', 'example.com', '--port'], message: 'option --port needs a value', command: 'probe' },
  { argv: ['probe', 'example.com', '--timeout'], message: 'option --timeout needs a value', command: 'probe' },
  { argv: ['probe', 'example.com', '--nameserver', '--json'], message: 'option --nameserver needs a value', command: 'probe' },
  { argv: ['resolve', 'example.com', '--nameserver'], message: 'option --nameserver needs a value', command: 'resolve' },
  { argv: ['probe', 'example.com', '--tls=yes'], message: 'option --tls takes no value', command: 'probe' },
  { argv: ['resolve', 'example.com', '--tls'], message: 'option --tls does not apply to resolve', command: 'resolve' },
  { argv: ['resolve', 'example.com', '--port', '53'], message: 'option --port does not apply to resolve', command: 'resolve' },
  { argv: ['resolve', 'example.com', '--timeout', '5'], message: 'option --timeout does not apply to resolve', command: 'resolve' },
  { argv: ['demo', '--json'], message: 'option --json does not apply to demo', command: 'demo' },
  { argv: ['demo', '--nameserver', '127.0.0.1'], message: 'option --nameserver does not apply to demo', command: 'demo' },
  // nameservers
  ...[
    'ns.example.com',
    'localhost:53',
    '127.0.0.1:0',
    '127.0.0.1:65536',
    '127.0.0.1:',
    '127.0.0.1:dns',
    '[127.0.0.1]:53',
    '[::1]:abc',
    '[::1',
    '[::1]53',
    '1.2.3.4.5',
    '',
    '::1]',
    'fe80::1%',
  ].flatMap((server) => [
    { argv: ['probe', 'example.com', `--nameserver=${server}`], message: `invalid nameserver ${JSON.stringify(server)}`, command: 'probe' as const },
    { argv: ['resolve', 'example.com', `--nameserver=${server}`], message: `invalid nameserver ${JSON.stringify(server)}`, command: 'resolve' as const },
  ]),
  // numbers: whole non-negative milliseconds; attempt delay 10..2000 (R13, R14); timeout ≥ 1
  ...[
    ['--attempt-delay', '9'],
    ['--attempt-delay', '0'],
    ['--attempt-delay', '2001'],
    ['--attempt-delay', '-5'],
    ['--attempt-delay', 'abc'],
    ['--attempt-delay', '250ms'],
    ['--resolution-delay', '-1'],
    ['--resolution-delay', '1.5'],
    ['--resolution-delay', '2147483648'],
    ['--resolution-delay', '2001'],
    ['--timeout', '0'],
    ['--timeout', '2147483648'],
    ['--timeout', '99999999999'],
    ['--timeout', '1e3'],
    ['--timeout', ''],
    ['--timeout', ' 5'],
    ['--timeout', 'Infinity'],
    ['--timeout', 'NaN'],
  ].map(([option, value]) => ({
    argv: ['probe', 'example.com', `${option}=${value}`],
    message: `invalid ${option} ${JSON.stringify(value)} (expected whole milliseconds from `,
    command: 'probe' as const,
  })),
  { argv: ['probe', 'example.com', '--timeout', '-5'], message: 'invalid --timeout "-5"', command: 'probe' },
  { argv: ['resolve', 'example.com', '--backend', 'nss'], message: 'invalid --backend "nss" (expected dns, system or auto)', command: 'resolve' },
  { argv: ['probe', 'example.com', '--backend=System'], message: 'invalid --backend "System"', command: 'probe' },
  { argv: ['demo', '--backend', 'dns'], message: 'option --backend does not apply to demo', command: 'demo' },
];

for (const c of bad) {
  t.test(`rejects ${JSON.stringify(c.argv)}`, async (t) => {
    const err = t.throws(() => parseArgs(c.argv), UsageError) as UsageError;
    t.equal(err.code, 'ERR_HE_USAGE');
    t.equal(err.name, 'UsageError');
    t.match(err.message, c.message);
    t.equal(err.command, c.command);
    t.notMatch(err.message, /\n/, 'one line');
  });
}

t.test('a message stays one line and short whatever was typed', async (t) => {
  const err = t.throws(() => parseArgs(['probe', 'evil\nhost\u001b[31m'])) as UsageError;
  t.equal(err.message, 'invalid host "evil\\nhost\\u001b[31m" (expected a host name or an IP address)');
  const long = t.throws(() => parseArgs(['probe', 'x'.repeat(500)])) as UsageError;
  t.ok(long.message.length < 140, long.message);
  t.match(long.message, `"${'x'.repeat(57)}..."`);
});

t.test('the first bad option is the one reported', async (t) => {
  t.throws(() => parseArgs(['probe', 'example.com', '--one', '--two']), { message: 'unknown option "--one"' });
});

t.test('usage text: synopsis, defaults with units, exit codes, examples', async (t) => {
  const global = usage();
  t.match(global, /^Usage: happy-eyeballs <command> \[options\]/);
  for (const command of ['probe', 'resolve', 'demo', 'help']) t.match(global, `\n  ${command}`);
  t.ok(global.endsWith('\n'));
  const probeHelp = usage('probe');
  t.match(probeHelp, /^Usage: happy-eyeballs probe <host>\[:port\] \[options\]/);
  t.match(probeHelp, 'default 443 with --tls, else 80');
  t.match(probeHelp, '10-2000 ms (default 250)');
  t.match(probeHelp, '0-2000 ms (default 50)');
  t.match(probeHelp, 'NODE_EXTRA_CA_CERTS', '--tls says which CAs it trusts');
  t.match(probeHelp, '(default 10000)');
  t.match(probeHelp, 'Examples:\n  happy-eyeballs probe example.com');
  t.match(usage('resolve'), /^Usage: happy-eyeballs resolve <host> \[options\]/);
  t.match(usage('demo'), /^Usage: happy-eyeballs demo \[options\]/);
  for (const text of [global, probeHelp, usage('resolve'), usage('demo')]) {
    t.match(text, /0 {2}reachable[^\n]*\n {2}1 {2}not reachable[^\n]*\n {2}2 {2}bad usage/);
  }
});

t.test('every option a help screen lists is one the parser takes for that command', async (t) => {
  const samples: Record<string, string[]> = {
    '--port': ['--port', '8080'],
    '--nameserver': ['--nameserver', '127.0.0.1'],
    '--attempt-delay': ['--attempt-delay', '100'],
    '--resolution-delay': ['--resolution-delay', '10'],
    '--timeout': ['--timeout', '100'],
    '--backend': ['--backend', 'system'],
  };
  const positionals: Record<CommandName, string[]> = { probe: ['example.com'], resolve: ['example.com'], demo: [] };
  for (const command of ['probe', 'resolve', 'demo'] as const) {
    const listed = [...usage(command).matchAll(/^ {2}(?:-\w, )?\s*(--[a-z-]+)/gm)].map((m) => m[1] as string);
    t.ok(listed.length >= 2, `${command} lists options`);
    for (const option of listed.filter((o) => o !== '--help')) {
      const argv = [command, ...positionals[command], ...(samples[option] ?? [option])];
      t.doesNotThrow(() => parseArgs(argv), `${command} ${option}`);
    }
  }
});

t.test('formatUsageError: message, then the hint for the right command', async (t) => {
  t.equal(formatUsageError(new UsageError('missing host', 'probe')), "happy-eyeballs: missing host\nTry 'happy-eyeballs probe --help'.\n");
  t.equal(formatUsageError(new UsageError('missing command')), "happy-eyeballs: missing command\nTry 'happy-eyeballs --help'.\n");
  t.equal(usageHint('resolve'), "Try 'happy-eyeballs resolve --help'.");
});
