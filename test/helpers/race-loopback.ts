/** Loopback servers and resource checks for connect() tests over real sockets. */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'tap';
import { listen } from './black-hole.js';

/** Closes a server and every connection it holds. */
export async function closeServer(server: net.Server, sockets: net.Socket[] = []): Promise<void> {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Listens on [::1]:P and 127.0.0.1:P with the same free P (retried if P is taken). */
export async function dualListen(make: (family: 4 | 6) => net.Server): Promise<{ v6: net.Server; v4: net.Server; port: number }> {
  let lastError: unknown;
  for (let tries = 0; tries < 6; tries++) {
    const v6 = await listen(make(6), '::1', 0);
    const port = (v6.address() as net.AddressInfo).port;
    try {
      const v4 = await listen(make(4), '127.0.0.1', port);
      return { v6, v4, port };
    } catch (err) {
      await closeServer(v6);
      lastError = err;
    }
  }
  throw lastError;
}

/** A port nothing listens on (connects to it are refused at once). */
export async function closedPort(): Promise<number> {
  const server = await listen(net.createServer(), '127.0.0.1', 0);
  const { port } = server.address() as net.AddressInfo;
  await closeServer(server);
  return port;
}

function resources(): string[] {
  return process.getActiveResourcesInfo().sort();
}

/** The active resources once they stop changing (earlier tests' handles finish closing). */
export async function settledResources(): Promise<string[]> {
  let last = JSON.stringify(resources());
  for (let i = 0; i < 50; i++) {
    await sleep(20);
    const now = JSON.stringify(resources());
    if (now === last) break;
    last = now;
  }
  return resources();
}

/** Waits (bounded) until the active handles and timers are back to `baseline`, then asserts it. */
export async function backToBaseline(t: Test, baseline: string[], what: string): Promise<void> {
  for (let i = 0; i < 50 && JSON.stringify(resources()) !== JSON.stringify(baseline); i++) await sleep(10);
  t.same(resources(), baseline, `${what}: no socket, timer or query left behind`);
}
