/**
 * Many real races end to end, for leak checks: connect() through a Resolver (cache on,
 * a FakeDnsServer upstream) to a name whose IPv6 address is black-holed (SYNs dropped)
 * and whose IPv4 address answers: each race tries ::1, waits `connectionAttemptDelay`,
 * wins on 127.0.0.1 and destroys the hanging IPv6 attempt. Or races cancelled at a
 * random moment. What they leave behind is read from process.getActiveResourcesInfo()
 * and the heap after a full GC.
 */
import net from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '../../lib/connect.js';
import { Resolver } from '../../lib/resolver.js';
import { type BlackHole, blackHoleBesideServer, listen } from '../../lib/lab/black-hole.js';
import { FakeDnsServer } from '../../lib/lab/dns-server.js';
import { fixtureZones } from './zones.js';

export const NAME = 'leak.example.test';

export interface LeakLab {
  port: number;
  resolver: Resolver;
  close(): Promise<void>;
}

/** The black hole on [::1]:P, a server on 127.0.0.1:P, and DNS for NAME. */
export async function startLeakLab(): Promise<LeakLab> {
  const dns = await FakeDnsServer.start({ zones: fixtureZones() });
  dns.setRecords(NAME, 'AAAA', ['::1'], 3600);
  dns.setRecords(NAME, 'A', ['127.0.0.1'], 3600);
  const serve = (port: number): Promise<net.Server> => {
    // Each connection is ended at once: the client has destroyed it or will, so none stays.
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.end();
    });
    return listen(server, '127.0.0.1', port);
  };
  const { hole, server, port } = await blackHoleBesideServer(serve);
  const resolver = new Resolver({ servers: [dns.server], resolvConf: false, hosts: false, timeout: 5000 });
  return { port, resolver, close: () => closeLab(dns, hole, server, resolver) };
}

async function closeLab(dns: FakeDnsServer, hole: BlackHole, server: net.Server, resolver: Resolver): Promise<void> {
  resolver.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await hole.close();
  await dns.close();
}

/**
 * `count` races, `concurrency` at once; how each ended, counted by label: 'won on <ip>',
 * or 'rejected: <error name>'. `cancelAfter`: cancel each race after that many ms (spread
 * over [0, cancelAfter], the first at once, before any DNS); undefined lets them finish.
 */
export async function runRaces(lab: LeakLab, count: number, concurrency: number, cancelAfter?: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const count1 = (label: string): void => void (counts[label] = (counts[label] ?? 0) + 1);
  let next = 0;
  const one = async (i: number): Promise<void> => {
    const pending = connect({ host: NAME, port: lab.port, resolver: lab.resolver, connectionAttemptDelay: 10 });
    const timer = cancelAfter === undefined ? undefined : setTimeout(() => pending.cancel(), (i * 7) % (cancelAfter + 1));
    await pending.then(
      (socket) => {
        count1(`won on ${socket.remoteAddress}`);
        socket.destroy();
      },
      (err: unknown) => count1(`rejected: ${(err as Error).name}`),
    );
    clearTimeout(timer);
  };
  const worker = async (): Promise<void> => {
    while (next < count) await one(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return counts;
}

/** The active handles and timers, sorted, once unchanged for 200 ms (closes finish turns later). */
export async function settledResources(): Promise<string[]> {
  let last = '';
  let same = 0;
  for (let i = 0; i < 250 && same < 10; i++) {
    const now = JSON.stringify(process.getActiveResourcesInfo().sort());
    same = now === last ? same + 1 : 0;
    last = now;
    await sleep(20);
  }
  return JSON.parse(last) as string[];
}

/** The active handles and timers once they equal `baseline`, or after `ms` (sockets close on later turns). */
export async function resourcesBackTo(baseline: string[], ms = 3000): Promise<string[]> {
  const want = JSON.stringify(baseline);
  const until = performance.now() + ms;
  let now = process.getActiveResourcesInfo().sort();
  while (JSON.stringify(now) !== want && performance.now() < until) {
    await sleep(20);
    now = process.getActiveResourcesInfo().sort();
  }
  return now;
}

/** A full GC (exposed at run time when the process was not started with --expose-gc). */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Heap in use after a full GC, bytes: the least of three tries (a GC may leave some for the next). */
export async function heapAfterGc(): Promise<number> {
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    await sleep(20);
    collectGarbage();
    least = Math.min(least, process.memoryUsage().heapUsed);
  }
  return least;
}
