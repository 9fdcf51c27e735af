/**
 * The racer's own cost, without DNS: N sequential connects to [::1]:P by `net.connect`
 * (the floor), by `connect()` with an IP literal, and by `connect()` with a name from a
 * warm cache, rounds alternating. Prints wall time and process CPU per connect. For a
 * profile of one variant: `node --cpu-prof build/scripts/bench-lib/connect-profile.js --only literal`.
 *
 *   node build/scripts/bench-lib/connect-profile.js [--connects 3000] [--rounds 3] [--only floor|literal|warm]
 */
import net from 'node:net';
import { connect } from '../../lib/connect.js';
import type { Answer, AddressResolver, AddressRecordType } from '../../lib/dns/types.js';
import { listen } from '../../lib/lab/black-hole.js';
import { numberArg, stringArg, table } from './print.js';
import { median } from './stats.js';

type Variant = 'floor' | 'literal' | 'warm';

/** A resolver whose answers are always at hand, as a warm cache's are (no I/O). */
const warmResolver: AddressResolver = {
  query: async (name: string, type: AddressRecordType): Promise<Answer> => ({
    name,
    type,
    records: [{ address: type === 'AAAA' ? '::1' : '127.0.0.1', ttl: 60 }],
    ttl: 60,
    cnames: [],
    source: 'cache',
  }),
};

function open(variant: Variant, port: number): Promise<net.Socket> {
  if (variant === 'literal') return connect({ host: '::1', port });
  if (variant === 'warm') return connect({ host: 'warm.he.test', port, resolver: warmResolver });
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '::1', port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function round(variant: Variant, port: number, connects: number): Promise<{ wallUs: number; cpuUs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < connects; i++) (await open(variant, port)).destroy();
  const used = process.cpuUsage(cpu);
  return { wallUs: ((performance.now() - started) * 1000) / connects, cpuUs: (used.user + used.system) / connects };
}

async function main(argv: string[]): Promise<void> {
  const connects = numberArg(argv, '--connects', 3000);
  const rounds = numberArg(argv, '--rounds', 3);
  const only = stringArg(argv, '--only') as Variant | undefined;
  const variants: Variant[] = only ? [only] : ['floor', 'literal', 'warm'];
  const held = new Set<net.Socket>();
  const server = await listen(
    net.createServer((s) => (held.add(s), s.on('error', () => {}), s.on('close', () => held.delete(s)))),
    '::1',
    0,
  );
  const port = (server.address() as net.AddressInfo).port;
  const results = new Map<Variant, Array<{ wallUs: number; cpuUs: number }>>(variants.map((v) => [v, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      for (const v of r % 2 ? [...variants].reverse() : variants) results.get(v)!.push(await round(v, port, connects));
    }
  } finally {
    for (const s of held) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  console.log(`${rounds} rounds × ${connects} sequential connects to [::1]:${port}, median of rounds`);
  console.log(
    table(
      ['variant', 'wall µs/connect', 'cpu µs/connect'],
      variants.map((v) => {
        const xs = results.get(v)!;
        return [v, median(xs.map((x) => x.wallUs)).toFixed(0), median(xs.map((x) => x.cpuUs)).toFixed(0)];
      }),
    ),
  );
}

await main(process.argv.slice(2));
