/**
 * `connect()`: resolve, race and hand back the first socket to connect (RFC 8305).
 * IP literals skip DNS; names go to the resolver as two streams, AAAA and A.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import type PCancelable from 'p-cancelable';
import { systemClock } from './clock.js';
import { type ConnectOptions, type ConnectSettings, normalizeConnectOptions } from './connect-options.js';
import { preparePendingConnect, takePendingConnect } from './connect-promise.js';
import type { AddressResolver } from './dns/types.js';
import { prepareSpareSocket, socketAttemptFactory } from './racer/attempt.js';
import { prepareAbortController } from './racer/abort-spare.js';
import { literalResolver } from './racer/candidates.js';
import { createOrder } from './address/default-order.js';
import { DEFAULT_POLICY_TABLE, type PolicyTable, preferredFamily } from './address/policy-table.js';
import { defaultHistory } from './address/history.js';
import { createRace } from './racer/race.js';
import { RaceHistory } from './racer/race-history.js';
import { offeredAlpn } from './racer/service-endpoints.js';
import { LAST_RESORT_DELAY, type RaceNat64 } from './racer/synthesis.js';
import { defaultNat64 } from './nat64/nat64.js';
import { neverSynthesized } from './nat64/exclusions.js';
import { getDefaultResolver, resolverPolicy } from './resolver.js';

export type { ConnectOptions } from './connect-options.js';
export { attemptDelayRange, resolutionDelayRange } from './connect-options.js';
export { setMaxConcurrentAttempts } from './racer/attempt-slots.js';
export type { Attempt, AttemptCallbacks, AttemptFactory, AttemptTarget } from './racer/attempt.js';
export type { Candidate, OrderFunction } from './address/types.js';
export type { AbandonReason, AttemptEndpoint, AttemptInfo, RaceEvent, RaceOutcome } from './racer/timeline.js';

/**
 * Opens a TCP (or TLS) connection to `host:port` the Happy Eyeballs v2 way. Resolves
 * with the first socket to connect (TLS: handshake done), carrying
 * `autoSelectFamilyAttemptedAddresses`; rejects with a DnsError (Node codes),
 * AllAttemptsFailedError, TimeoutError, AbortError, CancelError or InvalidArgumentError.
 */
export function connect(options: ConnectOptions & { tls: true | tls.ConnectionOptions }): PCancelable<tls.TLSSocket>;
export function connect(options: ConnectOptions): PCancelable<net.Socket | tls.TLSSocket>;
export function connect(options: ConnectOptions): PCancelable<net.Socket | tls.TLSSocket> {
  const pending = takePendingConnect();
  try {
    const settings = normalizeConnectOptions(options);
    const race = createRace(raceOptions(settings), {
      resolve: ({ socket, attemptedAddresses }) => {
        (socket as { autoSelectFamilyAttemptedAddresses: string[] }).autoSelectFamilyAttemptedAddresses = attemptedAddresses;
        pending.resolve(socket);
        setImmediate(prepareNext);
      },
      reject: (error) => {
        pending.reject(error);
        setImmediate(prepareNext);
      },
    });
    pending.onCancel(() => race.cancel());
    race.start();
  } catch (err) {
    pending.reject(err);
  }
  return pending.promise;
}

/**
 * Once a race is over (the loop turn after the hand-over), what the next call would build
 * on its critical path is made ahead: the promise, the abort controller its queries
 * share, the first attempt's socket object. Each is used once.
 */
function prepareNext(): void {
  preparePendingConnect();
  prepareAbortController();
  prepareSpareSocket();
}

function raceOptions(s: ConnectSettings) {
  const resolver = s.literalFamily === 0 ? nameResolver(s.resolver) : literalResolver(s.host);
  // A Resolver's gai.conf policy orders the addresses and says which family is preferred.
  const policy = resolverPolicy(resolver) ?? defaultPolicy;
  const history = s.history === false ? undefined : new RaceHistory(s.history ?? defaultHistory);
  return {
    host: s.host,
    port: s.port,
    families: s.literalFamily === 0 ? s.families : [s.literalFamily],
    preferredFamily: () => preferredFamily(policy()),
    resolver,
    resolutionDelay: s.resolutionDelay,
    connectionAttemptDelay: s.connectionAttemptDelay,
    history,
    nat64: raceNat64(s),
    timeout: s.timeout,
    signal: s.signal,
    order: s.order ?? createOrder(s.firstAddressFamilyCount, undefined, policy, history),
    connectAttempt: s.connectAttempt ?? socketAttemptFactory({ net: s.net, tls: s.tls }),
    clock: s.clock ?? systemClock,
    onEvent: s.onEvent,
    https: s.httpsRecords ? { alpn: offeredAlpn(s.tls) } : undefined,
    policy: s.policy,
  };
}

const defaultPolicy = (): PolicyTable => DEFAULT_POLICY_TABLE;

/**
 * NAT64 for this race (RFC 8305 §7): only when both families may be used (a race told
 * to use IPv4 wants IPv4 sockets), not switched off, and for an IPv4 literal only one
 * that may be synthesized at all. Prefix discovery asks the race's resolver (for a
 * literal too: the network's DNS64 knows the prefix).
 */
function raceNat64(s: ConnectSettings): RaceNat64 | undefined {
  if (s.nat64Prefix === false || s.families.length < 2) return undefined;
  if (s.literalFamily === 6 || (s.literalFamily === 4 && neverSynthesized(s.host))) return undefined;
  const state = s.nat64 ?? defaultNat64;
  const configured = s.nat64Prefix;
  const resolver = (): AddressResolver => nameResolver(s.resolver);
  return { prefixes: () => state.prefixes(resolver, configured), lastResortDelay: LAST_RESORT_DELAY };
}

function nameResolver(resolver: AddressResolver | undefined): AddressResolver {
  if (resolver !== undefined) return resolver;
  /* c8 ignore start -- the shared resolver reads the system's resolv.conf, whose nameserver tests must never query */
  return getDefaultResolver();
}
/* c8 ignore stop */
