/** stats.ts: the cache's counters start at zero, a fresh object each time. */
import t from 'tap';
import { emptyCacheStats, newCounters } from '../../lib/cache/stats.js';

t.test('emptyCacheStats: every counter and level at zero; newCounters: the counters only', async (t) => {
  const stats = emptyCacheStats();
  t.ok(Object.values(stats).every((v) => v === 0));
  for (const level of ['evictions', 'entries', 'inFlight', 'queued']) {
    t.ok(level in stats, level);
    t.notOk(level in newCounters(), `${level} is no counter`);
  }
  t.not(emptyCacheStats(), stats, 'a fresh object each time');
});
