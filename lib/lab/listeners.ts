/**
 * What answers on [::1]:P and 127.0.0.1:P for one lab host: a server that accepts
 * (plain TCP or TLS), a black hole (SYNs vanish, as on a broken path) or nothing at
 * all (closed: ECONNREFUSED at once). Both families share one port P, so a client
 * dials `name:P` whichever address it picks.
 */
import net from 'node:net';
import tls from 'node:tls';
import { listen, startBlackHole, type BlackHole } from './black-hole.js';

/** How one address of a lab host behaves. */
export type PathState = 'accept' | 'black-hole' | 'closed';

export interface Credentials {
  key: string | Buffer;
  cert: string | Buffer;
}

export interface ListenerPair {
  port: number;
  /** Connections accepted so far, per family. */
  accepted: { ipv6: number; ipv4: number };
  close(): Promise<void>;
}

interface Listener {
  close(): Promise<void>;
}

/** Starts one family's listener on `port` (0: any); the seam tests use to make a port taken. */
export type StartListener = (
  state: 'accept' | 'black-hole',
  host: string,
  port: number,
  onAccept: () => void,
  credentials: Credentials | undefined,
) => Promise<{ listener: Listener; port: number }>;

export interface ListenPairOptions {
  /** Accepting servers speak TLS with these. */
  tls?: Credentials | undefined;
  start?: StartListener;
}

const LOOPBACK = { ipv6: '::1', ipv4: '127.0.0.1' } as const;
const PORT_TRIES = 8;

/**
 * Listens per family as asked, on one port. `undefined` (no address of that family)
 * and 'closed' listen on nothing. Retries with another port if the second family's
 * twin port is taken.
 */
export async function listenPair(
  states: { ipv6?: PathState | undefined; ipv4?: PathState | undefined },
  options: ListenPairOptions = {},
): Promise<ListenerPair> {
  const start = options.start ?? startListener;
  const accepted = { ipv6: 0, ipv4: 0 };
  const order = (['ipv6', 'ipv4'] as const).filter((f) => states[f] === 'accept' || states[f] === 'black-hole');
  if (order.length === 0) return { port: await freePort(), accepted, close: async () => {} };
  let lastError: unknown;
  for (let tries = 0; tries < PORT_TRIES; tries++) {
    const listeners: Listener[] = [];
    let port = 0;
    try {
      for (const family of order) {
        const onAccept = (): void => void accepted[family]++;
        const started = await start(states[family] as 'accept' | 'black-hole', LOOPBACK[family], port, onAccept, options.tls);
        listeners.push(started.listener);
        port = started.port;
      }
      return { port, accepted, close: () => closeAll(listeners) };
    } catch (err) {
      await closeAll(listeners);
      lastError = err;
    }
  }
  throw lastError;
}

export const startListener: StartListener = async (state, host, port, onAccept, credentials) => {
  if (state === 'black-hole') {
    const hole: BlackHole = await startBlackHole({ host, port });
    return { listener: hole, port: hole.port };
  }
  return acceptingServer(host, port, onAccept, credentials);
};

/** Accepts every connection (TLS: completes the handshake) and holds it until closed. */
async function acceptingServer(
  host: string,
  port: number,
  onAccept: () => void,
  credentials: Credentials | undefined,
): Promise<{ listener: Listener; port: number }> {
  const held = new Set<net.Socket>();
  const hold = (socket: net.Socket): void => {
    onAccept();
    held.add(socket);
    socket.on('error', () => {}); // a client that resets is no news
    socket.on('close', () => held.delete(socket));
  };
  const server = credentials ? tls.createServer(credentials, hold) : net.createServer(hold);
  server.on('tlsClientError', () => {}); // probes that reject the certificate hang up mid-handshake
  await listen(server, host, port);
  const close = (): Promise<void> => {
    for (const socket of held) socket.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return { listener: { close }, port: (server.address() as net.AddressInfo).port };
}

/** A port free on 127.0.0.1 and ::1 when asked: nothing listens there afterwards. */
async function freePort(): Promise<number> {
  const server = await listen(net.createServer(), LOOPBACK.ipv4, 0);
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function closeAll(listeners: Listener[]): Promise<void> {
  await Promise.all(listeners.map((l) => l.close()));
}
