/**
 * Is this an IPv6-only network, where IPv4 can only be reached through NAT64 (RFC 8305 §7)?
 * RFC 8305 §7: "check if the network offers routable IPv6 addressing, does not offer
 * routable IPv4 addressing"; and synthesis is for hosts without 464XLAT (RFC 6877), whose
 * CLAT translates IPv4 sockets itself: its IPv4 address (192.0.0.0/29, RFC 7335) means
 * leave IPv4 alone. Routable is asked of the kernel the way RFC 6724 sources are
 * (address/source-address.ts): a UDP socket connected to a global address of each family,
 * nothing sent; a source comes back only when a route exists.
 */
import type { networkInterfaces } from 'node:os';

type Interfaces = ReturnType<typeof networkInterfaces>;

/**
 * Addresses only routed, never sent to: an RFC 5737 documentation address, and its NAT64
 * form under the well-known prefix (RFC 6052), which a default route or a route to a NAT64
 * reaches. Not 2001:db8::/32 (RFC 3849): labs put it on-link, which is no way out.
 */
export const PROBE_DESTINATIONS = { ipv4: '198.51.100.1', ipv6: '64:ff9b::c633:6401' } as const;

export interface NetworkProbe {
  /** The machine's interfaces. */
  interfaces(): Interfaces;
  /** The source address the kernel would use to reach `address`; undefined when there is no route. */
  source(address: string): Promise<string | undefined>;
}

/** 192.0.0.0/29, the IPv4 service continuity prefix a CLAT takes its address from (RFC 7335). */
export function hasClatAddress(interfaces: Interfaces): boolean {
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.internal || a.family !== 'IPv4') continue;
      const [w, x, y, z = 0] = a.address.split('.').map(Number);
      if (w === 192 && x === 0 && y === 0 && z < 8) return true;
    }
  }
  return false;
}

/** RFC 8305 §7: a route for IPv6 and none for IPv4, and no CLAT. */
export async function isIPv6Only(probe: NetworkProbe): Promise<boolean> {
  if (hasClatAddress(probe.interfaces())) return false;
  const [v4, v6] = await Promise.all([probe.source(PROBE_DESTINATIONS.ipv4), probe.source(PROBE_DESTINATIONS.ipv6)]);
  return v4 === undefined && v6 !== undefined;
}
