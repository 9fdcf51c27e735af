import t from 'tap';
import { TlsSessionCache } from '../../lib/adapters/tls-session-cache.js';

const session = (name: string): Buffer => Buffer.from(name);

/** Steps: `set k` stores session(k); `get k` reads it. Then `has` lists which keys are still there. */
const cases: Array<{ name: string; max: number; steps: string[]; has: string[]; gone: string[] }> = [
  { name: 'keeps up to max', max: 2, steps: ['set a', 'set b'], has: ['a', 'b'], gone: [] },
  { name: 'a full cache drops the least recently stored', max: 2, steps: ['set a', 'set b', 'set c'], has: ['b', 'c'], gone: ['a'] },
  { name: 'a read counts as a use', max: 2, steps: ['set a', 'set b', 'get a', 'set c'], has: ['a', 'c'], gone: ['b'] },
  { name: 'storing a key again replaces it without evicting', max: 2, steps: ['set a', 'set b', 'set a', 'set c'], has: ['a', 'c'], gone: ['b'] },
  { name: 'max 0 keeps nothing', max: 0, steps: ['set a'], has: [], gone: ['a'] },
];

for (const { name, max, steps, has, gone } of cases) {
  t.test(name, async (t) => {
    const cache = new TlsSessionCache(max);
    for (const step of steps) {
      const [op, key] = step.split(' ') as ['set' | 'get', string];
      if (op === 'set') cache.set(key, session(key));
      else t.same(cache.get(key), session(key), step);
    }
    for (const key of gone) t.equal(cache.get(key), undefined, `${key} gone`);
    for (const key of has) t.same(cache.get(key), session(key), `${key} kept`);
  });
}

t.test('the newest session for a key wins', async (t) => {
  const cache = new TlsSessionCache(4);
  cache.set('a', session('old'));
  cache.set('a', session('new'));
  t.same(cache.get('a'), session('new'));
});
