/**
 * Issue 16: bulk throughput through the socket `createConnection()` returns (the race's
 * winner moved into it) against a socket from `net.connect` (and, with TLS, against
 * `tls.connect`), side by side in one run. Each round sends 64 MiB to a loopback server,
 * which then sends 64 MiB back; the time runs from the first write to the last byte
 * read, after the socket connected. Variants alternate (A B, then B A) round by round.
 * The server runs in a child process, so the client's socket work has a core to itself.
 *
 *   npx tsc -p tsconfig.json && node build/scripts/bench-create-connection.js [--rounds 11] [--mib 64] [--no-tls] [--json-out FILE]
 */
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { createConnection } from '../lib/adapters/create-connection.js';
import { killAll, runChild, selfArgv, send } from './bench-lib/child.js';
import { ms, numberArg, stringArg, table, times } from './bench-lib/print.js';
import { median, ratio } from './bench-lib/stats.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../fixtures/tls/${name}`, import.meta.url));
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

/** Sends `size` bytes from `socket` as fast as it takes them, waiting on 'drain'. */
async function sendAll(socket: net.Socket, size: number): Promise<void> {
  for (let sent = 0; sent < size; sent += CHUNK.length) {
    if (!socket.write(CHUNK)) await once(socket, 'drain');
  }
}

/** Child: a plain and a TLS server that read `size` bytes per connection, then send `size` back. */
async function serve(size: number): Promise<void> {
  const onConnection = (socket: net.Socket): void => {
    let got = 0;
    socket.on('data', (data: Buffer) => {
      got += data.length;
      if (got === size) void sendAll(socket, size).then(() => socket.end());
    });
    socket.on('error', () => socket.destroy());
  };
  const plain = net.createServer(onConnection);
  const secure = tls.createServer({ key: fixture('server-key.pem'), cert: fixture('server.pem') }, onConnection);
  await Promise.all([once(plain.listen(0, '127.0.0.1'), 'listening'), once(secure.listen(0, '127.0.0.1'), 'listening')]);
  send('ports', { plain: (plain.address() as net.AddressInfo).port, secure: (secure.address() as net.AddressInfo).port });
  // Lives until the parent kills it.
}

type Open = (port: number) => net.Socket;

interface Variant {
  name: string;
  server: 'plain' | 'secure';
  open: Open;
  readyEvent: 'connect' | 'secureConnect';
}

const ca = fixture('ca.pem');
const VARIANTS: Variant[] = [
  { name: 'net.connect', server: 'plain', readyEvent: 'connect', open: (port) => net.connect({ host: '127.0.0.1', port }) },
  { name: 'createConnection', server: 'plain', readyEvent: 'connect', open: (port) => createConnection({ host: '127.0.0.1', port }) },
  {
    name: 'tls.connect',
    server: 'secure',
    readyEvent: 'secureConnect',
    open: (port) => tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }),
  },
  {
    name: 'createConnection tls',
    server: 'secure',
    readyEvent: 'secureConnect',
    open: (port) => createConnection({ host: '127.0.0.1', port, tls: { ca, servername: 'localhost' } }),
  },
  {
    // TLS the caller runs over the plain socket before it connects: Node wraps a socket
    // without a native handle in a JS stream (JSStreamSocket), a copy per chunk.
    name: 'tls.connect({ socket: createConnection() })',
    server: 'secure',
    readyEvent: 'secureConnect',
    open: (port) => tls.connect({ socket: createConnection({ host: '127.0.0.1', port }), ca, servername: 'localhost' }),
  },
];

/** One connection: milliseconds from the first write to the last of `size` bytes back. */
async function round(variant: Variant, port: number, size: number): Promise<number> {
  const socket = variant.open(port);
  await once(socket, variant.readyEvent);
  let received = 0;
  const back = new Promise<void>((resolve, reject) => {
    socket.on('data', (data: Buffer) => {
      received += data.length;
      if (received === size) resolve();
    });
    socket.once('error', reject);
  });
  const started = performance.now();
  await sendAll(socket, size);
  await back;
  const elapsed = performance.now() - started;
  socket.destroy();
  return elapsed;
}

async function main(argv: string[]): Promise<void> {
  const rounds = numberArg(argv, '--rounds', 11);
  const mib = numberArg(argv, '--mib', 64);
  const size = mib * 1024 * 1024;
  const [net1, ours1, tls1, ours2, over] = VARIANTS as [Variant, Variant, Variant, Variant, Variant];
  const pairs = argv.includes('--no-tls')
    ? [[net1, ours1]]
    : [
        [net1, ours1],
        [tls1, ours2],
        [tls1, over],
      ];
  let ports: Record<'plain' | 'secure', number> | undefined;
  const [command, ...args] = selfArgv(import.meta.url, 'server');
  let exited = false;
  const child = runChild({
    label: 'server',
    command: command!,
    args: [...args, '--mib', String(mib)],
    deadlineMs: 30 * 60e3,
    onMessage: (tag, value) => {
      if (tag === 'ports') ports = value as typeof ports;
    },
  });
  void child.finally(() => (exited = true));
  while (ports === undefined) {
    if (exited) throw new Error('the server child exited before it listened');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  console.log(`${rounds} rounds × ${mib} MiB each way over loopback, variants alternating; server in a child process\n`);
  const rows: string[][] = [];
  const results: unknown[] = [];
  for (const [theirs, ours] of pairs as Array<[Variant, Variant]>) {
    const samples: Record<string, number[]> = { [theirs.name]: [], [ours.name]: [] };
    const ratios: number[] = [];
    // One warm-up round each, not counted.
    for (const v of [theirs, ours]) await round(v, ports[v.server], size);
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? [theirs, ours] : [ours, theirs];
      const got: Record<string, number> = {};
      for (const v of order) got[v.name] = await round(v, ports[v.server], size);
      samples[theirs.name]!.push(got[theirs.name]!);
      samples[ours.name]!.push(got[ours.name]!);
      ratios.push(ratio(got[ours.name]!, got[theirs.name]!));
    }
    const mt = median(samples[theirs.name]!);
    const mo = median(samples[ours.name]!);
    const rate = (t: number): string => `${((2 * size) / 1048576 / (t / 1000)).toFixed(0)} MiB/s`;
    rows.push([ours.name, ms(mo), rate(mo), theirs.name, ms(mt), rate(mt), times(ratio(mo, mt), 3), times(median(ratios), 3)]);
    results.push({
      ours: ours.name,
      theirs: theirs.name,
      mib,
      rounds,
      oursMs: samples[ours.name],
      theirsMs: samples[theirs.name],
      medianRatio: median(ratios),
    });
  }
  console.log(table(['ours', 'median ms', 'rate', 'alternative', 'median ms', 'rate', 'time ratio of medians', 'median of round ratios'], rows));
  console.log("\nA time ratio above 1 means createConnection's socket was slower.");
  const jsonOut = stringArg(argv, '--json-out');
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
  killAll();
  await child;
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') await serve(numberArg(argv, '--mib', 64) * 1024 * 1024);
else await main(argv);
