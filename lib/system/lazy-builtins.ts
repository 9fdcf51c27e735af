/**
 * Builtins required when first needed rather than by importing the library: node:dns
 * (~1 ms: the process's result order, the system resolver's `lookup` and servers) and
 * node:tls (1–2 ms after node:crypto, which it loads too: TLS attempts and sockets), which
 * a program resolving with this library, or connecting without TLS, never needs.
 */
import type dns from 'node:dns';
import { createRequire } from 'node:module';
import type tls from 'node:tls';

const requireBuiltin = createRequire(import.meta.url);
let dnsModule: typeof dns | undefined;
let tlsModule: typeof tls | undefined;

/** The node:dns module, required on the first call. */
export function nodeDns(): typeof dns {
  dnsModule ??= requireBuiltin('node:dns') as typeof dns;
  return dnsModule;
}

/** The node:tls module, required on the first call. */
export function nodeTls(): typeof tls {
  tlsModule ??= requireBuiltin('node:tls') as typeof tls;
  return tlsModule;
}
