/** The helpers behind the interop suites: TCP worlds, real Redis and PostgreSQL processes, the system-DNS guard. */
import { spawn } from 'node:child_process';
import dns from 'node:dns';
import { once } from 'node:events';
import net from 'node:net';
import t from 'tap';
import { listen } from './black-hole.js';
import { forbidSystemDns } from './no-system-dns.js';
import { postgresCluster } from './postgres-server.js';
import { closeServer } from './race-loopback.js';
import { redisServer } from './redis-server.js';
import { postgresBinDir, unmet } from './requirements.js';
import { stopChild } from './server-process.js';
import { nodeServers, startTcpWorld } from './tcp-world.js';

t.test('forbidSystemDns: names fail the test and get an error, IP literals are answered, all restored after', async (t) => {
  const failures: string[] = [];
  const teardowns: Array<() => void> = [];
  const { lookup } = dns;
  forbidSystemDns({ fail: (message?: string) => (failures.push(String(message)), true), teardown: (fn: () => void) => void teardowns.push(fn) } as never);
  const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => dns.lookup('example.test', (e) => resolve(e)));
  t.equal(err?.code, 'ESYSTEMDNS');
  await t.rejects(dns.promises.lookup('example.test'), { code: 'ESYSTEMDNS' });
  t.same(failures, ['the system resolver was asked for example.test', 'the system resolver was asked for example.test']);
  const address = await new Promise<string>((resolve) => dns.lookup('127.0.0.1', (_e, a) => resolve(a)));
  t.equal(address, '127.0.0.1');
  t.same(await dns.promises.lookup('::1'), { address: '::1', family: 6 });
  for (const fn of teardowns) fn();
  t.equal(dns.lookup, lookup, 'restored');
});

t.test('startTcpWorld tries another port when serve fails, and gives up after six', async (t) => {
  let calls = 0;
  const world = await startTcpWorld(t, 'black-hole', async (hosts) => {
    if (++calls === 1) throw new Error('port taken');
    t.same(hosts, ['127.0.0.1']);
    return async () => {};
  });
  t.equal(calls, 2);
  t.equal(world.kind, 'black-hole');
  await t.rejects(
    startTcpWorld(t, 'healthy', () => Promise.reject(new Error('never'))),
    { message: 'never' },
  );
});

t.test('nodeServers: a port taken on the second address closes the first and rejects', async (t) => {
  const taken = await listen(net.createServer(), '::1', 0);
  t.teardown(() => closeServer(taken));
  const { port } = taken.address() as net.AddressInfo;
  await t.rejects(nodeServers(() => net.createServer())(['127.0.0.1', '::1'], port), { code: 'EADDRINUSE' });
  const again = await listen(net.createServer(), '127.0.0.1', port);
  await closeServer(again);
  t.pass('127.0.0.1 was released');
});

t.test('stopChild on a process that already exited', async (t) => {
  const child = spawn(process.execPath, ['-e', '0']);
  await once(child, 'exit');
  await stopChild(child, 'SIGTERM');
  t.pass();
});

t.test('redis-server on a taken port: it exits, and serve rejects saying so', { skip: unmet(['redis']) }, async (t) => {
  const taken = await listen(net.createServer(), '127.0.0.1', 0);
  t.teardown(() => closeServer(taken));
  const { port } = taken.address() as net.AddressInfo;
  await t.rejects(redisServer()(['127.0.0.1'], port), { message: /redis-server exited/ });
});

t.test('PostgreSQL that could bind only some of its addresses: serve stops it and rejects', { skip: unmet(['postgres']) }, async (t) => {
  const taken = await listen(net.createServer(), '::1', 0);
  t.teardown(() => closeServer(taken));
  const { port } = taken.address() as net.AddressInfo;
  await t.rejects(postgresCluster(t)(['127.0.0.1', '::1'], port), { message: /could not bind/ });
  t.equal(postgresBinDir('/nonexistent'), undefined);
});
