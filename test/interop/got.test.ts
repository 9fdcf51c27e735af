import http from 'node:http';
import https from 'node:https';
import got, { type ExtendOptions } from 'got';
import t from 'tap';
import { HttpAgent, HttpsAgent } from '../../lib/adapters/agents.js';
import { ca, interopSuite, type InteropClient, type Seen } from '../helpers/http-servers.js';

/** got with its retries off (ENOTFOUND is retried by default) and the test CA trusted. */
function gotClient(options: ExtendOptions, agents: http.Agent[]): InteropClient {
  const client = got.extend({ retry: { limit: 0 }, https: { certificateAuthority: ca }, ...options });
  return {
    get: (url) => client.get(url).json<Seen>(),
    codeOf: (err) => (err as { code?: unknown }).code,
    close: () => agents.forEach((agent) => agent.destroy()),
  };
}

interopSuite(
  t,
  'got with agent: { http: HttpAgent, https: HttpsAgent }',
  (resolver) => {
    const agent = { http: new HttpAgent({ keepAlive: true, resolver }), https: new HttpsAgent({ keepAlive: true, resolver }) };
    return gotClient({ agent }, [agent.http, agent.https]);
  },
  'R3/R12',
);

// Node's own agents with our lookup: Node's autoSelectFamily does the connecting.
interopSuite(t, 'got with dnsLookup: resolver.lookup', (resolver) => {
  const agent = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  return gotClient({ agent, dnsLookup: resolver.lookup }, [agent.http, agent.https]);
});
