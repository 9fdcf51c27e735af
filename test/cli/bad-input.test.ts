/**
 * The executable on bad input: exit 2, one line naming the problem and a hint, no stack
 * trace and nothing on stdout (spawned as a user would).
 */
import t from 'tap';
import { runBin } from '../helpers/cli-bin.js';

const BAD: Array<[string[], string, string]> = [
  [[], 'missing command', ''],
  [['frobnicate'], 'unknown command "frobnicate"', ''],
  [['probe'], 'missing host', ' probe'],
  [['probe', 'a.test', 'b.test'], 'unexpected argument "b.test"', ' probe'],
  [['probe', 'bad_host!'], 'invalid host "bad_host!"', ' probe'],
  [['probe', 'a.test:0'], 'invalid port "0" in "a.test:0"', ' probe'],
  [['probe', 'a.test:99999'], 'invalid port "99999"', ' probe'],
  [['probe', '[::1'], 'invalid host "[::1"', ' probe'],
  [['probe', 'a.test', '--port', 'http'], 'invalid port "http"', ' probe'],
  [['probe', 'a.test:80', '--port', '81'], 'conflicting ports', ' probe'],
  [['probe', 'a.test', '--nameserver', 'dns.example'], 'invalid nameserver "dns.example"', ' probe'],
  [['probe', 'a.test', '--nameserver'], 'option --nameserver needs a value', ' probe'],
  [['probe', 'a.test', '--attempt-delay', '5'], 'invalid --attempt-delay "5"', ' probe'],
  [['probe', 'a.test', '--resolution-delay', '5000'], 'invalid --resolution-delay "5000"', ' probe'],
  [['probe', 'a.test', '--timeout', '0'], 'invalid --timeout "0"', ' probe'],
  [['probe', 'a.test', '--json=yes'], 'option --json takes no value', ' probe'],
  [['probe', 'a.test', '--frob'], 'unknown option "--frob"', ' probe'],
  [['resolve', 'a.test:53'], 'resolve takes a host without a port', ' resolve'],
  [['resolve', 'a.test', '--tls'], 'option --tls does not apply to resolve', ' resolve'],
  [['demo', 'extra'], 'unexpected argument "extra"', ' demo'],
  [['help', 'frob'], 'unknown command "frob"', ''],
  [['probe', 'a\u001b[31m.test'], 'invalid host "a\\u001b[31m.test"', ' probe'],
];

t.test('bad input: exit 2, one line naming the problem and a hint, no stack, nothing on stdout', async (t) => {
  // Four children at a time: each is a Node start-up, and they do not interact.
  const runs: Array<Awaited<ReturnType<typeof runBin>>> = [];
  for (let i = 0; i < BAD.length; i += 4) runs.push(...(await Promise.all(BAD.slice(i, i + 4).map(([args]) => runBin(args)))));
  for (const [i, [args, message, command]] of BAD.entries()) {
    const run = runs[i]!;
    t.equal(run.code, 2, `${JSON.stringify(args)}: exit 2`);
    t.equal(run.stdout, '');
    const lines = run.stderr.split('\n');
    t.same(lines.length, 3, 'two lines, newline-terminated');
    t.match(lines[0], `happy-eyeballs: ${message}`);
    t.equal(lines[1], `Try 'happy-eyeballs${command} --help'.`);
    t.notMatch(run.stderr, /\n\s+at /, 'no stack trace');
    t.notMatch(run.stderr, /\x1b/, 'no raw escape reaches the terminal');
  }
});
