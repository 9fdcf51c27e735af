import net from 'node:net';
import t from 'tap';
import { prepareSpareSocket, socketAttemptFactory } from '../../lib/racer/attempt.js';

function attempt(factory: ReturnType<typeof socketAttemptFactory>, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const a = factory(
      { address: '127.0.0.1', family: 4, port },
      { connected: () => {}, succeeded: () => (a.detach(), resolve(a.socket)), failed: (err) => (a.destroy(), reject(err)) },
    );
  });
}

t.test('the socket made ahead serves one plain attempt; attempts with socket options make their own', async (t) => {
  const held: net.Socket[] = [];
  const server = net.createServer((s) => void held.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const s of held) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as net.AddressInfo;
  prepareSpareSocket();
  prepareSpareSocket(); // one waits already
  const plain = socketAttemptFactory();
  const first = await attempt(plain, port);
  const second = await attempt(plain, port);
  t.not(first, second, 'never the same socket twice');
  const tuned = await attempt(socketAttemptFactory({ net: { noDelay: true, allowHalfOpen: true } }), port);
  t.equal(tuned.allowHalfOpen, true, 'its own socket, with its options');
  for (const s of [first, second, tuned]) {
    t.equal(s.remotePort, port);
    s.destroy();
  }
});
