// The entry store's LRU across its two maps, checked against a plain list model, with LRU
// stamps renumbered often (a tiny maxSeq) and never (the default).
import fc from 'fast-check';
import t from 'tap';
import { Details, Entry } from '../../lib/cache/entry.js';
import { EntryStore } from '../../lib/cache/store.js';
import type { RecordType } from '../../lib/dns/types.js';

const details = new Details(undefined, undefined, [], 0);
const newEntry = (): Entry => new Entry('', details, undefined, 0, 60);

type Op = { op: 'set' | 'touch' | 'delete'; type: RecordType; key: string };
const op = fc.record({
  op: fc.constantFrom('set' as const, 'touch' as const, 'delete' as const),
  type: fc.constantFrom('A' as const, 'AAAA' as const),
  key: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
});

/** Runs `ops` on a store and on a list kept in use order; true if they agree after every step. */
function agrees(ops: Op[], maxEntries: number, maxSeq: number | undefined): boolean {
  const store = new EntryStore(maxEntries, maxSeq);
  const model: string[] = []; // "type key", least recently used first
  let evictions = 0;
  for (const { op, type, key } of ops) {
    const id = `${type} ${key}`;
    const at = model.indexOf(id);
    if (op === 'touch') {
      const entry = store.get(type, key);
      if (entry === undefined) continue;
      store.touch(type, key, entry);
    } else if (op === 'set') {
      store.set(type, key, newEntry());
    } else {
      store.delete(type, key);
    }
    if (at >= 0) model.splice(at, 1);
    if (op !== 'delete') model.push(id);
    while (model.length > maxEntries) model.shift(), evictions++;
    const held = ['A', 'AAAA'].flatMap((ty) => ['a', 'b', 'c', 'd', 'e'].map((k) => `${ty} ${k}`));
    const same = held.every((h) => {
      const [ty, k] = h.split(' ') as [RecordType, string];
      return (store.get(ty, k) !== undefined) === model.includes(h);
    });
    if (!same || store.size !== model.length || store.evictions !== evictions) return false;
  }
  return true;
}

for (const maxSeq of [1, 2, 3, 7, undefined]) {
  t.test(`least recently used (name, type) goes first across both maps, maxSeq ${maxSeq ?? 'default'}`, async (t) => {
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 1, max: 6 }), (ops, max) => agrees(ops, max, maxSeq)));
    t.pass('store and model agreed after every step');
  });
}

t.test('a model run with a known order: renumbering keeps which entry is oldest', async (t) => {
  const store = new EntryStore(3, 2);
  const entries = ['x', 'y', 'z'].map((key) => [key, newEntry()] as const);
  store.set('A', 'x', entries[0]![1]);
  store.set('AAAA', 'y', entries[1]![1]);
  store.set('A', 'z', entries[2]![1]); // renumbers: stamps passed maxSeq
  store.touch('A', 'x', entries[0]![1]); // now y is the oldest
  store.set('AAAA', 'w', newEntry());
  t.same([store.get('AAAA', 'y'), store.evictions], [undefined, 1]);
  t.ok(store.get('A', 'x') && store.get('A', 'z') && store.get('AAAA', 'w'));
  t.ok(
    entries.every(([, e]) => e.seq <= 4),
    'stamps stayed small',
  );
});
