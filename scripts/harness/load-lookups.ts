/** Rounds of cached lookups for the load tests: rate and heap after each round. */
import type { Resolver } from '../../lib/resolver.js';
import type { FakeDnsServer } from '../../lib/lab/dns-server.js';
import { heapAfterGc } from './leak-races.js';

export interface Round {
  perSecond: number;
  /** Heap after a full GC at the end of the round, bytes. */
  heap: number;
  failures: number;
}

/** 1,000 names with an A and an AAAA each, under example.test. */
export function dualNames(dns: FakeDnsServer): string[] {
  return Array.from({ length: 1000 }, (_, i) => {
    const name = `d${i}.example.test`;
    dns.setRecords(name, 'A', [`192.0.2.${i % 250}`], 3600);
    dns.setRecords(name, 'AAAA', [`2001:db8::${i.toString(16)}`], 3600);
    return name;
  });
}

/** `rounds` rounds of `perRound` lookups (or A queries), 1,000 at a time, after one warming pass. */
export async function lookupRounds(resolver: Resolver, dns: FakeDnsServer, api: 'lookup' | 'query', rounds: number, perRound: number): Promise<Round[]> {
  const names = dualNames(dns);
  let failures = 0;
  const lookup = (name: string): Promise<void> =>
    new Promise((resolve) => resolver.lookup(name, { all: true }, (err) => ((failures += Number(err !== null)), resolve())));
  const query = (name: string): Promise<void> =>
    resolver.query(name, 'A').then(
      () => undefined,
      () => void failures++,
    );
  const one = api === 'lookup' ? lookup : query;
  await Promise.all(names.map((name) => lookup(name)));
  const results: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    failures = 0;
    const started = performance.now();
    for (let done = 0; done < perRound; done += names.length) await Promise.all(names.map(one));
    const perSecond = perRound / ((performance.now() - started) / 1000);
    results.push({ perSecond, heap: await heapAfterGc(), failures });
  }
  return results;
}
