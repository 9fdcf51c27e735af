/**
 * DNS rebinding and mixed answers, over real sockets on loopback. Tests may only reach
 * loopback, so "public" and "private" are modelled with CIDRs: 127.0.0.1 is allowed
 * (public), 127.0.0.2 and everything else the preset denies is private.
 */
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { HttpAgent } from '../../lib/adapters/agents.js';
import { connect } from '../../lib/connect.js';
import type { RaceEvent } from '../../lib/racer/timeline.js';
import { listen } from '../helpers/black-hole.js';
import { listenAll, startPolicyDns, zone } from '../helpers/policy-lab.js';
import { closeServer } from '../helpers/race-loopback.js';

const PUBLIC = '127.0.0.1';
const PRIVATE = '127.0.0.2';
const policy = { preset: 'public' as const, allow: [`${PUBLIC}/32`], deny: [`${PRIVATE}/32`] };
const NAME = 'rebind.policy.test';

const rebindZone = () =>
  zone('policy.test', [
    { name: NAME, type: 'A', ttl: 0, data: PUBLIC },
    { name: 'mixed.policy.test', type: 'A', data: [PRIVATE, PUBLIC] },
    { name: 'mixed.policy.test', type: 'AAAA', data: '::1' },
  ]);

t.test('rebinding: the name answers public, then private with TTL 0: the private address is never connected to', async (t) => {
  const { dns, resolver } = await startPolicyDns(t, [rebindZone()], { cache: false });
  const lab = await listenAll(t, [PUBLIC, PRIVATE]);
  // What a lookup-hook filter does: check the name, see a public address...
  const checked = await new Promise<string>((resolve, reject) =>
    resolver.lookup(NAME, { policy }, (err: Error | null, address: string) => (err ? reject(err) : resolve(address))),
  );
  t.equal(checked, PUBLIC, 'the check sees the public address');
  const first = await connect({ host: NAME, port: lab.port, policy, resolver });
  first.destroy();
  // ...then the attacker's DNS answers the next query with a private address, TTL 0.
  dns.setRecords(NAME, 'A', [PRIVATE], 0);
  const events: RaceEvent[] = [];
  const err = await connect({ host: NAME, port: lab.port, policy, resolver, onEvent: (e) => events.push(e) }).catch((e: unknown) => e);
  t.match(err, { code: 'ERR_HE_ADDRESS_BLOCKED', hostname: NAME, addresses: [PRIVATE] }, 'the connection is checked on the address it would use');
  t.same(
    events.filter((e) => e.type === 'attempt:start'),
    [],
  );
  t.ok(dns.count(NAME, 'A') >= 3, 'every resolution asked the DNS server (TTL 0, no cache)');
  await sleep(50);
  t.equal(lab.accepted.get(PUBLIC), 1, 'the public address was reached once');
  t.equal(lab.accepted.get(PRIVATE), 0, 'the private address never');
});

t.test('a stale cache answer is checked like any other: a private one served stale is blocked', async (t) => {
  const { FakeClock } = await import('../helpers/fake-clock.js');
  const clock = new FakeClock();
  const { dns, resolver } = await startPolicyDns(t, [rebindZone()], { clock, cache: { staleWhileRevalidate: 30 } });
  const lab = await listenAll(t, [PUBLIC, PRIVATE]);
  dns.setRecords('stale.policy.test', 'A', [PRIVATE], 60);
  // Another part of the program (no policy) put the private answer in the cache.
  await new Promise((resolve) => resolver.lookup('stale.policy.test', { family: 4 }, resolve));
  clock.advance(61_000);
  const before = resolver.stats().staleServed;
  const err = await connect({ host: 'stale.policy.test', port: lab.port, family: 4, policy, resolver }).catch((e: unknown) => e);
  t.equal(resolver.stats().staleServed - before, 1, 'the answer came from the cache, stale');
  t.match(err, { code: 'ERR_HE_ADDRESS_BLOCKED', addresses: [PRIVATE] });
  await sleep(50);
  t.equal(lab.accepted.get(PRIVATE), 0);
});

t.test('one public and two private addresses: only the public one is attempted, at once', async (t) => {
  const { resolver } = await startPolicyDns(t, [rebindZone()]);
  const lab = await listenAll(t, [PUBLIC, PRIVATE, '::1']);
  const events: RaceEvent[] = [];
  const socket = await connect({ host: 'mixed.policy.test', port: lab.port, policy, resolver, onEvent: (e) => events.push(e) });
  t.equal(socket.remoteAddress, PUBLIC);
  t.same((socket as unknown as { autoSelectFamilyAttemptedAddresses: string[] }).autoSelectFamilyAttemptedAddresses, [`${PUBLIC}:${lab.port}`]);
  socket.destroy();
  await sleep(20);
  const starts = events.filter((e) => e.type === 'attempt:start');
  const blocked = events.flatMap((e) => (e.type === 'attempt:blocked' ? [e.address] : []));
  t.same(
    starts.map((e) => (e as { address: string }).address),
    [PUBLIC],
    'one attempt, to the public address',
  );
  t.same(blocked.sort(), ['127.0.0.2', '::1'], 'the private ones were blocked, not tried');
  t.ok(starts[0]!.ms < 200, `the public attempt did not wait an attempt delay for the blocked ones (${starts[0]!.ms.toFixed(1)} ms)`);
  t.same(Object.fromEntries(lab.accepted), { [PUBLIC]: 1, [PRIVATE]: 0, '::1': 0 });
});

t.test('rebinding through an HttpAgent: request one reaches the public address, request two is refused', async (t) => {
  const { dns, resolver } = await startPolicyDns(t, [rebindZone()], { cache: false });
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(String(req.socket.localAddress));
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, PUBLIC, resolve));
  const port = (server.address() as { port: number }).port;
  let trapped = 0;
  const trap = await listen(
    net.createServer((socket) => (trapped++, socket.destroy())),
    PRIVATE,
    port,
  );
  t.teardown(() => Promise.all([closeServer(trap), new Promise((resolve) => server.close(resolve))]));
  const agent = new HttpAgent({ policy, resolver, keepAlive: false });
  t.teardown(() => agent.destroy());
  const get = () =>
    new Promise<string>((resolve, reject) => {
      http
        .get({ host: NAME, port, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(String(res.statusCode)));
        })
        .on('error', reject);
    });
  t.equal(await get(), '200');
  dns.setRecords(NAME, 'A', [PRIVATE], 0);
  await t.rejects(get(), { code: 'ERR_HE_ADDRESS_BLOCKED', addresses: [PRIVATE] });
  t.same(seen, [PUBLIC]);
  t.equal(trapped, 0, 'nothing reached the private address');
});
