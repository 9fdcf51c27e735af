import http from 'node:http';
import https from 'node:https';
import t from 'tap';
import { HttpAgent, HttpsAgent } from '../../lib/adapters/agents.js';
import { ca, interopSuite, readJson, type Seen } from '../helpers/http-servers.js';

function get(url: string, agent: http.Agent): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const module = url.startsWith('https:') ? https : http;
    const req = module.get(url, { agent }, (res) => readJson(res).then(resolve, reject));
    req.on('error', reject);
  });
}

interopSuite(
  t,
  'node:http/https with HttpAgent/HttpsAgent',
  (resolver) => {
    const httpAgent = new HttpAgent({ keepAlive: true, resolver });
    const httpsAgent = new HttpsAgent({ keepAlive: true, resolver, ca });
    return {
      get: (url) => get(url, url.startsWith('https:') ? httpsAgent : httpAgent),
      codeOf: (err) => (err as { code?: unknown }).code,
      close: () => {
        httpAgent.destroy();
        httpsAgent.destroy();
      },
    };
  },
  'R3/R12',
);
