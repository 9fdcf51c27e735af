/** The loopback helpers other tests rely on: the black hole, same-port pairs, the in-memory resolver. */
import net from 'node:net';
import t from 'tap';
import { blackHoleBesideServer, listen, startBlackHole } from './helpers/black-hole.js';
import { closeServer, dualListen } from './helpers/race-loopback.js';
import { MemoryResolver } from './helpers/race-resolver.js';

t.test('startBlackHole rejects with the listen error when the address is taken', async (t) => {
  const taken = await listen(net.createServer(), '127.0.0.1', 0);
  t.teardown(() => closeServer(taken));
  const { port } = taken.address() as net.AddressInfo;
  await t.rejects(startBlackHole({ host: '127.0.0.1', port }), { code: 'EADDRINUSE' } as never);
});

t.test('blackHoleBesideServer retries when the healthy side cannot take the port, then gives up', async (t) => {
  let calls = 0;
  const pair = await blackHoleBesideServer(async (port) => {
    if (++calls === 1) throw new Error('port taken');
    return listen(net.createServer(), '127.0.0.1', port);
  });
  t.equal(calls, 2);
  t.equal((pair.server.address() as net.AddressInfo).port, pair.port);
  await closeServer(pair.server);
  await pair.hole.close();
  await t.rejects(
    blackHoleBesideServer(async () => Promise.reject(new Error('never'))),
    { message: 'never' } as never,
  );
});

t.test('dualListen retries when 127.0.0.1:P is taken, then gives up', async (t) => {
  let v4Calls = 0;
  const pair = await dualListen((family) => {
    if (family === 4 && ++v4Calls === 1) throw new Error('port taken');
    return net.createServer();
  });
  t.equal(v4Calls, 2);
  await Promise.all([closeServer(pair.v6), closeServer(pair.v4)]);
  await t.rejects(
    dualListen((family) => {
      if (family === 4) throw new Error('never');
      return net.createServer();
    }),
    { message: 'never' } as never,
  );
});

t.test('MemoryResolver: NODATA for a known name, NXDOMAIN for an unknown one, answers with TTLs', async (t) => {
  const r = new MemoryResolver({ 'a.test': { A: { addresses: ['192.0.2.1'] }, AAAA: { error: 'ESERVFAIL' } } });
  t.match(await r.query('a.test', 'A'), { records: [{ address: '192.0.2.1', ttl: 30 }], source: 'dns' });
  await t.rejects(r.query('a.test', 'AAAA'), { code: 'ESERVFAIL' } as never);
  await t.rejects(new MemoryResolver({ 'b.test': {} }).query('b.test', 'A'), { code: 'ENODATA' } as never);
  await t.rejects(r.query('c.test', 'A'), { code: 'ENOTFOUND' } as never);
  t.same(
    r.calls.map((c) => c.outcome),
    ['answered', 'failed', 'failed'],
  );
});
