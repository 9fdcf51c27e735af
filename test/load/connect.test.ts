/**
 * Load: 10,000 concurrent connect() calls to local servers (in a child process, so the
 * file descriptors counted are the client's) all succeed without EMFILE, at this
 * machine's limit of open files, because attempts being started are bounded process-wide
 * (lib/racer/attempt-slots.ts). The same burst to a closed port fails fast and typed.
 * `node build/scripts/soak-load.js` measures the bound's effect and the warm-cache rate.
 */
import t from 'tap';
import { DEFAULT_MAX_CONCURRENT_ATTEMPTS, sharedAttemptSlots } from '../../lib/racer/attempt-slots.js';
import { Resolver } from '../../lib/resolver.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { connectMany, startBlackHoledServer, startLoadServer } from '../../scripts/harness/load-connect.js';
import { closedPort } from '../helpers/race-loopback.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

const dns = await FakeDnsServer.start({ zones: fixtureZones() });
dns.setRecords('load.example.test', 'AAAA', ['::1'], 3600);
dns.setRecords('load.example.test', 'A', ['127.0.0.1'], 3600);
const resolver = new Resolver({ servers: [dns.server], resolvConf: false, hosts: false, timeout: 5000 });
const server = await startLoadServer();
t.teardown(async () => {
  resolver.close();
  await server.stop();
  await dns.close();
});

/** The server's count once it reaches `count`, or after 20 s, whichever comes first. */
async function acceptedAtLeast(count: number): Promise<number> {
  const until = Date.now() + 20_000;
  let accepted = await server.accepted();
  while (accepted < count && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    accepted = await server.accepted();
  }
  return accepted;
}

t.test('10,000 concurrent connect() calls to a local server all succeed, none EMFILE', async (t) => {
  const result = await connectMany(10_000, server.port, resolver);
  t.comment(
    `${result.connected} connected in ${result.ms.toFixed(0)} ms; at most ${result.mostHeld} attempts starting, ${result.mostWaiting} waiting, ${result.mostFds} fds open`,
  );
  t.equal(result.connected, 10_000);
  t.same(result.errors, {}, 'no failure at all (EMFILE would be counted here)');
  t.ok(result.mostHeld <= DEFAULT_MAX_CONCURRENT_ATTEMPTS, 'never more attempts starting than the bound');
  t.ok(result.mostWaiting > 0, 'the bound was reached: attempts waited their turn');
  t.ok(result.mostFds <= 10_000 + 2 * DEFAULT_MAX_CONCURRENT_ATTEMPTS + 100, "open files: the held connections, twice the bound, and the process's own");
  // A handshake is complete (the client holds its socket) before the server process has
  // accepted it from the kernel's queue, which a loaded machine drains later: wait, bounded.
  t.ok((await acceptedAtLeast(10_000)) >= 10_000, 'the server saw them all');
  t.same([sharedAttemptSlots.held, sharedAttemptSlots.waiting], [0, 0]);
  t.equal(resolver.stats().upstreamQueries, 2, 'one AAAA and one A query: every other lookup shared them or hit the cache');
});

t.test('R15: 2,000 concurrent connect() calls with a black-holed IPv6 all win on IPv4; open files stay bounded', async (t) => {
  const holed = await startBlackHoledServer();
  t.teardown(() => holed.stop());
  const result = await connectMany(2_000, holed.port, resolver);
  t.comment(`${result.connected} connected in ${result.ms.toFixed(0)} ms; at most ${result.mostHeld} attempts starting, ${result.mostFds} fds open`);
  t.equal(result.connected, 2_000);
  t.same(result.errors, {});
  t.ok(result.mostHeld <= DEFAULT_MAX_CONCURRENT_ATTEMPTS);
  // Unbounded, each race would hold a hanging IPv6 socket beside its IPv4 one: 4,000.
  t.ok(result.mostFds <= 2_000 + 2 * DEFAULT_MAX_CONCURRENT_ATTEMPTS + 100, "the held connections, the attempts under way, the process's own");
  t.same([sharedAttemptSlots.held, sharedAttemptSlots.waiting], [0, 0]);
});

t.test('1,000 concurrent connect() calls to a name that does not exist: one query, DnsError ENOTFOUND for each', async (t) => {
  const before = resolver.stats().upstreamQueries;
  const result = await connectMany(1_000, server.port, resolver, 'missing.example.test');
  t.same(result.errors, { ENOTFOUND: 1_000 });
  t.equal(resolver.stats().upstreamQueries - before, 2, 'AAAA and A asked once; every other connect shared them or the negative cache');
});

t.test('2,000 concurrent connect() calls to a closed port all fail typed, none EMFILE', async (t) => {
  const port = await closedPort();
  const result = await connectMany(2_000, port, resolver);
  t.comment(`${result.ms.toFixed(0)} ms`);
  t.same(result.errors, { 'ERR_HE_ALL_ATTEMPTS_FAILED ECONNREFUSED ECONNREFUSED': 2_000 }, 'each: AllAttemptsFailedError, refused on ::1 and 127.0.0.1');
  t.same([sharedAttemptSlots.held, sharedAttemptSlots.waiting], [0, 0]);
});
