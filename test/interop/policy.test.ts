/**
 * The address policy through real clients: Node's http/https with our agents, undici
 * fetch with connector(), got and axios. Each reports the typed error where its users
 * look for a code, and an `allow` CIDR lets the loopback test server through.
 */
import http from 'node:http';
import https from 'node:https';
import axios from 'axios';
import got from 'got';
import t, { type Test } from 'tap';
import { Agent, fetch } from 'undici';
import { HttpAgent, HttpsAgent } from '../../lib/adapters/agents.js';
import { connector } from '../../lib/adapters/connector.js';
import type { AddressPolicyOption } from '../../lib/policy/policy.js';
import { Resolver } from '../../lib/resolver.js';
import { ca, readJson, startDns, startWorld, type Seen } from '../helpers/http-servers.js';

const BLOCKED = 'ERR_HE_ADDRESS_BLOCKED';
const ALLOW_LOOPBACK: AddressPolicyOption = { preset: 'public', allow: ['127.0.0.1/32', '::1/128'] };

interface Client {
  get(url: string): Promise<Seen>;
  /** Where this client's users find the error code. */
  codeOf(err: unknown): unknown;
  close(): unknown;
}

type Make = (policy: AddressPolicyOption, resolver: Resolver) => Client;

const codeOf = (err: unknown): unknown => (err as { code?: unknown }).code;

const clients: Array<[string, Make]> = [
  [
    'node http/https with HttpAgent/HttpsAgent',
    (policy, resolver) => {
      const agents = { http: new HttpAgent({ policy, resolver }), https: new HttpsAgent({ policy, resolver, ca }) };
      return {
        get: (url) =>
          new Promise((resolve, reject) => {
            const secure = url.startsWith('https:');
            (secure ? https : http).get(url, { agent: secure ? agents.https : agents.http }, (res) => readJson(res).then(resolve, reject)).on('error', reject);
          }),
        codeOf,
        close: () => [agents.http.destroy(), agents.https.destroy()],
      };
    },
  ],
  [
    'undici fetch with Agent({ connect: connector() })',
    (policy, resolver) => {
      const dispatcher = new Agent({ connect: connector({ policy, resolver, ca }) });
      return {
        get: async (url) => (await (await fetch(url, { dispatcher })).json()) as Seen,
        codeOf: (err) => codeOf((err as { cause?: unknown }).cause ?? {}),
        close: () => dispatcher.close(),
      };
    },
  ],
  [
    'got with agent: { http: HttpAgent, https: HttpsAgent }',
    (policy, resolver) => {
      const agent = { http: new HttpAgent({ policy, resolver }), https: new HttpsAgent({ policy, resolver }) };
      const client = got.extend({ agent, retry: { limit: 0 }, https: { certificateAuthority: ca } });
      return { get: (url) => client.get(url).json<Seen>(), codeOf, close: () => [agent.http.destroy(), agent.https.destroy()] };
    },
  ],
  [
    'axios with httpAgent/httpsAgent',
    (policy, resolver) => {
      const httpAgent = new HttpAgent({ policy, resolver });
      const httpsAgent = new HttpsAgent({ policy, resolver, ca });
      const client = axios.create({ httpAgent, httpsAgent, proxy: false });
      return { get: async (url) => (await client.get<Seen>(url)).data, codeOf, close: () => [httpAgent.destroy(), httpsAgent.destroy()] };
    },
  ],
];

async function setup(t: Test, secure: boolean, make: Make, policy: AddressPolicyOption) {
  const { resolver } = await startDns(t);
  const world = await startWorld(t, 'healthy', secure);
  const client = make(policy, resolver);
  t.teardown(() => client.close());
  return { world, client };
}

for (const [name, make] of clients) {
  for (const secure of [false, true]) {
    const scheme = secure ? 'https' : 'http';
    t.test(`${name} ${scheme}: policy 'public' refuses a name, a literal and a numeric host on loopback with ${BLOCKED}`, async (t) => {
      const { world, client } = await setup(t, secure, make, 'public');
      // The URL parsers turn 0x7f.1 into 127.0.0.1 themselves; the policy sees every form.
      for (const host of ['dual.example.test', '127.0.0.1', '[::1]', '0x7f.1', '[::ffff:127.0.0.1]']) {
        const err = await client.get(world.url(host)).catch((e: unknown) => e);
        t.equal(client.codeOf(err), BLOCKED, `${host}: the typed error`);
      }
      t.equal(world.connections(), 0, 'the server saw no connection');
    });

    t.test(`${name} ${scheme}: an allow CIDR lets the loopback test server through`, async (t) => {
      const { world, client } = await setup(t, secure, make, ALLOW_LOOPBACK);
      t.equal((await client.get(world.url())).remoteAddress, '::1');
      t.equal((await client.get(world.url('127.0.0.1'))).remoteAddress, '127.0.0.1');
      t.equal(world.connections(), 2);
    });
  }
}

t.test('got and axios with a lookup only (resolver.lookup with a Resolver policy): names are filtered', async (t) => {
  const { dns } = await startDns(t);
  const world = await startWorld(t, 'healthy', false);
  const resolver = new Resolver({ servers: [dns.server], resolvConf: false, hosts: false, policy: 'public' });
  t.teardown(() => resolver.close());
  const gotErr = await got(world.url(), { dnsLookup: resolver.lookup, retry: { limit: 0 } }).catch((e: unknown) => e);
  t.equal(codeOf(gotErr), BLOCKED, 'got');
  const axiosErr = await axios.get(world.url(), { lookup: resolver.lookup, proxy: false }).catch((e: unknown) => e);
  t.equal(codeOf(axiosErr), BLOCKED, 'axios');
  t.equal(world.connections(), 0);
});
