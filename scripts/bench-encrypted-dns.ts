/**
 * Plain UDP vs DNS over TLS vs DNS over HTTPS, side by side against one loopback backend,
 * in one run: queries per second (N unique names, K in flight, one client per transport
 * with its connection already open) and first-query latency (a new client each time, so
 * the TCP + TLS (+ HTTP/2) handshake is included). Rounds interleave the transports and
 * rotate their order; medians and ratios to UDP are printed.
 *
 * Backends (`--backend`):
 *   dnsdist  dnsdist's UDP, DoT and DoH listeners in front of knotd (bench.test zone);
 *            the default when both are installed
 *   lab      this project's FakeDnsServer, FakeDotServer and FakeDohServer sharing one
 *            zone store, in a child process (so the server has the other core)
 *
 *   npx tsc -p tsconfig.json && node build/scripts/bench-encrypted-dns.js
 *     [--rounds 5] [--queries 5000] [--concurrency 50] [--cold 30] [--backend dnsdist|lab] [--json-out FILE]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DnsClient } from '../lib/dns/client.js';
import { parseServerEntry } from '../lib/system/server-address.js';
import { dnsdistPath, startDnsdist } from './harness/dnsdist.js';
import { knotdPath, startKnot } from './harness/knot.js';
import { ms, numberArg, stringArg, table, times } from './bench-lib/print.js';
import { median, quantile } from './bench-lib/stats.js';

type Transport = 'udp' | 'dot' | 'doh';
const TRANSPORTS: readonly Transport[] = ['udp', 'dot', 'doh'];
type Entries = Record<Transport, string>;

interface Rate {
  qps: number;
  /** Process CPU (user + system) per query, µs. */
  cpuUs: number;
  /** Connections (DoT) or sessions (DoH) the client opened in the round. */
  opened: number;
}

const argv = process.argv.slice(2);
const ROUNDS = numberArg(argv, '--rounds', 5);
const QUERIES = numberArg(argv, '--queries', 5000);
const CONCURRENCY = numberArg(argv, '--concurrency', 50);
const COLD = numberArg(argv, '--cold', 30);
const CA = readFileSync(new URL('../../fixtures/tls/ca.pem', import.meta.url));

function clientFor(entry: string): DnsClient {
  return new DnsClient({ servers: [parseServerEntry(entry)], tls: { ca: CA }, timeout: 5000, attempts: 2 });
}

/** N unique names, K in flight, on a client whose connection is already up. */
async function rate(client: DnsClient, prefix: string): Promise<Rate> {
  const before = client.stats();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < QUERIES) await client.query(`${prefix}-${next++}.bench.test`, 'A');
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const after = client.stats();
  return {
    qps: QUERIES / seconds,
    cpuUs: (used.user + used.system) / QUERIES,
    opened: after.dotConnections + after.dohSessions - before.dotConnections - before.dohSessions,
  };
}

/** One query on a new client: the connection (TLS handshake, HTTP/2 session) is part of it. */
async function firstQuery(entry: string, name: string): Promise<number> {
  const client = clientFor(entry);
  const started = performance.now();
  await client.query(name, 'A');
  const elapsed = performance.now() - started;
  client.close();
  return elapsed;
}

/** One query at a time on an open connection: the round trip without the handshake. */
async function warmQuery(client: DnsClient, name: string): Promise<number> {
  const started = performance.now();
  await client.query(name, 'A');
  return performance.now() - started;
}

async function measure(entries: Entries): Promise<Record<Transport, { rates: Rate[]; cold: number[]; warm: number[] }>> {
  const results = Object.fromEntries(TRANSPORTS.map((t) => [t, { rates: [] as Rate[], cold: [] as number[], warm: [] as number[] }])) as Record<
    Transport,
    { rates: Rate[]; cold: number[]; warm: number[] }
  >;
  const tag = randomBytes(3).toString('hex');
  const clients = Object.fromEntries(TRANSPORTS.map((t) => [t, clientFor(entries[t])])) as Record<Transport, DnsClient>;
  try {
    for (const t of TRANSPORTS) await rate(clients[t], `warm-${t}-${tag}`); // connections up, code warm
    for (let round = 0; round < ROUNDS; round++) {
      const order = TRANSPORTS.map((_, i) => TRANSPORTS[(i + round) % TRANSPORTS.length]!);
      for (const t of order) {
        const r = await rate(clients[t], `r${round}-${t}-${tag}`);
        results[t].rates.push(r);
        console.log(`round ${round} ${t.padEnd(3)} ${r.qps.toFixed(0).padStart(7)} q/s  cpu ${r.cpuUs.toFixed(1)} µs/q  connections opened ${r.opened}`);
      }
    }
    for (let i = 0; i < COLD; i++) {
      for (const t of TRANSPORTS.map((_, k) => TRANSPORTS[(k + i) % TRANSPORTS.length]!)) {
        results[t].cold.push(await firstQuery(entries[t], `cold${i}-${t}-${tag}.bench.test`));
        results[t].warm.push(await warmQuery(clients[t], `single${i}-${t}-${tag}.bench.test`));
      }
    }
  } finally {
    for (const client of Object.values(clients)) client.close();
  }
  return results;
}

