/** What the timeline shows of the service endpoint an attempt came from (HEv3, RFC 9460). */
import type { ServiceEndpoint } from '../address/types.js';
import type { AttemptEndpoint } from './timeline.js';

export function attemptEndpoint(endpoint: ServiceEndpoint, hint: boolean): AttemptEndpoint {
  const shown: AttemptEndpoint = { priority: endpoint.priority, target: endpoint.target, alpn: [...endpoint.alpn], hint };
  if (endpoint.ech !== undefined) shown.ech = endpoint.ech;
  return shown;
}
