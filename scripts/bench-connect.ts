/**
 * Time to a connected socket on loopback: happy-eyeballs `connect()` against Node core's
 * `net.connect({ autoSelectFamily: true })`, side by side in one run.
 *
 *   npx tsc -p tsconfig.json && node build/scripts/bench-connect.js [--runs N] [--json]
 *
 * Addresses come from an in-memory resolver (ours: two streams; Node: one `lookup`
 * callback that, like getaddrinfo, answers when both families are in). Scenarios:
 * - healthy: ::1 and 127.0.0.1 both accept; answers at once (overhead).
 * - v6-black-hole: SYNs to [::1]:P are dropped (full accept queue), 127.0.0.1:P accepts.
 * - slow-aaaa: AAAA answers after 500 ms, A at once; both addresses accept.
 * Figures are medians and p90 in ms; compare within one run only.
 */
import type dns from 'node:dns';
import net from 'node:net';
import { connect } from '../lib/connect.js';
import type { AddressResolver, RecordType } from '../lib/dns/types.js';
import { blackHoleBesideServer, listen } from '../test/helpers/black-hole.js';
import { closeServer, dualListen } from '../test/helpers/race-loopback.js';

interface Scenario {
  name: string;
  /** Milliseconds before each family's answer. */
  delays: Record<RecordType, number>;
  setup(): Promise<{ port: number; close(): Promise<void> }>;
}

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 15;
const asJson = args.includes('--json');

function resolverWith(delays: Record<RecordType, number>): AddressResolver {
  const addresses: Record<RecordType, string> = { AAAA: '::1', A: '127.0.0.1' };
  return {
    query: (name, type, options) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          options?.signal?.removeEventListener('abort', onAbort);
          resolve({ name, type, records: [{ address: addresses[type], ttl: 60 }], ttl: 60, cnames: [], source: 'dns' });
        }, delays[type]);
        const onAbort = (): void => {
          clearTimeout(timer);
          reject(new Error('aborted'));
        };
        options?.signal?.addEventListener('abort', onAbort, { once: true });
      }),
  };
}

/** Node core's path: one lookup answering both families once both are in. */
function nodeLookup(delays: Record<RecordType, number>): net.LookupFunction {
  return ((_host: string, _options: unknown, callback: (err: null, addresses: dns.LookupAddress[]) => void) => {
    setTimeout(() => callback(null, [{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }]), Math.max(delays.AAAA, delays.A));
  }) as unknown as net.LookupFunction;
}

async function timeIt(open: () => Promise<net.Socket>): Promise<number> {
  const started = performance.now();
  const socket = await open();
  const ms = performance.now() - started;
  socket.destroy();
  return ms;
}

function nodeConnect(port: number, delays: Record<RecordType, number>): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: 'bench.test', port, autoSelectFamily: true, lookup: nodeLookup(delays) });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

const held: net.Socket[] = [];
const accepting = (): net.Server => net.createServer((s) => held.push(s));

const scenarios: Scenario[] = [
  {
    name: 'healthy',
    delays: { AAAA: 0, A: 0 },
    setup: async () => {
      const { v6, v4, port } = await dualListen(accepting);
      return { port, close: () => Promise.all([closeServer(v6, held), closeServer(v4)]).then(() => {}) };
    },
  },
  {
    name: 'v6-black-hole',
    delays: { AAAA: 0, A: 0 },
    setup: async () => {
      const { hole, server, port } = await blackHoleBesideServer((p) => listen(accepting(), '127.0.0.1', p));
      return { port, close: async () => (await closeServer(server, held), await hole.close()) };
    },
  },
  {
    name: 'slow-aaaa',
    delays: { AAAA: 500, A: 0 },
    setup: async () => {
      const { v6, v4, port } = await dualListen(accepting);
      return { port, close: () => Promise.all([closeServer(v6, held), closeServer(v4)]).then(() => {}) };
    },
  },
];

const quantile = (xs: number[], q: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};

const results: Array<{ scenario: string; client: string; median: number; p90: number; runs: number }> = [];
for (const scenario of scenarios) {
  const lab = await scenario.setup();
  const clients: Record<string, () => Promise<net.Socket>> = {
    'happy-eyeballs': () => connect({ host: 'bench.test', port: lab.port, resolver: resolverWith(scenario.delays) }),
    'node autoSelectFamily': () => nodeConnect(lab.port, scenario.delays),
  };
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(clients).map((k) => [k, []]));
  // Interleave the clients run by run so drift hits both alike.
  for (let i = 0; i < runs; i++) {
    for (const [name, open] of Object.entries(clients)) samples[name]?.push(await timeIt(open));
  }
  for (const [client, xs] of Object.entries(samples)) {
    results.push({ scenario: scenario.name, client, median: quantile(xs, 0.5), p90: quantile(xs, 0.9), runs: xs.length });
  }
  await lab.close();
}

if (asJson) console.log(JSON.stringify({ node: process.version, runs, results }, null, 2));
else {
  console.log(`node ${process.version}, ${runs} runs per client and scenario (ms)`);
  console.log('scenario         client                  median      p90');
  for (const r of results) console.log(`${r.scenario.padEnd(16)} ${r.client.padEnd(22)} ${r.median.toFixed(1).padStart(7)} ${r.p90.toFixed(1).padStart(8)}`);
}
