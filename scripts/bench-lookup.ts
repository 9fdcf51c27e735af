/**
 * Cached lookups per second.
 *
 * `--api lookup|query` (default `lookup`): warm-cache rates only (part 2 of soak-load.ts,
 * same helper): rounds of 100,000 `lookup(name, {all:true})` (or A queries) over 1,000
 * cached dual-stack names.
 *
 * `--api callback`: the `dns.lookup` callback contract, `lookup(hostname, options,
 * callback)`, with `{ all: true }` and `{}`, and as net (so every http agent) calls it in
 * Node 20, `{ hints: ADDRCONFIG, all: true }` and `{ hints: ADDRCONFIG }`, on one hot
 * cached name (2 A + 2 AAAA): `Resolver#lookup` against
 * cacheable-lookup's `lookup`, rounds interleaved, medians and ratios. Both ask the same
 * loopback DNS server once (cacheable-lookup through a c-ares `Resolver` whose servers are
 * set to it; its `dns.lookup` fallback is off), then answer from their caches.
 *
 * With `--before DIR`, a third contender: the Resolver of another checkout's build
 * (DIR/build/lib/resolver.js), e.g. the base commit, in the same process and rounds.
 *
 *   node --expose-gc build/scripts/bench-lookup.js [--api lookup|query|callback] [--rounds 10] [--lookups 200000] [--before DIR] [--json-out FILE]
 */
import { ADDRCONFIG, promises as dnsPromises } from 'node:dns';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import CacheableLookup from 'cacheable-lookup';
import { Resolver } from '../lib/resolver.js';
import { FakeDnsServer } from '../lib/lab/dns-server.js';
import { lookupRounds } from './harness/load-lookups.js';
import { fixtureZones } from './harness/zones.js';
import { type Metric, writeMetrics } from './bench-lib/metrics.js';

const { values } = parseArgs({
  options: {
    api: { type: 'string', default: 'lookup' },
    rounds: { type: 'string', default: '10' },
    lookups: { type: 'string', default: '200000' },
    'json-out': { type: 'string' },
    before: { type: 'string' },
  },
});
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const dns = await FakeDnsServer.start({ zones: fixtureZones() });
const resolver = new Resolver({ servers: [dns.server], resolvConf: false, hosts: false });

type LookupCall = (hostname: string, options: object, callback: (err: Error | null, ...rest: unknown[]) => void) => void;

/** `perRound` calls, 1,000 issued at a time as independent callers would, each batch awaited. */
async function callbackRound(lookup: LookupCall, name: string, options: object, perRound: number): Promise<number> {
  const BATCH = 1000;
  let failures = 0;
  const started = performance.now();
  for (let done = 0; done < perRound; done += BATCH) {
    await new Promise<void>((resolve) => {
      let left = BATCH;
      const callback = (err: Error | null): void => {
        if (err !== null) failures++;
        if (--left === 0) resolve();
      };
      for (let k = 0; k < BATCH; k++) lookup(name, options, callback);
    });
  }
  const perSecond = perRound / ((performance.now() - started) / 1000);
  if (failures > 0) throw new Error(`${failures} lookups failed`);
  return perSecond;
}

