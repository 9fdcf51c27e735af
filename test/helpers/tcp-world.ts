/**
 * The two worlds of the interop tests for any TCP server (Redis, PostgreSQL, SMTP,
 * HTTP/2), on one port P:
 *
 *   black-hole: [::1]:P drops SYNs (black-hole helper), the server listens on 127.0.0.1:P
 *   healthy:    the server listens on [::1]:P and 127.0.0.1:P
 *
 * `serve(hosts, port)` starts the server on those addresses and gives back its stop
 * function, or rejects (port taken): another port is then tried.
 */
import net from 'node:net';
import type { Test } from 'tap';
import { startBlackHole } from './black-hole.js';
import type { WorldKind } from './http-servers.js';

export type Serve = (hosts: string[], port: number) => Promise<() => Promise<void>>;

export interface TcpWorld {
  kind: WorldKind;
  port: number;
}

/** Starts `serve` in the world `kind`; it (and the black hole) stop when `t` ends. */
export async function startTcpWorld(t: Test, kind: WorldKind, serve: Serve): Promise<TcpWorld> {
  let lastError: unknown;
  for (let tries = 0; tries < 6; tries++) {
    const hole = kind === 'black-hole' ? await startBlackHole({ host: '::1' }) : undefined;
    const port = hole?.port ?? (await freePort());
    try {
      const stop = await serve(kind === 'black-hole' ? ['127.0.0.1'] : ['127.0.0.1', '::1'], port);
      t.teardown(async () => {
        await stop();
        await hole?.close();
      });
      return { kind, port };
    } catch (err) {
      await hole?.close();
      lastError = err;
    }
  }
  throw lastError;
}

/** A port free on 127.0.0.1 when asked (its ::1 twin is tried by `serve`). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** `serve` for Node servers (net, tls, http2, smtp-server's): one per host, made by `make`; stop closes every connection. */
export function nodeServers(make: () => net.Server): Serve {
  return async (hosts, port) => {
    const servers: net.Server[] = [];
    const sockets = new Set<net.Socket>();
    const stop = async (): Promise<void> => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    };
    try {
      for (const host of hosts) {
        const server = make();
        server.on('connection', (socket: net.Socket) => {
          sockets.add(socket);
          socket.once('close', () => sockets.delete(socket));
        });
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host, port, ipv6Only: net.isIPv6(host) }, () => resolve());
        });
        servers.push(server);
      }
    } catch (err) {
      await stop();
      throw err;
    }
    return stop;
  };
}
