/**
 * runCli in-process, with streams a test controls: a terminal (spinner, colour),
 * failures that are nobody's input (exit 1, one line, stack only on request), and the
 * helpers main.ts relies on.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { runProbe } from '../../lib/cli/probe.js';
import { oneLine, readVersion, reportFailure, runCli, type CliIo } from '../../lib/cli/run.js';
import type { OutputStream } from '../../lib/cli/style.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { startLab } from '../../lib/lab/lab.js';
import { Resolver } from '../../lib/resolver.js';

const lab = await startLab({ hosts: [{ name: 'dual.he.test', ipv6: 'accept', ipv4: 'accept' }] });
t.teardown(() => lab.close());
const target = `dual.he.test:${lab.host('dual.he.test').port}`;

interface Captured extends OutputStream {
  text: string;
}
const stream = (isTTY: boolean, columns?: number): Captured => {
  const s: Captured = { text: '', isTTY, columns, write: (chunk: string) => ((s.text += chunk), true) };
  return s;
};
const io = (env: Record<string, string> = {}, tty = false): CliIo & { stdout: Captured; stderr: Captured } => ({
  stdout: stream(tty, 100),
  stderr: stream(tty),
  env,
});

t.test('on a terminal: a spinner on stderr while probing, cleared before the coloured report', async (t) => {
  const term = io({}, true);
  const code = await runCli(['probe', target, '--nameserver', lab.nameserver], term);
  t.equal(code, 0);
  t.match(term.stderr.text, `⠋ probing ${target}`, 'the first frame');
  t.ok(term.stderr.text.endsWith('\r\x1b[2K'), 'the line is cleared at the end');
  t.match(term.stdout.text, /\x1b\[/, 'colour on a terminal');
  t.match(term.stdout.text, 'dual-stack');
  const json = io({}, true);
  t.equal(await runCli(['probe', target, '--json', '--nameserver', lab.nameserver], json), 0);
  t.equal(json.stderr.text, '', 'no spinner with --json: scripts read stdout only');
  t.doesNotThrow(() => JSON.parse(json.stdout.text));
});

t.test('NO_COLOR on a terminal: no escapes in the report', async (t) => {
  const term = io({ NO_COLOR: '1' }, true);
  await runCli(['resolve', 'dual.he.test', '--nameserver', lab.nameserver], term);
  t.notMatch(term.stdout.text, /\x1b\[/);
  t.match(term.stdout.text, 'resolve dual.he.test');
});

t.test('an unexpected failure: exit 1 and one line; the stack only with HAPPY_EYEBALLS_DEBUG=1', async (t) => {
  const broken = (env: Record<string, string>): CliIo & { stderr: Captured } => ({
    ...io(env),
    stdout: {
      write: () => {
        throw new Error('disk on fire\nsecond line');
      },
    },
  });
  const quiet = broken({});
  t.equal(await runCli(['--version'], quiet), 1);
  t.equal(quiet.stderr.text, 'happy-eyeballs: disk on fire second line\n');
  const debug = broken({ HAPPY_EYEBALLS_DEBUG: '1' });
  t.equal(await runCli(['--version'], debug), 1);
  t.match(debug.stderr.text, /^happy-eyeballs: disk on fire second line\nError: disk on fire\nsecond line\n\s+at /);
});

t.test('reportFailure: an InvalidArgumentError from the library is bad input (exit 2), anything else exit 1', async (t) => {
  const a = io();
  t.equal(reportFailure(new InvalidArgumentError('resolutionDelay', 5000, 'a number of milliseconds from 0 to 2000'), a), 2);
  t.equal(a.stderr.text, "happy-eyeballs: Invalid resolutionDelay: 5000 (expected a number of milliseconds from 0 to 2000)\nTry 'happy-eyeballs --help'.\n");
  const b = io({ HAPPY_EYEBALLS_DEBUG: '1' });
  t.equal(reportFailure('a string was thrown', b), 1);
  t.equal(b.stderr.text, 'happy-eyeballs: a string was thrown\n', 'no stack to show for a non-Error');
});

t.test('oneLine: control characters folded, an empty message falls back to the name', async (t) => {
  t.equal(oneLine(new Error('a\r\n\tb\x1b[31m')), 'a b [31m');
  t.equal(oneLine(new TypeError('')), 'TypeError');
  t.equal(oneLine(42), '42');
});

t.test('readVersion: found from the module file upwards; a clear error when there is none', async (t) => {
  t.match(readVersion(), /^\d+\.\d+\.\d+/);
  const dir = await mkdtemp(join(tmpdir(), 'he-version-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  t.throws(() => readVersion(pathToFileURL(join(dir, 'a', 'b', 'run.js'))), { message: /cannot find the package\.json of happy-eyeballs above / });
});

t.test('runProbe: options connect() refuses are a typed error, not a report', async (t) => {
  const resolver = new Resolver({ servers: [lab.nameserver], resolvConf: false, hosts: false });
  t.teardown(() => resolver.close());
  await t.rejects(runProbe({ host: 'dual.he.test', port: 80, tls: false, resolver, attemptDelay: 5, resolutionDelay: 50, timeout: 1000 }), {
    name: 'InvalidArgumentError',
    option: 'connectionAttemptDelay',
  });
});
