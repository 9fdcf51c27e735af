/**
 * Address families with a configured address, for getaddrinfo's AI_ADDRCONFIG (RFC 3493
 * §6.1), counted as glibc's __check_pf counts them: any IPv4 address but 127.0.0.1, any
 * IPv6 address but ::1. So a link-local fe80:: address counts for IPv6 (every interface
 * with IPv6 on has one), and so does an address added to the loopback interface.
 */
import { networkInterfaces } from 'node:os';

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
