/**
 * The top-level lookup answers through the shared default resolver, which reads the
 * system's resolv.conf: only IP literals and localhost are asked here, which never
 * leave the machine (RFC 6761 §6.3: localhost never goes to DNS).
 */
import type dns from 'node:dns';
import net from 'node:net';
import t from 'tap';
import { lookup } from '../../lib/adapters/default-lookup.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import type { LookupAddress } from '../../lib/lookup.js';
import { getDefaultResolver } from '../../lib/resolver.js';

t.teardown(() => getDefaultResolver().close());

function one(host: string, options?: number | dns.LookupOneOptions): Promise<[string, number]> {
  return new Promise((resolve, reject) => {
    const callback = (err: Error | null, address: string, family: number) => (err ? reject(err) : resolve([address, family]));
    if (options === undefined) lookup(host, callback);
    else if (typeof options === 'number') lookup(host, options, callback);
    else lookup(host, options, callback);
  });
}

function all(host: string, options: dns.LookupOptions = {}): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => lookup(host, { ...options, all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));
}

t.test('IP literals are answered as they are, in every call form', async (t) => {
  t.same(await one('127.0.0.1'), ['127.0.0.1', 4]);
  t.same(await one('::1', 6), ['::1', 6]);
  t.same(await one('192.0.2.7', { family: 4 }), ['192.0.2.7', 4]);
  t.same(await all('2001:db8::1'), [{ address: '2001:db8::1', family: 6 }]);
});

t.test('localhost is loopback, IPv6 first (RFC 6724: ::1 before 127.0.0.1)', async (t) => {
  const addresses = await all('localhost');
  t.ok(addresses.some((a) => a.address === '127.0.0.1' && a.family === 4));
  t.ok(
    addresses.every((a) => (a.family === 6 ? a.address === '::1' : a.address.startsWith('127.'))),
    'loopback only',
  );
  t.same(await one('localhost', 4), ['127.0.0.1', 4]);
  t.same(await one('localhost', { family: 4, all: false }), ['127.0.0.1', 4]);
  t.same(await all('localhost', { order: 'ipv4first' }).then((a) => a[0]?.family), 4);
});

t.test("it is the default resolver's own lookup: same contract, same errors", async (t) => {
  t.throws(() => lookup('localhost', 7 as never, () => {}), InvalidArgumentError);
  t.throws(() => lookup('localhost', {}, undefined as never), { option: 'callback' } as never);
  const direct = await new Promise((resolve) => getDefaultResolver().lookup('localhost', { all: true }, (_err, a) => resolve(a)));
  t.same(await all('localhost'), direct);
});

t.test('works as the lookup option of net.connect (to localhost only)', async (t) => {
  const server = net.createServer((s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as net.AddressInfo;
  // With family 4 Node asks for one address; without, for all (autoSelectFamily), and ::1 is refused first.
  for (const family of [4, undefined]) {
    const socket = net.connect({ host: 'localhost', port, lookup, family });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    t.equal(socket.remoteAddress, '127.0.0.1', `family ${String(family)}`);
    socket.destroy();
  }
});
