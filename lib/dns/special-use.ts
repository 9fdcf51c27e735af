/**
 * Special-use names that must never reach DNS: `.invalid` (RFC 6761 §6.4: "name lookup
 * APIs and libraries SHOULD recognize these names as special and SHOULD always return
 * immediate negative responses") and `.onion` (RFC 7686 §2: resolvers "MUST either
 * respond to requests for .onion names by resolving them according to [tor-rendezvous]
 * or by responding with NXDOMAIN"). Neither is expanded with the search list.
 */
import { canonicalName, endsWithAscii } from './name.js';

/** `x.invalid`, `invalid`, `x.onion`, `onion`: any case, trailing dot or not. */
export function isSpecialUseName(name: string): boolean {
  if (!endsWithAscii(name, 'invalid') && !endsWithAscii(name, 'onion')) return false;
  const key = canonicalName(name);
  return key === 'invalid' || key.endsWith('.invalid') || key === 'onion' || key.endsWith('.onion');
}
