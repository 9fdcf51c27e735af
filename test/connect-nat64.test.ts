/** connect() on an injected IPv6-only network (R19, R20): options, literals, discovery through the resolver. */
import t from 'tap';
import { connect } from '../lib/connect.js';
import { checkRaceOptions } from '../lib/adapters/race-options.js';
import { InvalidArgumentError } from '../lib/errors.js';
import { Nat64 } from '../lib/nat64/nat64.js';
import type { RaceEvent } from '../lib/racer/timeline.js';
import { NetworkMonitor } from '../lib/system/network.js';
import { RaceClock } from './helpers/race-clock.js';
import { FakeAttempts, plan, ScriptedResolver, simpleOrder } from './helpers/race-fakes.js';

const iface = (address: string) => ({ address, family: 'IPv6', internal: false, netmask: '', mac: '', cidr: `${address}/64` }) as never;
const LITERAL = '192.0.2.1';
const SYNTH = '2001:db8:64::c000:201';

/** A Nat64 on an injected IPv6-only network; counts its probes. */
function ipv6OnlyNat64(clock: RaceClock) {
  const counts = { probes: 0 };
  const nat64 = new Nat64({
    clock,
    network: new NetworkMonitor({ clock, interfaces: () => ({ eth0: [iface('2001:db8:6::2')] }) }),
    probe: { interfaces: () => ({ eth0: [iface('2001:db8:6::2')] }), source: async (a) => (counts.probes++, a.includes(':') ? '2001:db8:6::2' : undefined) },
  });
  return { nat64, counts };
}

async function dial(host: string, extra: Record<string, unknown>, dns: ConstructorParameters<typeof ScriptedResolver>[1] = {}) {
  const clock = new RaceClock();
  const { nat64, counts } = ipv6OnlyNat64(clock);
  const resolver = new ScriptedResolver(clock, dns);
  const attempts = new FakeAttempts(clock, {
    [host]: plan.refused(0),
    [LITERAL]: [{ at: 0, event: 'failed', code: 'ENETUNREACH', phase: 'tcp' }],
    [SYNTH]: plan.ok(10),
  });
  const events: RaceEvent[] = [];
  const pending = connect({
    host,
    port: 80,
    clock,
    resolver,
    nat64,
    order: simpleOrder,
    connectAttempt: attempts.factory as never,
    onEvent: (e) => events.push(e),
    history: false,
    ...extra,
  });
  const settled: Promise<{ socket?: { address: string }; error?: unknown }> = pending.then(
    (socket) => ({ socket: socket as unknown as { address: string } }),
    (error: unknown) => ({ error }),
  );
  await clock.advance(1000);
  return { ...(await settled), events, resolver, counts, attempted: attempts.targets.map((x) => x.address) };
}

t.test('R20: an IPv4 literal is reached through the configured NAT64 prefix', async (t) => {
  const r = await dial(LITERAL, { nat64Prefix: '2001:db8:64::/96' });
  t.equal(r.socket?.address, SYNTH);
  t.same(r.resolver.calls, [], 'nat64Prefix given: no discovery query');
});

t.test('R20: without nat64Prefix the prefix is discovered through the resolver (RFC 7050), for a literal too', async (t) => {
  const r = await dial(LITERAL, {}, { AAAA: { at: 3, addresses: ['2001:db8:64::c000:aa', '2001:db8:64::c000:ab'] } });
  t.equal(r.socket?.address, SYNTH);
  t.same(
    r.resolver.calls.map((c) => `${c.name} ${c.type}`),
    ['ipv4only.arpa. AAAA'],
  );
  t.same(r.attempted, [LITERAL, SYNTH], 'the literal first (prefix not known yet), the synthesized address once it is');
});

t.test('no NAT64 when switched off, when the race is IPv4-only, or for a literal that may never be synthesized', async (t) => {
  for (const [host, extra, why] of [
    [LITERAL, { nat64Prefix: false }, 'nat64Prefix: false'],
    [LITERAL, { nat64Prefix: '2001:db8:64::/96', family: 4 }, 'family: 4'],
    [LITERAL, { nat64Prefix: '2001:db8:64::/96', localAddress: '192.0.2.200' }, 'an IPv4 localAddress'],
    ['127.0.0.1', { nat64Prefix: '2001:db8:64::/96' }, 'loopback (V8)'],
    ['2001:db8::5', { nat64Prefix: '2001:db8:64::/96' }, 'an IPv6 literal'],
  ] as const) {
    const r = await dial(host, extra);
    t.match(r.error, { code: 'ERR_HE_ALL_ATTEMPTS_FAILED' }, why);
    t.equal(r.counts.probes, 0, `${why}: the network is not even probed`);
    t.equal(r.events.filter((e) => e.type === 'nat64').length, 0);
  }
});

t.test('bad nat64Prefix or nat64 values are refused up front, naming the option (connect and every adapter)', async (t) => {
  for (const [option, value] of [
    ['nat64Prefix', '64:ff9b::/95'],
    ['nat64Prefix', '192.0.2.0/24'],
    ['nat64Prefix', true],
    ['nat64Prefix', '2001:db8::1/64'],
    ['nat64', {}],
  ] as const) {
    await t.rejects(
      connect({ host: 'x.test', port: 1, [option]: value } as never),
      { code: 'ERR_HE_INVALID_ARGUMENT', option } as never,
      `${option}: ${JSON.stringify(value)}`,
    );
    t.throws(() => checkRaceOptions({ [option]: value }), InvalidArgumentError);
  }
  t.doesNotThrow(() => checkRaceOptions({ nat64Prefix: '64:ff9b::/96', nat64: new Nat64() }));
  t.doesNotThrow(() => checkRaceOptions({ nat64Prefix: false }));
});
