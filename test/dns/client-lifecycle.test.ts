/** Timers through the injected clock; abort and close() end queries at once and leave nothing behind. */
import t from 'tap';
import { foreignController } from '../helpers/foreign-signal.js';
import { DnsClient } from '../../lib/dns/client.js';
import { IDLE_MS } from '../../lib/dns/udp-pool.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

const srv = await FakeDnsServer.start({ zones: fixtureZones() });
t.teardown(() => srv.close());
srv.setBehaviour('silent.example.test', '*', { drop: 'all' });
srv.setBehaviour('stall.example.test', '*', { truncate: 'empty', tcp: 'stall' });
srv.setRecords('silent.example.test', 'A', ['192.0.2.9']);
srv.setRecords('stall.example.test', 'A', ['192.0.2.9']);

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Sockets and timers of this process, by kind (counts). */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await turn();
}

/**
 * Resources once handles being closed are gone. The fake server's end of a TCP connection
 * closes a moment after the client's, so poll (bounded) rather than sample once.
 */
async function quiet(expected?: Record<string, number>): Promise<Record<string, number>> {
  for (let i = 0; i < (expected ? 200 : 4); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (expected && JSON.stringify(resources()) === JSON.stringify(expected)) break;
  }
  return resources();
}

t.test('per-try timeouts run on the injected clock: timeout × attempts, no real waiting', async (t) => {
  const clock = new ManualClock();
  const client = new DnsClient({ servers: [srv.address], timeout: 5000, attempts: 2, clock });
  let settled = false;
  const pending = client.query('silent.example.test', 'A').finally(() => (settled = true));
  await until(() => clock.pending.length === 1);
  t.same(clock.pending, [5000], 'first try: one 5000 ms timer');
  clock.advance(4999);
  await turn();
  t.notOk(settled, 'still waiting at 4999 ms');
  clock.advance(1);
  await until(() => clock.pending.length === 1);
  t.same(clock.pending, [5000], 'second try');
  clock.advance(5000);
  await t.rejects(pending, { code: 'ETIMEOUT' });
  t.equal(clock.now(), 10_000);
  t.same(clock.pending, [IDLE_MS], 'no deadline timer left; the idle socket waits to close');
  await until(() => srv.count('silent.example.test', 'A', 'udp') === 2);
  t.equal(srv.count('silent.example.test', 'A', 'udp'), 2);
  client.close();
  t.same(clock.pending, [], 'close() closed the idle socket and its timer');
});

t.test('one timer per socket: set for its earliest deadline, moved to the next, cleared with the socket', async (t) => {
  const clock = new ManualClock();
  const client = new DnsClient({ servers: [srv.address], timeout: 5000, attempts: 1, clock });
  srv.resetCounts();
  const first = client.query('silent.example.test', 'A');
  await until(() => srv.count('silent.example.test', 'A', 'udp') === 1);
  t.same(clock.pending, [5000], 'one timer for the first query');
  clock.advance(1000);
  const second = client.query('silent.example.test', 'AAAA');
  await until(() => srv.count('silent.example.test', 'AAAA', 'udp') === 1);
  t.same(clock.pending, [5000], 'a later deadline on the same socket adds no timer');
  clock.advance(4000);
  await t.rejects(first, { code: 'ETIMEOUT' });
  t.same(clock.pending, [1000], 'the timer now waits for the second deadline');
  const answered = await client.query('www.example.test', 'A');
  t.ok(answered.records.length > 0);
  t.same(clock.pending, [1000], 'an answered query leaves it as it was');
  t.equal(new Set(srv.queries().map((q) => q.port)).size, 1, 'all three on one socket');
  client.close();
  await t.rejects(second, { code: 'ECANCELLED' });
  t.same(clock.pending, [], 'closing the socket cleared its timer');
  t.equal(client.stats().timeouts, 1);
});

t.test('abort: AbortError at once, sockets and timers released', async (t) => {
  const baseline = await quiet();
  const client = new DnsClient({ servers: [srv.address], timeout: 60_000 });
  const controller = new AbortController();
  const pendings = [
    client.query('silent.example.test', 'A', { signal: controller.signal }),
    client.query('stall.example.test', 'A', { signal: controller.signal }),
  ];
  await until(() => srv.count('stall.example.test', 'A', 'tcp') > 0);
  t.not(JSON.stringify(resources()), JSON.stringify(baseline), 'sockets and timers in use');
  const reason = new Error('user gave up');
  controller.abort(reason);
  for (const pending of pendings) await t.rejects(pending, { name: 'AbortError', code: 'ABORT_ERR', cause: reason });
  t.same(await quiet(baseline), baseline, 'nothing left');
  t.same(client.stats().timeouts, 0);
  client.close();
});

t.test('aborted in the same tick: nothing is sent; a close() after it does not change the error', async (t) => {
  const client = new DnsClient({ servers: [srv.address] });
  srv.resetCounts();
  const controller = new AbortController();
  const pending = client.query('www.example.test', 'A', { signal: controller.signal });
  controller.abort();
  client.close(); // the first reason wins
  await t.rejects(pending, { name: 'AbortError' });
  await quiet();
  t.equal(srv.count(), 0, 'the socket closed before its first send');
});

t.test('an already aborted signal: AbortError without sending anything', async (t) => {
  const client = new DnsClient({ servers: [srv.address] });
  srv.resetCounts();
  await t.rejects(client.query('www.example.test', 'A', { signal: AbortSignal.abort() }), { name: 'AbortError' });
  t.equal(srv.count(), 0);
  client.close();
});

t.test('close(): in-flight queries reject with ECANCELLED; nothing is left; later queries too', async (t) => {
  const baseline = await quiet();
  const client = new DnsClient({ servers: [srv.address], timeout: 60_000 });
  const signal = new AbortController().signal;
  const pendings = [client.query('silent.example.test', 'A'), client.query('silent.example.test', 'AAAA', { signal }), client.query('stall.example.test', 'A')];
  await until(() => srv.count('stall.example.test', 'A', 'tcp') > 0);
  client.close();
  client.close(); // idempotent
  await t.rejects(pendings[0]!, { name: 'DnsError', code: 'ECANCELLED', hostname: 'silent.example.test', rrtype: 'A' });
  await t.rejects(pendings[1]!, { code: 'ECANCELLED', rrtype: 'AAAA' });
  await t.rejects(pendings[2]!, { code: 'ECANCELLED', hostname: 'stall.example.test' });
  t.same(await quiet(baseline), baseline, 'no socket or timer left');
  await t.rejects(client.query('www.example.test', 'A'), { code: 'ECANCELLED' });
});

t.test('after many answered queries no socket or timer is left either', async (t) => {
  const baseline = await quiet();
  const client = new DnsClient({ servers: [srv.address] });
  await Promise.all(Array.from({ length: 40 }, (_, i) => client.query(`n${i}.wild.example.test`, 'A')));
  await client.query('big.example.test', 'AAAA'); // TCP
  t.same(await quiet(baseline), baseline, 'sockets close when their last query ends');
  const stats = client.stats();
  stats.queriesSent = -1;
  t.equal(client.stats().queriesSent, 42, 'stats() returns a copy (40 UDP, then UDP + TCP)');
  client.close();
});

t.test('a signal made elsewhere (a polyfill, another realm) is an AbortSignal too (the same check as connect())', async (t) => {
  const client = new DnsClient({ servers: [srv.address], timeout: 5000, attempts: 1 });
  t.teardown(() => client.close());
  const controller = foreignController();
  const pending = client.query('silent.example.test', 'A', { signal: controller.signal });
  controller.abort();
  await t.rejects(pending, { name: 'AbortError' });
});
