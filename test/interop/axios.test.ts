import http from 'node:http';
import https from 'node:https';
import axios, { type CreateAxiosDefaults } from 'axios';
import t from 'tap';
import { HttpAgent, HttpsAgent } from '../../lib/adapters/agents.js';
import { ca, interopSuite, type InteropClient, type Seen } from '../helpers/http-servers.js';

/** axios with proxies from the environment ignored (a proxy would hide the remote address). */
function axiosClient(options: CreateAxiosDefaults, agents: http.Agent[]): InteropClient {
  const client = axios.create({ proxy: false, ...options });
  return {
    get: async (url) => (await client.get<Seen>(url)).data,
    codeOf: (err) => (err as { code?: unknown }).code,
    close: () => agents.forEach((agent) => agent.destroy()),
  };
}

interopSuite(
  t,
  'axios with httpAgent: HttpAgent, httpsAgent: HttpsAgent',
  (resolver) => {
    const httpAgent = new HttpAgent({ keepAlive: true, resolver });
    const httpsAgent = new HttpsAgent({ keepAlive: true, resolver, ca });
    return axiosClient({ httpAgent, httpsAgent }, [httpAgent, httpsAgent]);
  },
  'R3/R12',
);

// Node's own agents with our lookup: Node's autoSelectFamily does the connecting.
interopSuite(t, 'axios with lookup: resolver.lookup', (resolver) => {
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true, ca });
  return axiosClient({ httpAgent, httpsAgent, lookup: resolver.lookup }, [httpAgent, httpsAgent]);
});
