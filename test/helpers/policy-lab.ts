/**
 * For the address-policy tests: listeners on several loopback addresses at one port
 * (to prove no connection reached a blocked address), a fake DNS server with zones
 * built in the test, and an attempt factory that records and never dials (for blocked
 * addresses outside loopback, which tests must never send packets to).
 */
import net from 'node:net';
import type { Test } from 'tap';
import type { AttemptFactory, AttemptTarget } from '../../lib/racer/attempt.js';
import { Resolver, type ResolverOptions } from '../../lib/resolver.js';
import { listen } from './black-hole.js';
import { FakeDnsServer } from './fake-dns-server.js';
import type { Zone, ZoneRecord } from './fake-dns-zone.js';
import { closeServer } from './race-loopback.js';

export interface Listeners {
  port: number;
  /** Connections accepted, per listening address. */
  accepted: Map<string, number>;
  total(): number;
}

/** One TCP listener per loopback address, all on the same free port; closed when `t` ends. */
export async function listenAll(t: Test, addresses: readonly string[]): Promise<Listeners> {
  let lastError: unknown;
  for (let tries = 0; tries < 10; tries++) {
    const servers: net.Server[] = [];
    const sockets: net.Socket[] = [];
    const accepted = new Map(addresses.map((a) => [a, 0]));
    const make = (address: string): net.Server =>
      net.createServer((socket) => {
        accepted.set(address, accepted.get(address)! + 1);
        sockets.push(socket);
        socket.end();
      });
    try {
      const first = await listen(make(addresses[0]!), addresses[0]!, 0);
      servers.push(first);
      const port = (first.address() as net.AddressInfo).port;
      for (const address of addresses.slice(1)) servers.push(await listen(make(address), address, port));
      t.teardown(() => Promise.all(servers.map((server) => closeServer(server, sockets))));
      return { port, accepted, total: () => [...accepted.values()].reduce((a, b) => a + b, 0) };
      /* c8 ignore start -- the port is taken on another loopback address (another engineer's server): try another */
    } catch (err) {
      lastError = err;
      await Promise.all(servers.map((server) => closeServer(server)));
    }
  }
  throw lastError;
}
/* c8 ignore stop */

/** A zone for the fake DNS server. */
export function zone(origin: string, records: ZoneRecord[]): Zone {
  return {
    origin,
    ttl: 300,
    soa: { mname: `ns.${origin}`, rname: `hostmaster.${origin}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 60 },
    records,
  };
}

/** A fake DNS server with `zones`, and a Resolver that asks only it; both closed when `t` ends. */
export async function startPolicyDns(t: Test, zones: Zone[], options: ResolverOptions = {}): Promise<{ dns: FakeDnsServer; resolver: Resolver }> {
  const dns = await FakeDnsServer.start({ zones });
  const resolver = new Resolver({ servers: [dns.server], resolvConf: false, hosts: false, ...options });
  t.teardown(async () => {
    resolver.close();
    await dns.close();
  });
  return { dns, resolver };
}

/** An attempt factory that records what it is asked and fails at once, sending nothing. */
export function neverDial(): { factory: AttemptFactory<net.Socket>; calls: AttemptTarget[] } {
  const calls: AttemptTarget[] = [];
  const factory: AttemptFactory<net.Socket> = (target) => {
    calls.push(target);
    throw Object.assign(new Error(`test bug: an attempt to ${target.address} was started`), { code: 'ETESTDIAL' });
  };
  return { factory, calls };
}
