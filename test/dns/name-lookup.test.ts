/**
 * name-lookup.ts: servers × attempts and CNAME chasing as a state machine whose end goes to
 * a sink. Most of its behaviour is proven through DnsClient (client-*.test.ts, knot.test.ts,
 * faults); here what only a direct caller can reach.
 */
import t from 'tap';
import { systemClock } from '../../lib/clock.js';
import { CancelScope } from '../../lib/dns/cancel.js';
import { emptyClientStats } from '../../lib/dns/client-stats.js';
import { NameLookup, type LookupSink } from '../../lib/dns/name-lookup.js';
import type { NameResult } from '../../lib/dns/name-result.js';
import { makeQuestion } from '../../lib/dns/query.js';
import type { ServerPlan } from '../../lib/dns/servers.js';
import { UdpPool } from '../../lib/dns/udp-pool.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

function plan(server: ServerPlan['servers'][number], pool: UdpPool): ServerPlan {
  return {
    servers: [server],
    attempts: 2,
    clock: systemClock,
    timeout: 2000,
    udpPool: pool,
    encrypted: undefined,
    stats: emptyClientStats(),
    onIgnored: () => {},
    onTimeout: () => {},
    serverKeys: new Map([[server, 'the-server']]),
  };
}

function sink(): LookupSink & { done: NameResult[]; failed: unknown[] } {
  const done: NameResult[] = [];
  const failed: unknown[] = [];
  return { done, failed, lookupDone: (r) => void done.push(r), lookupFailed: (e) => void failed.push(e) };
}

t.test('a try that cannot start (its scope already has a round trip listening) ends the lookup with that error, nothing sent', async (t) => {
  const srv = await FakeDnsServer.start({ zones: fixtureZones() });
  t.teardown(() => srv.close());
  const pool = new UdpPool(16, () => {});
  t.teardown(() => pool.close());
  const scope = new CancelScope();
  scope.on({ cancelled: () => {} });
  const end = sink();
  new NameLookup(plan(srv.address, pool), 0, makeQuestion('www.example.test', 'A'), scope, end, 1232, false).start();
  t.same(end.done, []);
  t.match(end.failed, [{ message: /already listening/ }], 'the error, at once, to the sink: not thrown at the caller');
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal(srv.queries().length, 0, 'no query went out');
});

t.test('the answer goes to the sink straight from the reply, named by the server key of the plan', async (t) => {
  const srv = await FakeDnsServer.start({ zones: fixtureZones() });
  t.teardown(() => srv.close());
  const pool = new UdpPool(16, () => {});
  t.teardown(() => pool.close());
  const result = await new Promise<NameResult>((resolve, reject) => {
    new NameLookup(
      plan(srv.address, pool),
      0,
      makeQuestion('www.example.test', 'A'),
      new CancelScope(),
      { lookupDone: resolve, lookupFailed: reject },
      1232,
      false,
    ).start();
  });
  t.match(result, { kind: 'answer', answer: { name: 'www.example.test', type: 'A', server: 'the-server', source: 'dns', cnames: [] } });
});
