/**
 * Moving a connected TCP (or TLS) connection from the socket object that won the race
 * into the socket object the caller already holds, without a copy per chunk. Node does
 * the same inside `net.Socket` for `autoSelectFamily`: each attempt gets a new handle,
 * given to the one socket by `kReinitializeHandle` (lib/net.js), and the handle's
 * `owner_symbol` says which JS object its reads, writes and close go to.
 *
 * This relies on Node's internal socket fields, found by their symbol descriptions
 * (checked on Node 20); `nodeInternal()` names any that a Node version lacks.
 */
import type net from 'node:net';

/** A socket seen with its internal fields (lib/net.js, lib/_tls_wrap.js). */
type Internal = Record<string | symbol, unknown> & {
  _handle: Handle | null;
  _sockname: unknown;
  _readableState: { ended: boolean };
  ssl?: Handle | null;
  _finishInit?(): void;
};
type Handle = Record<string | symbol, unknown> & { getAsyncId(): number; close(cb?: () => void): void; _parent?: Handle };

/** TLSSocket fields the handshake set on the winner (lib/_tls_wrap.js `TLSSocket`, `onConnectSecure`). */
const tlsFields = [
  '_secureEstablished',
  '_securePending',
  '_newSessionPending',
  'secureConnecting',
  'servername',
  'alpnProtocol',
  'authorized',
  'authorizationError',
  '_requestCert',
  '_rejectUnauthorized',
] as const;
/** Symbol-keyed TLSSocket fields, by description: the TLSWrap, "verified", and a session waiting for it. */
const tlsSymbols = ['res', 'verified', 'pendingSession'] as const;
/** Symbol-keyed net.Socket fields: the async id, and what the handle's no-delay/keep-alive are set to. */
const netSymbols = ['async_id_symbol', 'kSetNoDelay', 'kSetKeepAlive', 'kSetKeepAliveInitialDelay'] as const;

const found = new Map<string, symbol>();

/** The symbol Node keys an internal field by, found once on `object`; throws when this Node has none. */
export function nodeInternal(object: object, description: string): symbol {
  let key = found.get(description);
  if (key === undefined) {
    key = Object.getOwnPropertySymbols(object).find((s) => s.description === description);
    if (key === undefined) {
      throw new Error(
        `happy-eyeballs: this Node.js ${process.version} has no socket field "${description}"; createConnection() cannot hand over the connection (connect(), the agents and connector() still work)`,
      );
    }
    found.set(description, key);
  }
  return key;
}

/**
 * Gives `target` (not yet connected) the connection of `winner` (connected, or TLS
 * handshake done). `winner` is left without a handle and must never be used or
 * destroyed again. Data the winner already read is moved over, in order.
 */
export function adoptConnection(target: net.Socket, winner: net.Socket): void {
  const to = target as unknown as Internal;
  const from = winner as unknown as Internal;
  const handle = from._handle!;
  if (from.ssl !== undefined) adoptTls(to, from, handle);
  from._handle = null;
  to._handle = handle;
  handle[nodeInternal(handle, 'owner_symbol')] = target;
  const [asyncId, noDelay, keepAlive, keepAliveDelay] = netSymbols.map((d) => nodeInternal(target, d)) as [symbol, symbol, symbol, symbol];
  to[asyncId] = handle.getAsyncId();
  // What the winner's handle is set to now (its connect options applied them).
  for (const key of [noDelay, keepAlive, keepAliveDelay]) to[key] = from[key];
  to._sockname = null;
  moveReadData(winner, target, from);
}

/** The TLS half: the winner's TLSWrap and handshake results replace the target's unused placeholder. */
function adoptTls(to: Internal, from: Internal, handle: Handle): void {
  // Closing the placeholder TLSWrap clears `to.ssl` and frees its TCP handle and SSL.
  to._handle!.close();
  to.ssl = handle;
  from.ssl = null;
  for (const field of tlsFields) to[field] = from[field];
  for (const d of tlsSymbols) to[nodeInternal(to, d)] = from[nodeInternal(from, d)];
  // The TCP handle under the TLSWrap is owned by the TLS socket too (`_wrapHandle`).
  handle._parent![nodeInternal(handle._parent!, 'owner_symbol')] = to;
  // A renegotiation's handshake-done callback is a closure over its socket.
  handle.onhandshakedone = () => to._finishInit!();
}

function moveReadData(winner: net.Socket, target: net.Socket, from: Internal): void {
  if (winner.readableLength > 0) {
    let chunk: Buffer | null;
    while ((chunk = winner.read() as Buffer | null) !== null) target.push(chunk);
  }
  if (from._readableState.ended) target.push(null);
}
