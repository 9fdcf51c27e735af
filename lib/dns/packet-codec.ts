/**
 * dns-packet, loaded on first use with a synchronous require. Imported as an ES module
 * it was the largest part of the library's import time (Node translates a CommonJS
 * package for the ESM loader: 37 ms of ~100 quiet, 90 ms of ~300 on a loaded machine);
 * required it costs a quarter of that, and only once a reply is decoded.
 */
import { createRequire } from 'node:module';
import type dnsPacket from 'dns-packet';

let loaded: typeof dnsPacket | undefined;

/** The dns-packet module, required on the first call. */
export function dnsPacketModule(): typeof dnsPacket {
  loaded ??= createRequire(import.meta.url)('dns-packet') as typeof dnsPacket;
  return loaded;
}