function report(backend: string, results: Awaited<ReturnType<typeof measure>>): unknown {
  const rows = TRANSPORTS.map((t) => {
    const r = results[t];
    return {
      transport: t,
      qps: median(r.rates.map((x) => x.qps)),
      cpuUs: median(r.rates.map((x) => x.cpuUs)),
      opened: Math.max(...r.rates.map((x) => x.opened)),
      coldMedian: median(r.cold),
      coldP90: quantile(r.cold, 0.9),
      warmMedian: median(r.warm),
    };
  });
  const udp = rows[0]!;
  console.log(
    `\n${ROUNDS} rounds × ${QUERIES} queries, ${CONCURRENCY} in flight, unique names; ${COLD} cold and warm single queries each; backend: ${backend}`,
  );
  console.log(
    table(
      ['transport', 'q/s (median)', 'vs udp', 'cpu µs/q', 'conns/round', 'first query ms (median)', 'p90', 'vs udp', 'warm query ms'],
      rows.map((r) => [
        r.transport,
        r.qps.toFixed(0),
        times(r.qps / udp.qps),
        r.cpuUs.toFixed(1),
        String(r.opened),
        ms(r.coldMedian),
        ms(r.coldP90),
        times(r.coldMedian / udp.coldMedian),
        ms(r.warmMedian),
      ]),
    ),
  );
  return { backend, rounds: ROUNDS, queries: QUERIES, concurrency: CONCURRENCY, cold: COLD, rows };
}

/** The lab backend, in a child: three servers on one zone store; prints their entries. */
async function labChild(): Promise<void> {
  const { FakeDnsServer } = await import('../lib/lab/dns-server.js');
  const { FakeDotServer } = await import('./harness/dot-server.js');
  const { FakeDohServer } = await import('./harness/doh-server.js');
  const { fixtureZone } = await import('./harness/zones.js');
  const fixture = (name: string): Buffer => readFileSync(new URL(`../../fixtures/tls/${name}`, import.meta.url));
  const credentials = { key: fixture('server-key.pem'), cert: fixture('server.pem') };
  const udp = await FakeDnsServer.start({ zones: [fixtureZone('bench.test')] });
  const dot = await FakeDotServer.start({ credentials, store: udp.store });
  const doh = await FakeDohServer.start({ credentials, store: udp.store });
  console.log(`@@entries ${JSON.stringify({ udp: udp.server, dot: `${dot.entry}#localhost`, doh: doh.url() })}`);
  process.stdin.resume();
  process.stdin.on('end', () => void Promise.all([udp.close(), dot.close(), doh.close()]).then(() => process.exit(0)));
}

async function startLabBackend(): Promise<{ entries: Entries; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const entries = await new Promise<Entries>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`lab backend exited (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('@@entries ')) resolve(JSON.parse(line.slice(10)) as Entries);
    });
  });
  const stop = async (): Promise<void> => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin!.end();
    await exited;
  };
  return { entries, stop };
}

async function startDnsdistBackend(): Promise<{ entries: Entries; stop(): Promise<void> }> {
  const { fixtureZone } = await import('./harness/zones.js');
  const knot = await startKnot([fixtureZone('bench.test')], { udpWorkers: 1 });
  const dnsdist = await startDnsdist(knot.v4);
  const stop = async (): Promise<void> => {
    await dnsdist.stop();
    await knot.stop();
  };
  return { entries: { udp: dnsdist.plain, dot: dnsdist.dot, doh: dnsdist.doh }, stop };
}

async function main(): Promise<void> {
  const backend = stringArg(argv, '--backend') ?? (dnsdistPath() && knotdPath() ? 'dnsdist' : 'lab');
  if (backend !== 'dnsdist' && backend !== 'lab') throw new Error(`--backend takes dnsdist or lab, got ${JSON.stringify(backend)}`);
  const started = backend === 'dnsdist' ? await startDnsdistBackend() : await startLabBackend();
  console.log(`backend ${backend}: ${Object.values(started.entries).join('  ')}`);
  let summary: unknown;
  try {
    summary = report(backend === 'dnsdist' ? 'dnsdist 1.7 (UDP, DoT, DoH) → knotd' : 'lab servers (Node) in a child process', await measure(started.entries));
  } finally {
    await started.stop();
  }
  const jsonOut = stringArg(argv, '--json-out');
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(summary, null, 2)}\n`);
}

if (argv.includes('--child')) await labChild();
else await main();
