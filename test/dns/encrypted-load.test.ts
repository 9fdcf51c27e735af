/**
 * The DoT/DoH code is loaded by the first client made with an encrypted server
 * (lib/dns/encrypted.ts). This file runs in its own process, so its first client finds the
 * code not loaded yet: queries made meanwhile wait for it, and a client closed meanwhile
 * opens nothing. (Every other DoT/DoH test exercises the loaded path.)
 */
import t, { type Test } from 'tap';
import { CancelScope } from '../../lib/dns/cancel.js';
import { emptyClientStats } from '../../lib/dns/client-stats.js';
import { EncryptedTransports, encryptedCodeLoaded, reloadEncryptedCodeWith } from '../../lib/dns/encrypted.js';
import { resolveEncrypted } from '../../lib/dns/encrypted-options.js';
import { makeQuestion } from '../../lib/dns/query.js';
import type { TlsServerAddress } from '../../lib/dns/types.js';
import { parseServerEntry } from '../../lib/system/server-address.js';
import type { DnsError } from '../../lib/errors.js';
import { fixtureZones } from '../../scripts/harness/zones.js';
import { clientFor, dotServer } from '../helpers/encrypted.js';
import { FakeDnsServer } from '../helpers/fake-dns-server.js';
import { ManualClock } from '../helpers/manual-clock.js';

type UpstreamsModule = typeof import('../../lib/dns/encrypted-upstreams.js');
const realImport = (): Promise<UpstreamsModule> => import('../../lib/dns/encrypted-upstreams.js');

/** A load held until the test lets it go (with the real code, or an error). */
function heldLoad(t: Test): { release(): void; fail(err: Error): void } {
  let release!: () => void;
  let fail!: (err: Error) => void;
  const held = new Promise<UpstreamsModule>((resolve, reject) => {
    release = () => void realImport().then(resolve);
    fail = reject;
  });
  reloadEncryptedCodeWith(() => held);
  t.teardown(() => reloadEncryptedCodeWith(undefined));
  return { release, fail };
}

t.test('queries made while the code loads are answered once it is; a client closed meanwhile opens no connection', async (t) => {
  const dot = await dotServer(t);
  t.notOk(encryptedCodeLoaded(), 'the code is not loaded before the first client');
  // Two clients made before the code is in: one closed at once, its query still waiting
  // for the code; the other's two queries wait, then go out on one connection.
  const closedEarly = clientFor(t, [dot.entry]);
  const early = closedEarly.query('www.example.test', 'A');
  closedEarly.close();
  const client = clientFor(t, [dot.entry]);
  const both = Promise.all([client.query('www.example.test', 'A'), client.query('www.example.test', 'AAAA')]);
  t.notOk(encryptedCodeLoaded(), 'nor when the queries are made');
  await t.rejects(early, { code: 'ECANCELLED' }, "the closed client's query ends cancelled");
  const [a, aaaa] = await both;
  t.equal(a.records.length, 2);
  t.equal(aaaa.records.length, 1);
  t.equal(dot.connections, 1, "one connection, the second client's: the closed one opened none");
  t.equal(dot.count(), 2, 'the two queries, not the cancelled one, reached the server');
  t.ok(encryptedCodeLoaded());
  // Now loaded: a new client makes its upstreams at once, and its query goes out as any.
  t.equal((await clientFor(t, [dot.entry]).query('www.example.test', 'A')).records.length, 2);
});

t.test(
  "code that fails to load: a client never queried is no error; a waiting try is its server's failure (ECONNREFUSED, the cause kept) and the query moves on; the next try loads again",
  async (t) => {
    const dot = await dotServer(t);
    const plain = await FakeDnsServer.start({ zones: fixtureZones() });
    t.teardown(() => plain.close());
    const gone = Object.assign(new Error('Cannot find module encrypted-upstreams'), { code: 'ERR_MODULE_NOT_FOUND' });
    let loads = 0;
    reloadEncryptedCodeWith(() => (++loads === 1 ? Promise.reject(gone) : realImport()));
    t.teardown(() => reloadEncryptedCodeWith(undefined));
    clientFor(t, [dot.entry]); // never asked: its failed load must not surface as an unhandled rejection
    const onlyEncrypted = clientFor(t, [dot.entry]);
    const fallback = clientFor(t, [dot.entry, plain.server]);
    const [err, answer] = await Promise.all([
      onlyEncrypted.query('www.example.test', 'A').then(
        () => undefined,
        (e: unknown) => e as DnsError,
      ),
      fallback.query('www.example.test', 'A'),
    ]);
    t.match(err, { code: 'ECONNREFUSED', server: dot.entry }, "that server's failure, named");
    t.equal(err?.cause, gone, "the load's error as its cause");
    t.equal(answer.server, plain.server, 'the next server answered');
    t.equal(loads, 1, 'one load for the three clients made while it ran');
    t.notOk(encryptedCodeLoaded());
    t.equal((await onlyEncrypted.query('www.example.test', 'A')).records.length, 2, "the failed client's next try loads the code again, and is answered");
    t.equal(loads, 2);
    t.equal((await clientFor(t, [dot.entry]).query('www.example.test', 'A')).records.length, 2, 'as is a client made later');
    t.equal(loads, 2, 'with the code now loaded');
    t.equal(dot.connections, 2, 'one connection for each client that was answered');
  },
);

t.test(
  'a try waiting for the code: its signal ends it at once, its deadline is a timeout, close() cancels it; nothing connects once the code is in',
  async (t) => {
    const dot = await dotServer(t);
    const load = heldLoad(t);
    const clock = new ManualClock();
    const client = clientFor(t, [dot.entry], { clock, timeout: 1000 });
    const aborted = new AbortController();
    const cancelled = client.query('www.example.test', 'A', { signal: aborted.signal });
    aborted.abort();
    await t.rejects(cancelled, { name: 'AbortError' }, 'aborted while the code loads');
    const late = client.query('www.example.test', 'A');
    let settled = false;
    late.then(
      () => (settled = true),
      () => (settled = true),
    );
    clock.advance(999);
    await new Promise((resolve) => setImmediate(resolve));
    t.notOk(settled, 'still waiting 1 ms before its deadline');
    clock.advance(1);
    await t.rejects(late, { code: 'ETIMEOUT', server: dot.entry }, "the try's deadline");
    t.equal(client.stats().timeouts, 1, 'counted as a timeout');
    const closing = client.query('www.example.test', 'A');
    client.close();
    await t.rejects(closing, { code: 'ECANCELLED' });
    load.release();
    const other = clientFor(t, [dot.entry]);
    t.equal((await other.query('www.example.test', 'A')).records.length, 2, 'the code, once in, serves a new client');
    t.equal(dot.connections, 1, 'the waiting tries opened nothing, nor did the closed client once the code came');
    t.equal(dot.count(), 1);
  },
);

t.test('a try whose query is already cancelled fails at once, without waiting for the code', async (t) => {
  heldLoad(t);
  const server = parseServerEntry('tls://127.0.0.1:853') as TlsServerAddress;
  const clock = new ManualClock();
  const transports = new EncryptedTransports([server], { config: resolveEncrypted({}, {}), clock, stats: emptyClientStats(), bootstrap: undefined });
  const scope = new CancelScope();
  const reason = new Error('gone');
  scope.cancel(reason);
  const options = { clock, deadline: 1000, scope, onIgnored: () => {}, onTimeout: () => {} };
  await t.rejects(transports.exchange(server, makeQuestion('www.example.test', 'A'), options), reason);
  t.same(clock.pending, [], 'no timer set');
});