async function callbackContract(rounds: number, perRound: number): Promise<Metric[]> {
  const name = 'hot.example.test';
  dns.setRecords(name, 'A', ['192.0.2.10', '192.0.2.11'], 3600);
  dns.setRecords(name, 'AAAA', ['2001:db8::10', '2001:db8::11'], 3600);
  const cares = new dnsPromises.Resolver();
  cares.setServers([dns.server]);
  const cacheable = new CacheableLookup({ resolver: cares as never, lookup: false, maxTtl: 3600 });
  const ours = resolver.lookup as unknown as LookupCall;
  const theirs = cacheable.lookup.bind(cacheable) as unknown as LookupCall;
  let old: { resolver: Resolver; lookup: LookupCall } | undefined;
  if (values.before) {
    const module = (await import(pathToFileURL(join(resolve(values.before), 'build', 'lib', 'resolver.js')).href)) as { Resolver: typeof Resolver };
    const r = new module.Resolver({ servers: [dns.server], resolvConf: false, hosts: false });
    old = { resolver: r, lookup: r.lookup as unknown as LookupCall };
  }
  const forms = [
    { key: 'all', label: '{ all: true }', options: { all: true } },
    { key: 'single', label: '{}', options: {} },
    { key: 'net-all', label: '{ hints: ADDRCONFIG, all: true }', options: { hints: ADDRCONFIG, all: true } },
    { key: 'net-single', label: '{ hints: ADDRCONFIG }', options: { hints: ADDRCONFIG } },
  ];
  // Warm both caches (one query each) and check they agree on what the name is.
  for (const f of forms) {
    const a = await new Promise((resolve, reject) => ours(name, f.options, (err, ...r) => (err ? reject(err) : resolve(r))));
    const b = await new Promise((resolve, reject) => theirs(name, f.options, (err, ...r) => (err ? reject(err) : resolve(r))));
    console.log(`${f.label}: ours ${JSON.stringify(a)}; cacheable-lookup ${JSON.stringify(b)}`);
    if (old) await new Promise((resolve, reject) => old.lookup(name, f.options, (err, ...r) => (err ? reject(err) : resolve(r))));
  }
  const queriesBefore = dns.queries().length;
  const metrics: Metric[] = [];
  for (const f of forms) {
    const o: number[] = [];
    const t: number[] = [];
    const b: number[] = [];
    const contenders: Array<[LookupCall, number[]]> = [[ours, o], [theirs, t], ...(old ? [[old.lookup, b] as [LookupCall, number[]]] : [])];
    for (let r = 0; r < rounds; r++) {
      // Rotate who goes first, so warm-up and GC drift fall on all.
      for (let k = 0; k < contenders.length; k++) {
        const [lookup, rates] = contenders[(r + k) % contenders.length]!;
        rates.push(await callbackRound(lookup, name, f.options, perRound));
      }
    }
    const [mo, mt] = [median(o), median(t)];
    console.log(`lookup(name, ${f.label}, cb), hot name, ${rounds} rounds of ${perRound}:`);
    console.log(`  happy-eyeballs    ${fmt(mo)} lookups/s (rounds: ${o.map(fmt).join(', ')})`);
    console.log(`  cacheable-lookup  ${fmt(mt)} lookups/s (rounds: ${t.map(fmt).join(', ')})`);
    if (old)
      console.log(
        `  before            ${fmt(median(b))} lookups/s (rounds: ${b.map(fmt).join(', ')}); ratio to cacheable-lookup ${(median(b) / mt).toFixed(2)}x`,
      );
    console.log(`  ratio             ${(mo / mt).toFixed(2)}x`);
    metrics.push(
      { name: `lookup-callback-${f.key}`, value: mo, unit: 'lookups/s', better: 'higher' },
      { name: `lookup-callback-${f.key}-ratio`, value: mo / mt, unit: 'x', better: 'higher', target: 1.2 },
    );
  }
  if (dns.queries().length !== queriesBefore) throw new Error('a timed lookup reached the DNS server: the cache was not hot');
  cacheable.clear();
  old?.resolver.close();
  return metrics;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

if (values.api === 'callback') {
  const metrics = await callbackContract(Number(values.rounds), Number(values.lookups));
  if (values['json-out']) writeMetrics(values['json-out'], metrics);
} else {
  const api = values.api === 'query' ? 'query' : 'lookup';
  const rounds = await lookupRounds(resolver, dns, api, Number(values.rounds), 100_000);
  const rates = rounds.map((r) => Math.round(r.perSecond));
  console.log(`${api}: ${rates.join(', ')} per second; median ${median(rates)}; failures ${rounds.reduce((n, r) => n + r.failures, 0)}`);
  if (values['json-out']) writeMetrics(values['json-out'], [{ name: `${api}-warm`, value: median(rates), unit: 'lookups/s', better: 'higher' }]);
}
resolver.close();
await dns.close();
