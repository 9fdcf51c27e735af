/**
 * The executable's help: global and per command, on stdout, exit 0 (spawned as a user would).
 */
import t from 'tap';
import { usage } from '../../lib/cli/usage.js';
import { runBin } from '../helpers/cli-bin.js';

t.test('help: global and per command, on stdout, exit 0', async (t) => {
  const cases: Array<[string[], string]> = [
    [['--help'], usage()],
    [['-h'], usage()],
    [['help'], usage()],
    [['help', 'probe'], usage('probe')],
    [['resolve', '--help'], usage('resolve')],
    [['demo', '-h'], usage('demo')],
  ];
  for (const [args, text] of cases) {
    const run = await runBin(args);
    t.same([run.code, run.stdout, run.stderr], [0, text, ''], args.join(' '));
  }
});
