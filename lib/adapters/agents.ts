/**
 * `HttpAgent` and `HttpsAgent`: Node's own agents (pooling, keep-alive, maxSockets,
 * scheduling, the HTTPS session cache) with only the connection step replaced by the
 * racer. The agent's options, racer options included, reach every connection: Node
 * merges them into each request's options before `createConnection`.
 */
import type http from 'node:http';
import type https from 'node:https';
import { createRequire } from 'node:module';
import type net from 'node:net';
import type stream from 'node:stream';
import { type CreateConnectionOptions, openConnection } from './create-connection.js';
import { inherit } from './late-parent.js';
import { fromNodeOptions } from './node-options.js';
import { checkRaceOptions, type RaceOptions } from './race-options.js';
import type { SocketCallback } from './socket-callback.js';

/** Options the agents take beside Node's: the racer's (see `ConnectOptions`). */
export type AgentRaceOptions = Omit<RaceOptions, 'family' | 'localAddress' | 'timeout'>;

export interface HttpAgentOptions extends http.AgentOptions, AgentRaceOptions {}
export interface HttpsAgentOptions extends https.AgentOptions, AgentRaceOptions {}

type Callback = (err: Error | null, socket: stream.Duplex) => void;

/** https.Agent's TLS session cache (private methods of Node's https module), which `tls.connect` alone does not use. */
interface SessionCache {
  _getSession(key: string): Buffer | undefined;
  _cacheSession(key: string, session: Buffer): void;
  _evictSession(key: string): void;
}

/* node:http and node:https (~3.5 ms to load) are required by the first agent made (late-parent.ts). */
const requireBuiltin = createRequire(import.meta.url);

export class HttpAgent extends (Object as unknown as typeof http.Agent) {
  constructor(options?: HttpAgentOptions) {
    checkRaceOptions(fromNodeOptions(options));
    inherit(HttpAgent, (requireBuiltin('node:http') as typeof http).Agent);
    super(options);
  }

  override createConnection(options: http.ClientRequestArgs, callback?: Callback): undefined {
    openConnection(options as CreateConnectionOptions, callback as SocketCallback, { secure: false });
    return undefined;
  }
}

export class HttpsAgent extends (Object as unknown as typeof https.Agent) {
  constructor(options?: HttpsAgentOptions) {
    checkRaceOptions(fromNodeOptions(options));
    inherit(HttpsAgent, (requireBuiltin('node:https') as typeof https).Agent);
    super(options);
  }

  override createConnection(options: https.RequestOptions, callback?: Callback): undefined {
    const key = (options as { _agentKey?: string })._agentKey;
    const cache = this as unknown as SessionCache;
    const session = key ? cache._getSession(key) : undefined;
    // As https.Agent: a cached session is offered unless the request brings its own.
    const withSession = session === undefined ? options : { session, ...options };
    openConnection(withSession as CreateConnectionOptions, callback as SocketCallback, {
      secure: true,
      hooks: key ? sessionHooks(cache, key) : undefined,
    });
    return undefined;
  }
}

/** Every attempt's new session is cached; one ended by an error is forgotten. */
function sessionHooks(cache: SessionCache, key: string) {
  return {
    onAttempt: (socket: net.Socket) => socket.on('session', (session: Buffer) => cache._cacheSession(key, session)),
    onConnected: (socket: net.Socket) => socket.once('close', (hadError: boolean) => hadError && cache._evictSession(key)),
  };
}
