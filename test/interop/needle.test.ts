import http from 'node:http';
import https from 'node:https';
import needle from 'needle';
import t from 'tap';
import { HttpAgent, HttpsAgent } from '../../lib/adapters/agents.js';
import { ca, interopSuite, type InteropClient, type Seen } from '../helpers/http-servers.js';
import { forbidSystemDns } from '../helpers/no-system-dns.js';

forbidSystemDns(t);

/** needle with our agents; needle's requests hand the agent `signal: null` (test/interop/request-options.test.ts). */
function needleClient(agents: { http: http.Agent; https: https.Agent }, extra: needle.NeedleOptions = {}): InteropClient {
  return {
    get: async (url) => {
      const res = await needle('get', url, null, { agent: url.startsWith('https:') ? agents.https : agents.http, ca, json: true, ...extra });
      return res.body as Seen;
    },
    codeOf: (err) => (err as { code?: unknown }).code,
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

interopSuite(
  t,
  'needle with agent: HttpAgent / HttpsAgent',
  (resolver) => needleClient({ http: new HttpAgent({ keepAlive: true, resolver }), https: new HttpsAgent({ keepAlive: true, resolver, ca }) }),
  'R3/R12',
);

// Node's own agents with our lookup (needle passes `lookup` on to http.request).
interopSuite(t, 'needle with lookup: resolver.lookup', (resolver) =>
  needleClient({ http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) }, { lookup: resolver.lookup } as never),
);
