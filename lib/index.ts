// The public surface (see README "API"). This file only re-exports.
export { connect, attemptDelayRange, resolutionDelayRange, setMaxConcurrentAttempts } from './connect.js';
export type {
  ConnectOptions,
  Attempt,
  AttemptCallbacks,
  AttemptFactory,
  AttemptTarget,
  Candidate,
  OrderFunction,
  RaceEvent,
  RaceOutcome,
  AttemptInfo,
  AttemptEndpoint,
  AbandonReason,
} from './connect.js';
export { Resolver, getDefaultResolver } from './resolver.js';
export { History, defaultHistory } from './address/history.js';
export type { HistoryOptions, HistoryStats, HistoryOutcome, HistoryRecord } from './address/history.js';
export type { AttemptHistory } from './racer/race-history.js';
export type { ResolverOptions, ResolverStats } from './resolver.js';
export type { Backend, Platform } from './system/route.js';
export type { SystemLookup, SystemAddress } from './system/system-backend.js';
export type { DnsCacheOptions, CacheStats } from './cache/index.js';
export type { LookupFunction, LookupOptions, LookupAddress } from './lookup.js';
export type {
  Answer,
  AddressRecord,
  AddressRecordType,
  RecordType,
  ServiceAnswer,
  ServiceRecord,
  ServiceParams,
  ServiceResolver,
  AnswerSource,
  QueryOptions,
  AddressResolver,
  DnsServer,
  ServerAddress,
  TlsServerAddress,
  HttpsServerAddress,
} from './dns/types.js';
export type { EncryptedTransportOptions } from './dns/encrypted-options.js';
export { httpsQueryName } from './dns/https-name.js';
export { channelNames } from './diagnostics.js';
export {
  DnsError,
  InvalidArgumentError,
  AttemptError,
  AllAttemptsFailedError,
  TimeoutError,
  AbortError,
  CancelError,
  AddressBlockedError,
} from './errors.js';
export type { DnsErrorCode } from './errors.js';
export type { AddressPolicyOption, PolicyRules, PolicyFunction } from './policy/policy.js';
export { createConnection } from './adapters/create-connection.js';
export type { CreateConnectionOptions, AgentCallback, UndiciCallback } from './adapters/create-connection.js';
export { HappyEyeballsSocket } from './adapters/happy-eyeballs-socket.js';
export type { HappyEyeballsSocketOptions, HappyEyeballsConnectOptions } from './adapters/happy-eyeballs-socket.js';
export { HttpAgent, HttpsAgent } from './adapters/agents.js';
export type { HttpAgentOptions, HttpsAgentOptions, AgentRaceOptions } from './adapters/agents.js';
export { connector } from './adapters/connector.js';
export type { Connector, ConnectorOptions, ConnectorRequest } from './adapters/connector.js';
export { lookup } from './adapters/default-lookup.js';
export type { RaceOptions } from './adapters/race-options.js';
