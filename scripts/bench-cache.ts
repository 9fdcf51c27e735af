/**
 * DnsCache benchmarks: (1) cache-hit lookups per second against cacheable-lookup, both
 * warm on the same names, rounds interleaved, medians and ratio reported; (2) heap bytes
 * per cached name and per (name, type) entry at 100,000 names with 2 A + 2 AAAA each,
 * the names' own strings included (they are made inside the measured region).
 *
 *   npx tsc -p tsconfig.json && node --expose-gc build/scripts/bench-cache.js
 *
 * Nothing here touches the network: both caches are filled from in-memory answerers whose
 * addresses are decoded from bytes by dns-packet's codec, as the real client's are.
 */
import CacheableLookup from 'cacheable-lookup';
import packet from 'dns-packet';
import { DnsCache } from '../lib/cache/index.js';
import type { Answer, AddressRecordType } from '../lib/dns/types.js';

const HIT_NAMES = 1000;
const LOOKUPS_PER_ROUND = 200_000;
const ROUNDS = 9;
const MEMORY_NAMES = 100_000;
const TTL = 3600;

/** The two addresses of name #i for a type, decoded from wire bytes like the client does. */
function addresses(i: number, type: AddressRecordType): string[] {
  const [a, b] = [i & 255, (i >> 8) & 255];
  const hosts = [1, 2].map((k) =>
    type === 'A'
      ? { type: 'A' as const, name: 'n', data: `198.${18 + ((i >> 16) & 1)}.${b}.${a ^ k}` }
      : { type: 'AAAA' as const, name: 'n', data: `2001:db8::${(i >> 16).toString(16)}:${((b << 8) | a).toString(16)}:${k}` },
  );
  const wire = packet.encode({ type: 'response', id: 1, answers: hosts });
  return (packet.decode(wire).answers ?? []).map((r) => String((r as { data: unknown }).data));
}

function answerFor(name: string, type: AddressRecordType, i: number): Answer {
  const records = addresses(i, type).map((address) => ({ address, ttl: TTL }));
  return { name, type, records, ttl: TTL, cnames: [], server: '127.0.0.1:53', source: 'dns' };
}

const nameOf = (i: number): string => `host-${i}.bench.test`;

