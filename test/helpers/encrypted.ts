/**
 * What the DoT/DoH tests share: the test CA and server certificate (fixtures/tls), fake
 * DoT and DoH servers on loopback stopped at teardown, and a DnsClient for an entry.
 */
import { readFileSync } from 'node:fs';
import type { Test } from 'tap';
import { DnsClient, type DnsClientOptions } from '../../lib/dns/client.js';
import { FakeDohServer, type FakeDohServerOptions } from '../../scripts/harness/doh-server.js';
import { FakeDotServer, type FakeDotServerOptions } from '../../scripts/harness/dot-server.js';
import { parseServerEntry } from '../../lib/system/server-address.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/tls/${name}`, import.meta.url));

export const CA = fixture('ca.pem');
export const CA_PATH = new URL('../../../fixtures/tls/ca.pem', import.meta.url).pathname;
export const CREDENTIALS = { key: fixture('server-key.pem'), cert: fixture('server.pem') };
export const SELF_SIGNED = { key: fixture('self-signed-key.pem'), cert: fixture('self-signed.pem') };

export async function dotServer(t: Test, options: Partial<FakeDotServerOptions> = {}): Promise<FakeDotServer> {
  const server = await FakeDotServer.start({ credentials: CREDENTIALS, zones: fixtureZones(), ...options });
  t.teardown(() => server.close());
  return server;
}

export async function dohServer(t: Test, options: Partial<FakeDohServerOptions> = {}): Promise<FakeDohServer> {
  const server = await FakeDohServer.start({ credentials: CREDENTIALS, zones: fixtureZones(), ...options });
  t.teardown(() => server.close());
  return server;
}

/** A client for `entries` (Resolver syntax) trusting the test CA; closed at teardown. */
export function clientFor(t: Test, entries: string[], options: Partial<DnsClientOptions> = {}): DnsClient {
  const client = new DnsClient({ servers: entries.map((e) => parseServerEntry(e)), tls: { ca: CA }, timeout: 3000, attempts: 1, ...options });
  t.teardown(() => client.close());
  return client;
}

/** Polls `check` every 10 ms until it holds; fails after `ms`. */
export async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return check();
}
