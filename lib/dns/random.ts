/**
 * The CSPRNG behind query IDs and DNS 0x20, from node:crypto required by the first query
 * rather than by importing the library: node:crypto is the costliest builtin the library
 * uses (3–5 ms of a fresh process, docs/benchmarks.md "import"), and a program that only
 * imports the library, or answers from the hosts file, never needs it.
 */
import type crypto from 'node:crypto';
import { createRequire } from 'node:module';

let fill: typeof crypto.randomFillSync | undefined;

/** Fills `buffer` with CSPRNG bytes (node:crypto `randomFillSync`). */
export function randomFill<T extends NodeJS.ArrayBufferView>(buffer: T): T {
  fill ??= (createRequire(import.meta.url)('node:crypto') as typeof crypto).randomFillSync;
  return fill(buffer);
}