/** cacheable-lookup's resolver seam, answering from memory (callback style, `{ ttl: true }`). */
function memoryResolver(index: Map<string, number>) {
  const answer = (type: AddressRecordType) => (name: string, _options: unknown, callback: (err: Error | null, r?: unknown) => void) => {
    const i = index.get(name);
    if (i === undefined) return callback(Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' }));
    callback(
      null,
      addresses(i, type).map((address) => ({ address, ttl: TTL })),
    );
  };
  return { resolve4: answer('A'), resolve6: answer('AAAA'), getServers: () => [], setServers: () => {} };
}

type Round = () => Promise<void>;

async function timeRound(round: Round): Promise<number> {
  const start = performance.now();
  await round();
  return LOOKUPS_PER_ROUND / ((performance.now() - start) / 1000);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

async function benchHits(): Promise<void> {
  const names = Array.from({ length: HIT_NAMES }, (_, i) => nameOf(i));
  const index = new Map(names.map((n, i) => [n, i]));
  const cache = new DnsCache({ maxEntries: 2 * HIT_NAMES });
  const fetchers = names.map((n, i) => ({
    A: async () => answerFor(n, 'A', i),
    AAAA: async () => answerFor(n, 'AAAA', i),
  }));
  const lookup = new CacheableLookup({ resolver: memoryResolver(index) as never, lookup: false, fallbackDuration: 0, maxTtl: TTL });
  for (const [i, n] of names.entries()) {
    await cache.resolve(n, 'A', fetchers[i]!.A);
    await cache.resolve(n, 'AAAA', fetchers[i]!.AAAA);
    await lookup.lookupAsync(n, { all: true });
  }

  const contests: Array<{ what: string; ours: Round; theirs: Round }> = [
    {
      what: "one lookup call each: cache.resolve(name, 'A') (the A answer) vs lookupAsync(name) (its default: one address)",
      ours: async () => {
        for (let k = 0; k < LOOKUPS_PER_ROUND; k++) await cache.resolve(names[k % HIT_NAMES]!, 'A', fetchers[k % HIT_NAMES]!.A);
      },
      theirs: async () => {
        for (let k = 0; k < LOOKUPS_PER_ROUND; k++) await lookup.lookupAsync(names[k % HIT_NAMES]!);
      },
    },
    {
      what: "both families (all 4 addresses): resolve 'A' + 'AAAA' in parallel vs lookupAsync(name, { all: true })",
      ours: async () => {
        for (let k = 0; k < LOOKUPS_PER_ROUND; k++) {
          const i = k % HIT_NAMES;
          await Promise.all([cache.resolve(names[i]!, 'A', fetchers[i]!.A), cache.resolve(names[i]!, 'AAAA', fetchers[i]!.AAAA)]);
        }
      },
      theirs: async () => {
        for (let k = 0; k < LOOKUPS_PER_ROUND; k++) await lookup.lookupAsync(names[k % HIT_NAMES]!, { all: true });
      },
    },
  ];

  for (const c of contests) {
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate who goes first, so warm-up and GC drift fall on both sides.
      if (r % 2 === 0) {
        ours.push(await timeRound(c.ours));
        theirs.push(await timeRound(c.theirs));
      } else {
        theirs.push(await timeRound(c.theirs));
        ours.push(await timeRound(c.ours));
      }
    }
    const [o, t] = [median(ours), median(theirs)];
    console.log(`hits, ${c.what}`);
    console.log(`  DnsCache          ${fmt(o)} lookups/s (median of ${ROUNDS} rounds of ${LOOKUPS_PER_ROUND})`);
    console.log(`  cacheable-lookup  ${fmt(t)} lookups/s`);
    console.log(`  ratio             ${(o / t).toFixed(2)}x`);
  }
  const s = cache.stats();
  console.log(
    `  (DnsCache stats: hits ${s.hits}, upstream queries ${s.upstreamQueries}; cacheable-lookup queries ${(lookup as unknown as { stats: { query: number } }).stats.query})`,
  );
  cache.close();
  lookup.clear();
}

/** JS heap plus memory outside it (ArrayBuffer backing stores), so packing into buffers cannot hide bytes. */
function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

async function heapAfter(fill: () => Promise<unknown>): Promise<{ bytes: number; keep: unknown }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  const before = used();
  const keep = await fill();
  gc();
  gc();
  return { bytes: used() - before, keep };
}

async function benchMemory(): Promise<void> {
  // Names are made inside the measured region: the cache keeps them alive, so they count.
  const ours = await heapAfter(async () => {
    const cache = new DnsCache({ maxEntries: 2 * MEMORY_NAMES });
    for (let i = 0; i < MEMORY_NAMES; i++) {
      const name = nameOf(i);
      await cache.resolve(name, 'A', async () => answerFor(name, 'A', i));
      await cache.resolve(name, 'AAAA', async () => answerFor(name, 'AAAA', i));
    }
    if (cache.stats().entries !== 2 * MEMORY_NAMES) throw new Error('not every entry was kept');
    return cache;
  });
  const index = new Map(Array.from({ length: MEMORY_NAMES }, (_, i) => [nameOf(i), i]));
  const theirs = await heapAfter(async () => {
    const lookup = new CacheableLookup({ resolver: memoryResolver(index) as never, lookup: false, fallbackDuration: 0 });
    for (let i = 0; i < MEMORY_NAMES; i++) await lookup.lookupAsync(nameOf(i), { all: true });
    return lookup;
  });
  console.log(`memory at ${MEMORY_NAMES} names, 2 A + 2 AAAA each (heapUsed + external delta after gc):`);
  console.log(
    `  DnsCache          ${(ours.bytes / MEMORY_NAMES).toFixed(0)} B per name, ${(ours.bytes / (2 * MEMORY_NAMES)).toFixed(0)} B per (name, type) entry`,
  );
  console.log(`  cacheable-lookup  ${(theirs.bytes / MEMORY_NAMES).toFixed(0)} B per name (its name index for the fake resolver not counted)`);
  (ours.keep as DnsCache).close();
  (theirs.keep as CacheableLookup).clear();
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

await benchHits();
await benchMemory();
