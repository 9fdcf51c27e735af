/**
 * The racer's options as the adapters take them beside the net/tls ones, and their
 * up-front check: an agent or connector built with a bad option throws at once, not
 * on its first request.
 */
import { type ConnectOptions, normalizeConnectOptions } from '../connect-options.js';
import { InvalidArgumentError } from '../errors.js';

/** Options the racer owns (see `ConnectOptions` for units and defaults). */
const raceOptionKeys = [
  'connectionAttemptDelay',
  'resolutionDelay',
  'firstAddressFamilyCount',
  'family',
  'localAddress',
  'resolver',
  'httpsRecords',
  'history',
  'nat64Prefix',
  'nat64',
  'timeout',
  'signal',
  'onEvent',
  'clock',
  'connectAttempt',
  'order',
  'policy',
] as const;

export type RaceOptions = Pick<ConnectOptions, (typeof raceOptionKeys)[number]>;

/** Throws the InvalidArgumentError `connect()` would give for the first bad racer option. */
export function checkRaceOptions(options: unknown): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'an object');
  const given = options as Record<string, unknown>;
  const race: Record<string, unknown> = {};
  for (const key of raceOptionKeys) if (given[key] !== undefined) race[key] = given[key];
  // A placeholder name and port: only the racer options are being checked.
  normalizeConnectOptions({ ...race, host: 'localhost', port: 0 } as ConnectOptions);
}
