/**
 * Load on connect(): `count` concurrent connect() calls to a name with ::1 and 127.0.0.1,
 * served by a child process. Every socket is held open until all have settled, so the
 * client ends with `count` open connections, as under a real burst. While it runs, the
 * attempt slots and the process's file descriptors are sampled.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import type net from 'node:net';
import { connect } from '../../lib/connect.js';
import type { AddressResolver } from '../../lib/dns/types.js';
import { sharedAttemptSlots } from '../../lib/racer/attempt-slots.js';
import { type BlackHole, startBlackHole } from '../../lib/lab/black-hole.js';

export interface LoadServer {
  port: number;
  /** A black hole on [::1] at `port`, when the server is on 127.0.0.1 alone. */
  hole?: BlackHole;
  /** Connections the child accepted so far. */
  accepted(): Promise<number>;
  stop(): Promise<void>;
}

/** `v4`: on 127.0.0.1 alone (a black hole goes on [::1] at the same port). */
export async function startLoadServer(mode: 'dual' | 'v4' = 'dual'): Promise<LoadServer> {
  for (;;) {
    const child = fork(new URL('./load-server-child.js', import.meta.url), [mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const [message] = (await Promise.race([once(child, 'message'), once(child, 'exit').then(() => [undefined])])) as [{ port: number } | undefined];
    if (message !== undefined) return serverIn(child, message.port);
  }
  /* c8 ignore start -- the port was taken on 127.0.0.1: another child, another port */
}
/* c8 ignore stop */

/** A server on 127.0.0.1:P in a child, and a black hole on [::1]:P (another P if that one is taken). */
export async function startBlackHoledServer(): Promise<LoadServer> {
  for (;;) {
    const server = await startLoadServer('v4');
    const hole = await startBlackHole({ host: '::1', port: server.port }).catch(() => undefined);
    if (hole !== undefined) return { ...server, hole, stop: () => Promise.all([server.stop(), hole.close()]).then(() => undefined) };
    /* c8 ignore next 2 -- [::1]:P was taken: another child, another P */
    await server.stop();
  }
}

function serverIn(child: ChildProcess, port: number): LoadServer {
  return {
    port,
    accepted: async () => {
      child.send('count');
      const [reply] = (await once(child, 'message')) as [{ accepted: number }];
      return reply.accepted;
    },
    stop: async () => {
      const exited = once(child, 'exit');
      child.send('stop');
      await exited;
    },
  };
}

export interface LoadResult {
  connected: number;
  /** Failures by error code, and for AllAttemptsFailedError each attempt's (EMFILE would be here). */
  errors: Record<string, number>;
  ms: number;
  /** Most attempt slots held, and most attempts waiting for one, at any sample. */
  mostHeld: number;
  mostWaiting: number;
  /** Most file descriptors the process had open at any sample. */
  mostFds: number;
}

export async function connectMany(count: number, port: number, resolver: AddressResolver, host = 'load.example.test'): Promise<LoadResult> {
  const result: LoadResult = { connected: 0, errors: {}, ms: 0, mostHeld: 0, mostWaiting: 0, mostFds: 0 };
  const sample = (): void => {
    result.mostHeld = Math.max(result.mostHeld, sharedAttemptSlots.held);
    result.mostWaiting = Math.max(result.mostWaiting, sharedAttemptSlots.waiting);
    result.mostFds = Math.max(result.mostFds, readdirSync('/proc/self/fd').length);
  };
  const sampler = setInterval(sample, 25);
  const sockets: net.Socket[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: count }, () =>
      connect({ host, port, resolver }).then(
        (socket) => void sockets.push(socket),
        (err: { code?: unknown; errors?: Array<{ code?: unknown }> }) => {
          // AllAttemptsFailedError: with each attempt's code (EMFILE, ETIMEDOUT…).
          const code = `${String(err.code)}${(err.errors ?? []).map((e) => ` ${String(e.code)}`).join('')}`;
          result.errors[code] = (result.errors[code] ?? 0) + 1;
        },
      ),
    ),
  );
  result.ms = performance.now() - started;
  sample();
  clearInterval(sampler);
  result.connected = sockets.length;
  for (const socket of sockets) socket.destroy();
  return result;
}
