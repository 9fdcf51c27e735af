/**
 * A loopback listener that silently drops SYNs, like a broken IPv6 path: its accept
 * queue is full and nothing ever accepts. The listening
 * socket lives in a worker thread that blocks its own event loop with Atomics.wait
 * right after listening; two filler connections then fill the queue (backlog 1 holds
 * two). Any further connect to it hangs until the caller gives up.
 */
import net from 'node:net';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

export interface BlackHole {
  host: string;
  port: number;
  /** Releases the worker and the fillers; any connect still waiting gets a reset or hangs until destroyed. */
  close(): Promise<void>;
}

// Plain CommonJS, run with `eval: true`: listen, report the port, then block until told to go.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const gate = new Int32Array(workerData.gate);
const server = net.createServer();
server.on('error', (err) => parentPort.postMessage({ error: err.code || String(err) }));
server.listen({ host: workerData.host, port: workerData.port, backlog: 1, ipv6Only: workerData.ipv6Only }, () => {
  parentPort.postMessage({ port: server.address().port });
  Atomics.wait(gate, 0, 0);
  process.exit(0);
});
`;

export async function startBlackHole(options: { host?: string; port?: number } = {}): Promise<BlackHole> {
  const host = options.host ?? '::1';
  const gate = new SharedArrayBuffer(4);
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: { host, port: options.port ?? 0, ipv6Only: net.isIPv6(host), gate },
  });
  const exited = once(worker, 'exit');
  const release = async (): Promise<void> => {
    Atomics.store(new Int32Array(gate), 0, 1);
    Atomics.notify(new Int32Array(gate), 0);
    await exited;
  };
  const [message] = (await once(worker, 'message')) as [{ port?: number; error?: string }];
  if (message.port === undefined) {
    await release();
    throw Object.assign(new Error(`black hole could not listen on ${host}: ${message.error}`), { code: message.error });
  }
  const port = message.port;
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const filler = net.connect({ host, port, family: net.isIP(host) as 4 | 6 });
    filler.on('error', () => {});
    fillers.push(filler);
    await once(filler, 'connect');
  }
  return {
    host,
    port,
    close: async () => {
      for (const filler of fillers) filler.destroy();
      await release();
    },
  };
}

/** A black hole on [::1]:P and a healthy plain server on 127.0.0.1:P (same P), retried if P is taken. */
export async function blackHoleBesideServer(serve: (port: number) => Promise<net.Server>): Promise<{ hole: BlackHole; server: net.Server; port: number }> {
  let lastError: unknown;
  for (let tries = 0; tries < 6; tries++) {
    const hole = await startBlackHole({ host: '::1' });
    try {
      const server = await serve(hole.port);
      return { hole, server, port: hole.port };
    } catch (err) {
      await hole.close();
      lastError = err;
    }
  }
  throw lastError;
}

/** Listens on host:port and resolves once listening (rejects on EADDRINUSE and the like). */
export function listen(server: net.Server, host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, ipv6Only: net.isIPv6(host) }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
