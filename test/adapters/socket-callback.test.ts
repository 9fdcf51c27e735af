/**
 * socket-callback.ts: the racer's promise and a single socket, each turned into the
 * callback contract of http.Agent and undici: called once, never synchronously (always
 * on its own tick, as Node's callbacks are), with the socket or the error; a hook that
 * throws fails the connection instead of leaking its socket.
 */
import net from 'node:net';
import t, { type Test } from 'tap';
import { raceToCallback, type SocketCallback, socketToCallback } from '../../lib/adapters/socket-callback.js';
import { listen } from '../helpers/black-hole.js';
import { closeServer } from '../helpers/race-loopback.js';

const server = await listen(
  net.createServer((socket) => socket.on('error', () => {})),
  '127.0.0.1',
  0,
);
t.teardown(() => closeServer(server));
const port = (server.address() as net.AddressInfo).port;

/** The callback's one call, and what it was given. */
function once(): { callback: SocketCallback; result: Promise<[Error | null, net.Socket | null]>; calls: () => number } {
  let calls = 0;
  let settle!: (value: [Error | null, net.Socket | null]) => void;
  const result = new Promise<[Error | null, net.Socket | null]>((resolve) => (settle = resolve));
  return {
    callback: (err, socket) => {
      calls++;
      settle([err, socket]);
    },
    result,
    calls: () => calls,
  };
}

/** Fails the test on an unhandled rejection while it runs. */
function noUnhandledRejection(t: Test): void {
  const onRejection = (reason: unknown): void => void t.fail(`unhandled rejection: ${String(reason)}`);
  process.on('unhandledRejection', onRejection);
  t.teardown(() => void process.off('unhandledRejection', onRejection));
}

t.test('raceToCallback: a hook that throws after connect fails the callback and destroys the socket, with no unhandled rejection', async (t) => {
  noUnhandledRejection(t);
  const boom = new Error('hook failed');
  let connected: net.Socket | undefined;
  const cb = once();
  raceToCallback({ host: '127.0.0.1', port }, cb.callback, {
    onConnected: (socket) => {
      connected = socket;
      throw boom;
    },
  });
  const [err, socket] = await cb.result;
  t.equal(err, boom);
  t.equal(socket, null);
  t.ok(connected?.destroyed, 'the connected socket is destroyed, not leaked');
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(cb.calls(), 1);
});

t.test('socketToCallback: a hook that throws fails the callback and destroys the socket', async (t) => {
  const boom = new Error('hook failed');
  let opened: net.Socket | undefined;
  const cb = once();
  socketToCallback(() => (opened = net.connect({ host: '127.0.0.1', port })), 'connect', cb.callback, {
    onConnected: () => {
      throw boom;
    },
  });
  const [err, socket] = await cb.result;
  t.equal(err, boom);
  t.equal(socket, null);
  t.ok(opened?.destroyed);
});

t.test('socketToCallback calls back on its own tick, as raceToCallback does, never from inside the socket event', async (t) => {
  for (const outcome of ['connect', 'error'] as const) {
    const order: string[] = [];
    const cb = once();
    const target = outcome === 'connect' ? port : await closedPort();
    socketToCallback(
      () => net.connect({ host: '127.0.0.1', port: target }),
      'connect',
      (err, socket) => {
        order.push('callback');
        socket?.destroy();
        cb.callback(err, socket);
      },
      {
        // A listener registered before the callback's own: a tick it queues runs before a callback made on a later tick.
        onAttempt: (socket) => socket.prependListener(outcome, () => process.nextTick(() => order.push('tick queued in the event'))),
      },
    );
    await cb.result;
    t.same(order, ['tick queued in the event', 'callback'], outcome);
  }
});

t.test('raceToCallback and socketToCallback: an open() that throws is reported on a later tick', async (t) => {
  const cb = once();
  let returned = false;
  socketToCallback(
    () => {
      throw new Error('cannot open');
    },
    'connect',
    (err) => {
      t.ok(returned, 'not synchronously');
      cb.callback(err, null);
    },
  );
  returned = true;
  t.match((await cb.result)[0], { message: 'cannot open' });
});

/** A port nobody listens on. */
async function closedPort(): Promise<number> {
  const probe = await listen(net.createServer(), '127.0.0.1', 0);
  const free = (probe.address() as net.AddressInfo).port;
  await closeServer(probe);
  return free;
}
