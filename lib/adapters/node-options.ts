/**
 * Node's own spellings of "not set" in a request's or socket's options, read the way
 * Node's agents and `net.connect` read them. `http.ClientRequest` hands an agent
 * `signal: null`, `family: null`, `timeout: 0` (no timeout) and `servername: ''` (no
 * SNI); net takes `family: 'IPv4'`. `lookup` and `hints` tell getaddrinfo what to do,
 * and the resolver answers instead, so they are dropped.
 */
const familyNames: Record<string, number> = { IPv4: 4, IPv6: 6 };

/** A copy of `options` with Node's "not set" values removed and family names as numbers; anything but an object as it is. */
export function fromNodeOptions<T>(options: T): T {
  if (options === null || typeof options !== 'object') return options;
  const o = { ...options } as Record<string, unknown>;
  if (o.signal === null) delete o.signal;
  if (o.family === null) delete o.family;
  if (typeof o.family === 'string' && Object.hasOwn(familyNames, o.family)) o.family = familyNames[o.family];
  if (o.timeout === null || o.timeout === 0) delete o.timeout;
  if (o.localAddress === null || o.localAddress === '') delete o.localAddress;
  if (o.servername === null) delete o.servername;
  delete o.lookup;
  delete o.hints;
  return o as T;
}
