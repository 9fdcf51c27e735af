/**
 * DoH failures and the DoH host name: certificates we refuse, servers we cannot reach,
 * handshakes that never end, and host names resolved only through the bootstrap.
 */
import t from 'tap';
import { systemClock } from '../../lib/clock.js';
import { CancelScope } from '../../lib/dns/cancel.js';
import { bootstrapLookup } from '../../lib/dns/doh.js';
import { resolveEncrypted } from '../../lib/dns/encrypted-options.js';
import { EncryptedTransports } from '../../lib/dns/encrypted.js';
import { emptyClientStats } from '../../lib/dns/client-stats.js';
import { makeQuestion } from '../../lib/dns/query.js';
import type { HttpsServerAddress, TlsServerAddress } from '../../lib/dns/types.js';
import type { DnsError } from '../../lib/errors.js';
import { parseServerEntry } from '../../lib/system/server-address.js';
import { startBlackHole } from '../helpers/black-hole.js';
import { closedPort } from '../helpers/closed-port.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { SELF_SIGNED, clientFor, dohServer, dotServer } from '../helpers/encrypted.js';

t.test('certificate failures: ECERT naming the server; no request is made', async (t) => {
  const good = await dohServer(t);
  const selfSigned = await dohServer(t, { credentials: SELF_SIGNED });
  const cases: Array<{ url: string; ca: boolean; cause: string }> = [
    { url: good.url(), ca: false, cause: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    { url: selfSigned.url(), ca: true, cause: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
  ];
  for (const c of cases) {
    const client = clientFor(t, [c.url], c.ca ? {} : { tls: {} });
    const err = (await client.query('www.example.test', 'A').catch((e: unknown) => e)) as DnsError;
    t.match(err, { code: 'ECERT', server: c.url, cause: { code: c.cause } });
    t.match(err.message, /certificate refused/);
    t.match(client.stats(), { certificateFailures: 1, dohSessions: 0 });
  }
  t.equal(good.requests.length + selfSigned.requests.length, 0);
});

t.test('a name the certificate does not carry: ECERT (ERR_TLS_CERT_ALTNAME_INVALID)', async (t) => {
  const doh = await dohServer(t);
  const url = doh.url('wrong.invalid');
  const client = clientFor(t, [url], { bootstrap: async () => ['127.0.0.1'] });
  await t.rejects(client.query('www.example.test', 'A'), { code: 'ECERT', server: url, cause: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' } });
});

t.test('refused connects back off: fail fast until the delay has passed', async (t) => {
  const closed = await closedPort();
  const url = `https://127.0.0.1:${closed.port}/dns-query`;
  const clock = new ManualClock();
  const client = clientFor(t, [url], { clock, encrypted: { reconnectDelay: 200 } });
  await t.rejects(client.query('www.example.test', 'A'), { code: 'ECONNREFUSED', server: url, cause: { code: 'ECONNREFUSED' } });
  await t.rejects(client.query('www.example.test', 'A'), { code: 'ECONNREFUSED' });
  t.match(client.stats(), { dohQueries: 1, queriesSent: 2 }, 'the second never tried');
  clock.advance(200);
  await t.rejects(client.query('www.example.test', 'A'), { code: 'ECONNREFUSED' });
  t.match(client.stats(), { dohQueries: 2 }, 'tried again after the delay');
});

t.test('a session that never comes up: ETIMEOUT; the connect is given up and backs off', async (t) => {
  const hole = await startBlackHole({ host: '::1' });
  t.teardown(() => hole.close());
  const url = `https://[::1]:${hole.port}/dns-query`;
  const clock = new ManualClock();
  const client = clientFor(t, [url], { clock, timeout: 300 });
  const first = client.query('www.example.test', 'A');
  clock.advance(300);
  await t.rejects(first, { code: 'ETIMEOUT', server: url, cause: undefined });
  await t.rejects(client.query('www.example.test', 'A'), { code: 'ETIMEOUT', cause: { message: /no HTTP\/2 session/ } }, 'failed at once while backing off');
});

t.test('a query cancelled while the session connects: given up without blaming the server', async (t) => {
  const hole = await startBlackHole({ host: '::1' });
  t.teardown(() => hole.close());
  const clock = new ManualClock();
  const client = clientFor(t, [`https://[::1]:${hole.port}/dns-query`], { clock, timeout: 300 });
  const controller = new AbortController();
  const cancelled = client.query('www.example.test', 'A', { signal: controller.signal });
  controller.abort();
  await t.rejects(cancelled, { name: 'AbortError' });
  const next = client.query('www.example.test', 'A');
  clock.advance(300);
  await t.rejects(next, { code: 'ETIMEOUT', cause: undefined }, 'not blocked: it tried to connect and timed out on its own');
});

t.test('DoT and DoH servers on ::1', async (t) => {
  const dot = await dotServer(t, { host: '::1' });
  const doh = await dohServer(t, { host: '::1' });
  t.match(dot.entry, /^tls:\/\/\[::1\]:\d+$/);
  t.match(doh.url(), /^https:\/\/\[::1\]:\d+\/dns-query$/);
  const client = clientFor(t, [dot.entry, doh.url()], { rotate: true });
  const servers = [(await client.query('www.example.test', 'A')).server, (await client.query('www.example.test', 'A')).server];
  t.same(servers, [dot.entry, doh.url()]);
});

t.test('a DoH host name is resolved by the bootstrap, once per session', async (t) => {
  const doh = await dohServer(t);
  const asked: string[] = [];
  const url = doh.url('dns.he.test');
  const client = clientFor(t, [url], {
    bootstrap: async (host) => (asked.push(host), ['192.0.2.1', '127.0.0.1'].filter((a) => a !== '192.0.2.1' || asked.length > 99)),
  });
  const answers = await Promise.all([client.query('www.example.test', 'A'), client.query('www.example.test', 'AAAA')]);
  t.same(
    answers.map((a) => a.server),
    [url, url],
  );
  t.same(asked, ['dns.he.test'], 'asked once, for the session');
});

t.test('a bootstrap that finds nothing, or fails: ECONNREFUSED with its error as the cause', async (t) => {
  const doh = await dohServer(t);
  const url = doh.url('dns.he.test');
  const empty = clientFor(t, [url], { bootstrap: async () => [] });
  await t.rejects(empty.query('www.example.test', 'A'), { code: 'ECONNREFUSED', server: url, cause: { code: 'ENOTFOUND', hostname: 'dns.he.test' } });
  const failing = clientFor(t, [url], { bootstrap: async () => Promise.reject(Object.assign(new Error('no'), { code: 'ETIMEOUT' })) });
  await t.rejects(failing.query('www.example.test', 'A'), { code: 'ECONNREFUSED', cause: { code: 'ETIMEOUT' } });
  t.equal(doh.sessions, 0);
});

t.test("bootstrapLookup speaks net.connect's lookup contract", async (t) => {
  const lookup = bootstrapLookup(async () => ['::1', '127.0.0.1', '192.0.2.7']);
  const call = (options: object): Promise<unknown[]> =>
    new Promise((resolve) => lookup('dns.he.test', options as never, (...args: unknown[]) => resolve(args)));
  t.same(await call({ all: true }), [
    null,
    [
      { address: '::1', family: 6 },
      { address: '127.0.0.1', family: 4 },
      { address: '192.0.2.7', family: 4 },
    ],
  ]);
  t.same(await call({ all: true, family: 4 }), [
    null,
    [
      { address: '127.0.0.1', family: 4 },
      { address: '192.0.2.7', family: 4 },
    ],
  ]);
  t.same(await call({}), [null, '::1', 6]);
  t.same(await call({ family: 4 }), [null, '127.0.0.1', 4]);
  const v4only = bootstrapLookup(async () => ['127.0.0.1']);
  const [err] = await new Promise<unknown[]>((resolve) => v4only('dns.he.test', { family: 6 } as never, (...args: unknown[]) => resolve(args)));
  t.match(err, { code: 'ENOTFOUND', hostname: 'dns.he.test' });
});

t.test('a try on a query already cancelled rejects at once with its reason (DoT and DoH)', async (t) => {
  const servers = [parseServerEntry('tls://127.0.0.1:1'), parseServerEntry('https://127.0.0.1:1/q')] as Array<TlsServerAddress | HttpsServerAddress>;
  const stats = emptyClientStats();
  const transports = new EncryptedTransports(servers, { config: resolveEncrypted({}, {}), clock: systemClock, stats, bootstrap: undefined });
  const scope = new CancelScope();
  const reason = new Error('gone');
  scope.cancel(reason);
  const options = { clock: systemClock, deadline: systemClock.now() + 1000, scope, onIgnored: () => {}, onTimeout: () => {} };
  for (const server of servers) {
    await t.rejects(transports.exchange(server, makeQuestion('www.example.test', 'A'), options), reason);
  }
  t.match(stats, { dotQueries: 0, dohQueries: 0 }, 'nothing was sent');
  transports.close();
});
