/**
 * resolv.conf names servers on port 53 only, so following a change of servers end to end
 * needs two DNS servers on port 53: random 127.x.y.z addresses, which needs root (CI has
 * it). Server "old" and server "new" answer the same name differently.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { Clock } from '../lib/clock.js';
import { Resolver } from '../lib/resolver.js';
import { FakeDnsServer } from './helpers/fake-dns-server.js';
import { loadZone } from './helpers/fake-dns-zone.js';
import { unmet } from './helpers/requirements.js';

const zone = loadZone(new URL('../../fixtures/zones/example.test.json', import.meta.url));

async function serverOn53(t: Test, address: string): Promise<FakeDnsServer> {
  for (let i = 0; ; i++) {
    const host = `127.${randomInt(100, 250)}.${randomInt(1, 250)}.${randomInt(1, 250)}`;
    try {
      const server = await FakeDnsServer.start({ zones: [zone], host, port: 53 });
      server.setRecords('www.example.test', 'A', [address], 300);
      t.teardown(() => server.close());
      return server;
    } catch (err) {
      if (i > 10) throw err;
    }
  }
}

function offsetClock(): Clock & { skip(ms: number): void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    skip: (ms) => void (offset += ms),
  };
}

const skip = unmet(['root']);
if (skip) {
  t.plan(0, skip);
} else {
  t.test('new servers: the cache is flushed and an answer in flight from the old ones stays out of it', async (t) => {
    const old = await serverOn53(t, '192.0.2.10');
    const fresh = await serverOn53(t, '198.51.100.10');
    const dir = await mkdtemp(join(tmpdir(), 'he-i13-servers-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const conf = join(dir, 'resolv.conf');
    await writeFile(conf, `nameserver ${old.address.address}\noptions timeout:2 attempts:1\n`);
    const clock = offsetClock();
    const resolver = new Resolver({ resolvConf: conf, gaiConf: false, hosts: false, clock });
    t.teardown(() => resolver.close());

    t.same(
      (await resolver.resolve('www.example.test', 'A')).map((r) => r.address),
      ['192.0.2.10'],
    );
    t.equal((await resolver.query('www.example.test', 'A')).source, 'cache');

    // A query in flight at the old server while resolv.conf changes.
    old.setBehaviour('www.example.test', 'AAAA', { delay: 300 });
    const inFlight = resolver.query('www.example.test', 'AAAA');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await writeFile(conf, `nameserver ${fresh.address.address}\noptions timeout:2 attempts:1\n`);
    fresh.setRecords('www.example.test', 'AAAA', ['2001:db8::beef'], 300);
    clock.skip(1000);

    const after = await resolver.query('www.example.test', 'A');
    t.same(
      after.records.map((r) => r.address),
      ['198.51.100.10'],
      'the cache was flushed: the new server answers',
    );
    t.equal(after.server, `${fresh.address.address}:53`);
    const newAaaa = await resolver.query('www.example.test', 'AAAA');
    t.same(
      newAaaa.records.map((r) => r.address),
      ['2001:db8::beef'],
      'a new query did not join the old one in flight',
    );

    const oldAnswer = await inFlight;
    t.same(
      oldAnswer.records.map((r) => r.address),
      ['2001:db8::1'],
      'the query in flight finished where it was',
    );
    const cached = await resolver.query('www.example.test', 'AAAA');
    t.equal(cached.source, 'cache');
    t.same(
      cached.records.map((r) => r.address),
      ['2001:db8::beef'],
      "the old server's late answer did not enter the cache",
    );
  });
}
