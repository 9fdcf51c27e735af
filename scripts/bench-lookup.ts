/**
 * Warm-cache rates only (part 2 of soak-load.ts, same helper): rounds of 100,000
 * `lookup(name, {all:true})` (or A queries) over 1,000 cached dual-stack names.
 *
 *   node --expose-gc build/scripts/bench-lookup.js [--api lookup|query] [--rounds 10]
 */
import { parseArgs } from 'node:util';
import { Resolver } from '../lib/resolver.js';
import { FakeDnsServer } from '../lib/lab/dns-server.js';
import { lookupRounds } from './harness/load-lookups.js';
import { fixtureZones } from './harness/zones.js';

const { values } = parseArgs({
  options: { api: { type: 'string', default: 'lookup' }, rounds: { type: 'string', default: '10' } },
});
const api = values.api === 'query' ? 'query' : 'lookup';
const dns = await FakeDnsServer.start({ zones: fixtureZones() });
const resolver = new Resolver({ servers: [dns.server], resolvConf: false, hosts: false });
const rounds = await lookupRounds(resolver, dns, api, Number(values.rounds), 100_000);
const rates = rounds.map((r) => Math.round(r.perSecond));
const sorted = [...rates].sort((a, b) => a - b);
console.log(`${api}: ${rates.join(', ')} per second; median ${sorted[Math.floor(sorted.length / 2)]}; failures ${rounds.reduce((n, r) => n + r.failures, 0)}`);
resolver.close();
await dns.close();
