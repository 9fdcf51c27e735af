/**
 * node:dns, required when first needed (the process's result order, the system
 * resolver's `lookup` and servers): loading it costs ~1 ms of an import that most
 * programs, resolving with this library, never need.
 */
import type dns from 'node:dns';
import { createRequire } from 'node:module';

let loaded: typeof dns | undefined;

/** The node:dns module, required on the first call. */
export function nodeDns(): typeof dns {
  loaded ??= createRequire(import.meta.url)('node:dns') as typeof dns;
  return loaded;
}
