/** `history` and `nat64Prefix` reach the race from every adapter, as they do from connect(). */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import t from 'tap';
import { History } from '../../lib/address/history.js';
import { HttpAgent, HttpsAgent } from '../../lib/adapters/agents.js';
import { connector } from '../../lib/adapters/connector.js';
import { createConnection } from '../../lib/adapters/create-connection.js';
import type { AttemptFactory } from '../../lib/racer/attempt.js';
import { NetworkMonitor } from '../../lib/system/network.js';

const HOST = '198.51.100.7';
const iface = { eth0: [{ address: '2001:db8::100', family: 'IPv6', internal: false, netmask: '', mac: '', cidr: '2001:db8::100/64' }] } as never;

/** Every attempt is refused, a tick after it starts (a failure the history records). */
const refuse: AttemptFactory<net.Socket> = (_target, callbacks) => {
  setImmediate(() => callbacks.failed(Object.assign(new Error('refused by the test'), { code: 'ECONNREFUSED' }), 'tcp'));
  return { socket: new net.Socket(), destroy: () => {}, detach: () => {} };
};

const history = (): History => new History({ network: new NetworkMonitor({ interfaces: () => iface }) });
const settle = (open: (done: (err: Error | null) => void) => void): Promise<Error | null> => new Promise((resolve) => open(resolve));

t.test('R8: each adapter hands its history to the race', async (t) => {
  const cases: Array<[string, (h: History) => Promise<Error | null>]> = [
    [
      'createConnection',
      (h) => settle((done) => createConnection({ host: HOST, port: 80, history: h, nat64Prefix: false, connectAttempt: refuse }, (err) => done(err))),
    ],
    [
      'HttpAgent',
      (h) =>
        settle((done) =>
          http.get({ host: HOST, port: 80, agent: new HttpAgent({ history: h, nat64Prefix: false, connectAttempt: refuse }) }).once('error', done),
        ),
    ],
    [
      'HttpsAgent',
      (h) =>
        settle((done) =>
          https.get({ host: HOST, port: 443, agent: new HttpsAgent({ history: h, nat64Prefix: false, connectAttempt: refuse }) }).once('error', done),
        ),
    ],
    [
      'connector',
      (h) =>
        settle((done) =>
          connector({ history: h, nat64Prefix: false, connectAttempt: refuse })(
            { hostname: HOST, protocol: 'http:', port: '80' } as never,
            ((err: Error | null) => done(err)) as never,
          ),
        ),
    ],
  ];
  for (const [name, open] of cases) {
    const h = history();
    const err = await open(h);
    t.match(err, { code: 'ERR_HE_ALL_ATTEMPTS_FAILED' }, `${name}: refused`);
    t.match(h.get(HOST), { outcome: 'failed' }, `${name}: recorded in the history it was given`);
  }
});

t.test('adapters refuse a bad history or nat64Prefix at once', async (t) => {
  t.throws(() => new HttpAgent({ history: 'yes' } as never), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'history' } as never);
  t.throws(() => new HttpsAgent({ nat64Prefix: '64:ff9b::/95' } as never), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'nat64Prefix' } as never);
  t.throws(() => connector({ history: {} } as never), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'history' } as never);
});
