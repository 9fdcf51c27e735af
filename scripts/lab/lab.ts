/**
 * The network lab from the command line (root). Build first: `npx tsc -p tsconfig.json`.
 *
 *   node build/scripts/lab/lab.js up [--id he]          namespaces he-client / he-server, relay, knotd, web server
 *   node build/scripts/lab/lab.js set <scenario> [--id he]   switch the path (see scenarios.ts), at run time
 *   node build/scripts/lab/lab.js status [--id he]      what exists, the relay's settings and packet counts
 *   node build/scripts/lab/lab.js down [--id he]        remove everything (also after a crash)
 *
 * Then, e.g.: ip netns exec he-client curl -so /dev/null -w '%{time_connect}\n' http://x.he.test/
 * `up` cleans up after itself when interrupted (SIGINT, SIGTERM) or when a step fails.
 */
import { stringArg } from '../bench-lib/print.js';
import { labDown, labLeftovers, labNames, labUp, readState } from './netns.js';
import { relayControl } from './relay-control.js';
import { relayConfig, scenario, SCENARIOS } from './scenarios.js';

const USAGE = `usage: lab.js up|down|status|set <scenario> [--id ID]\nscenarios: ${SCENARIOS.map((s) => s.key).join(', ')}`;

async function main(argv: string[]): Promise<number> {
  const id = stringArg(argv, '--id') ?? 'he';
  const n = labNames(id);
  switch (argv[0]) {
    case 'up': {
      const interrupted = (signal: NodeJS.Signals): void => {
        console.error(`${signal}: taking the lab down`);
        labDown(id);
        process.exit(130);
      };
      process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
      const { state } = await labUp(id);
      console.log(
        `lab ${id} up: namespaces ${n.clientNs} / ${n.serverNs}, relay pid ${state.relayPid} (control 127.0.0.1:${state.relayPort}), knotd pid ${state.knotPid}, server pid ${state.serverPid}`,
      );
      console.log(`try: ip netns exec ${n.clientNs} curl -so /dev/null -w '%{remote_ip} %{time_connect}\\n' http://x.he.test/`);
      return 0;
    }
    case 'down': {
      const removed = labDown(id);
      console.log(removed.length ? `removed: ${removed.join(', ')}` : `lab ${id}: nothing to remove`);
      const left = labLeftovers(id);
      if (left.length) console.error(`still there: ${left.join(', ')}`);
      return left.length ? 1 : 0;
    }
    case 'status': {
      const left = labLeftovers(id);
      console.log(left.length ? left.join('\n') : `lab ${id} is down`);
      const { relayPort } = readState(n);
      if (relayPort) console.log(JSON.stringify(await relayControl(relayPort, { cmd: 'stats' }), null, 2));
      return 0;
    }
    case 'set': {
      const s = scenario(argv[1] ?? '');
      const { relayPort } = readState(n);
      if (!relayPort) throw new Error(`lab ${id} is not up`);
      const reply = await relayControl(relayPort, { cmd: 'set', ...relayConfig(s) });
      console.log(`${s.key}: ${s.title}\n${JSON.stringify(reply.config)}`);
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
