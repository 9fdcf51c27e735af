/**
 * RFC 5452: a flood of forged replies during real queries never changes an answer and
 * never enters the cache. Forgeries come from the server's own address and port (random
 * IDs, the right ID with another name or type, corrupt packets with the right ID; with
 * DNS 0x20 the right ID and name in the wrong case), perfect replies from another port,
 * and random datagrams from elsewhere. `node build/scripts/soak-forgery.js` is the long run.
 */
import t from 'tap';
import { runFlood } from '../../scripts/harness/forgery-flood.js';

for (const dns0x20 of [false, true]) {
  t.test(`${dns0x20 ? 'with' : 'without'} DNS 0x20: 300 queries, 64 forgeries from the server's address before each real reply`, async (t) => {
    const result = await runFlood({ queries: 300, perQuery: 64, concurrency: 4, dns0x20 });
    t.equal(result.queries, 300);
    t.equal(result.wrongAnswers, 0, "every answer is the zone's");
    t.equal(result.wrongCached, 0, "every cached answer is the zone's");
    t.equal(result.cacheEntries, 300, 'one cache entry per name and type asked');
    // 300 names and types, one of them (big) truncated: its UDP and TCP legs get 64 each.
    t.equal(result.forged, 301 * 64);
    t.equal(result.ignored, result.forged, "each forgery from the server's address arrived and was refused");
    t.equal(result.otherSource, 301 * 4 + 300 * 2, 'and more from other sources, which the connected socket never sees');
  });
}
