/**
 * Address families with a configured address, for getaddrinfo's AI_ADDRCONFIG (RFC 3493
 * §6.1), counted as glibc's __check_pf counts them: any IPv4 address but 127.0.0.1, any
 * IPv6 address but ::1. So a link-local fe80:: address counts for IPv6 (every interface
 * with IPv6 on has one), and so does an address added to the loopback interface.
 */
import { networkInterfaces } from 'node:os';
import { defaultNetworkMonitor, type NetworkMonitor } from './network.js';

type Interfaces = ReturnType<typeof networkInterfaces>;

export function configuredFamilies(interfaces: Interfaces = networkInterfaces()): Set<4 | 6> {
  const families = new Set<4 | 6>();
  for (const addresses of Object.values(interfaces)) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && a.address !== '127.0.0.1') families.add(4);
      else if (a.family === 'IPv6' && a.address !== '::1') families.add(6);
    }
  }
  return families;
}

const familiesOf = new WeakMap<Interfaces, ReadonlySet<4 | 6>>();

/**
 * `configuredFamilies` of the interfaces `network` read last (at most once per its
 * interval, 1 s by default), computed once per read: a lookup with `ADDRCONFIG` (every
 * `net.connect`'s) must not read the interfaces each time (a system call, ~100 µs here).
 */
export function currentConfiguredFamilies(network: NetworkMonitor = defaultNetworkMonitor): ReadonlySet<4 | 6> {
  const interfaces = network.interfaces();
  let families = familiesOf.get(interfaces);
  if (families === undefined) familiesOf.set(interfaces, (families = configuredFamilies(interfaces)));
  return families;
}
