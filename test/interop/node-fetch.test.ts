import type http from 'node:http';
import fetch from 'node-fetch';
import t from 'tap';
import { HttpAgent, HttpsAgent } from '../../lib/adapters/agents.js';
import { ca, interopSuite, type Seen } from '../helpers/http-servers.js';
import { forbidSystemDns } from '../helpers/no-system-dns.js';

forbidSystemDns(t);

interopSuite(
  t,
  'node-fetch with agent: (url) => HttpAgent / HttpsAgent',
  (resolver) => {
    const agents: Record<'http:' | 'https:', http.Agent> = {
      'http:': new HttpAgent({ keepAlive: true, resolver }),
      'https:': new HttpsAgent({ keepAlive: true, resolver, ca }),
    };
    return {
      get: async (url) => (await (await fetch(url, { agent: (u) => agents[u.protocol as 'http:' | 'https:'] })).json()) as Seen,
      // node-fetch wraps network errors in a FetchError that keeps Node's code.
      codeOf: (err) => (err as { code?: unknown }).code,
      close: () => Object.values(agents).forEach((agent) => agent.destroy()),
    };
  },
  'R3/R12',
);
