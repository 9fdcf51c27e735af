/** Address families with a configured address, for getaddrinfo's AI_ADDRCONFIG (RFC 3493 §6.1). */
import { networkInterfaces } from 'node:os';

type Interfaces = ReturnType<typeof networkInterfaces>;

/** Families that have a non-loopback, non-link-local address on some interface. */
export function configuredFamilies(interfaces: Interfaces = networkInterfaces()): Set<4 | 6> {
  const families = new Set<4 | 6>();
  for (const addresses of Object.values(interfaces)) {
    for (const a of addresses ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4') families.add(4);
      else if (!a.address.toLowerCase().startsWith('fe80:')) families.add(6);
    }
  }
  return families;
}
