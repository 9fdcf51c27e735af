import t from 'tap';
import { Agent, fetch } from 'undici';
import { connector } from '../../lib/adapters/connector.js';
import { createConnection } from '../../lib/adapters/create-connection.js';
import { ca, interopSuite, type InteropClient, type Seen } from '../helpers/http-servers.js';

/**
 * undici's fetch through an Agent; fetch reports network errors as a TypeError with the
 * cause. `connections: 1`: undici's pool may open a second connection when a request is
 * dispatched in the same tick the previous body ended (stock undici does it too); one
 * connection per origin keeps the keep-alive count exact, and a connection closed after
 * each response would still show as ten.
 */
function fetchClient(connect: Agent.Options['connect']): InteropClient {
  const dispatcher = new Agent({ connect, connections: 1 });
  return {
    get: async (url) => (await (await fetch(url, { dispatcher })).json()) as Seen,
    codeOf: (err) => (err as { cause?: { code?: unknown } }).cause?.code,
    close: () => dispatcher.close(),
  };
}

interopSuite(t, 'undici fetch, Agent({ connect: connector() })', (resolver) => fetchClient(connector({ resolver, ca })), 'R3/R12');

interopSuite(
  t,
  'undici fetch, Agent({ connect: createConnection })',
  (resolver) => fetchClient((options, callback) => createConnection({ ...options, resolver, ca }, callback)),
  'R3/R12',
);

// undici's own connector with our lookup: Node's autoSelectFamily does the connecting.
interopSuite(t, 'undici fetch, Agent({ connect: { lookup: resolver.lookup } })', (resolver) => fetchClient({ lookup: resolver.lookup, ca }));
