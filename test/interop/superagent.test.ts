import type http from 'node:http';
import superagent from 'superagent';
import t from 'tap';
import { HttpAgent, HttpsAgent } from '../../lib/adapters/agents.js';
import { ca, interopSuite, type Seen } from '../helpers/http-servers.js';
import { forbidSystemDns } from '../helpers/no-system-dns.js';

forbidSystemDns(t);

interopSuite(
  t,
  'superagent with .agent(HttpAgent / HttpsAgent)',
  (resolver) => {
    const agents: Record<'http' | 'https', http.Agent> = {
      http: new HttpAgent({ keepAlive: true, resolver }),
      https: new HttpsAgent({ keepAlive: true, resolver, ca }),
    };
    return {
      get: async (url) =>
        (
          await superagent
            .get(url)
            .agent(agents[url.startsWith('https:') ? 'https' : 'http'])
            .ca(ca)
        ).body as Seen,
      codeOf: (err) => (err as { code?: unknown }).code,
      close: () => Object.values(agents).forEach((agent) => agent.destroy()),
    };
  },
  'R3/R12',
);
