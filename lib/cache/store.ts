/**
 * Settled entries, bounded by count with least-recently-used eviction.
 *
 * One Map per record type keyed by the normalized name, so a lookup needs no key string
 * built per call and a name's A and AAAA entries share one key string. Each Map keeps
 * its own use order (a hit re-inserts); `seq` stamps make the global LRU the older of
 * the two maps' first entries.
 */
import type { RecordType } from '../dns/types.js';
import type { Entry } from './entry.js';

/**
 * Stamps stay below this: past 2^31 V8 keeps a number in a heap box (16 bytes more on
 * every entry), which a busy cache reaches in under an hour of hits. Renumbering sets
 * them to 1..size, far below it for any cache that fits in memory.
 */
const MAX_SEQ = 2 ** 30;
const TYPES: readonly RecordType[] = ['A', 'AAAA', 'HTTPS'];

export class EntryStore {
  readonly #byType: Record<RecordType, Map<string, Entry>> = { A: new Map(), AAAA: new Map(), HTTPS: new Map() };
  readonly #maps = Object.values(this.#byType);
  /** Per type, the key last (re)inserted: that entry is already at the end of its Map. */
  readonly #newest: Record<RecordType, string | undefined> = { A: undefined, AAAA: undefined, HTTPS: undefined };
  readonly #maxEntries: number;
  readonly #maxSeq: number;
  #seq = 0;
  evictions = 0;

  /** `maxSeq` is for tests: when stamps are renumbered. */
  constructor(maxEntries: number, maxSeq = MAX_SEQ) {
    this.#maxEntries = maxEntries;
    this.#maxSeq = maxSeq;
  }

  get size(): number {
    return this.#byType.A.size + this.#byType.AAAA.size + this.#byType.HTTPS.size;
  }

  get(type: RecordType, key: string): Entry | undefined {
    return this.#byType[type].get(key);
  }

  /** Marks an entry most recently used. */
  touch(type: RecordType, key: string, entry: Entry): void {
    if (this.#seq >= this.#maxSeq) this.#renumber();
    entry.seq = ++this.#seq;
    // A hot name hit again: already last in its Map, so the re-insert (two hash operations) is skipped.
    if (this.#newest[type] === key) return;
    const map = this.#byType[type];
    map.delete(key);
    map.set(key, entry);
    this.#newest[type] = key;
  }

  /** Stores (or replaces) an entry as most recently used, evicting beyond maxEntries. */
  set(type: RecordType, key: string, entry: Entry): void {
    this.touch(type, key, entry);
    // When touch skipped the re-insert, the key's old entry is still the value.
    this.#byType[type].set(key, entry);
    while (this.size > this.#maxEntries) this.#evictOldest();
  }

  delete(type: RecordType, key: string): void {
    this.#byType[type].delete(key);
    if (this.#newest[type] === key) this.#newest[type] = undefined;
  }

  clear(): void {
    for (const map of this.#maps) map.clear();
    this.#newest.A = this.#newest.AAAA = this.#newest.HTTPS = undefined;
  }

  /** Stamps 1..size in the same global order (each map is in stamp order; a sort merges them). */
  #renumber(): void {
    const all = this.#maps.flatMap((map) => [...map.values()]).sort((x, y) => x.seq - y.seq);
    this.#seq = 0;
    for (const entry of all) entry.seq = ++this.#seq;
  }

  #evictOldest(): void {
    let oldest: { type: RecordType; key: string; seq: number } | undefined;
    for (const type of TYPES) {
      const first = this.#byType[type].entries().next();
      if (first.done) continue;
      const [key, entry] = first.value;
      if (!oldest || entry.seq < oldest.seq) oldest = { type, key, seq: entry.seq };
    }
    // Only called while size > maxEntries >= 1, so some map has a first entry.
    /* c8 ignore next */
    if (!oldest) return;
    this.delete(oldest.type, oldest.key);
    this.evictions++;
  }
}
