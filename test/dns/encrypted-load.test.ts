/**
 * The DoT/DoH code is loaded by the first client made with an encrypted server
 * (lib/dns/encrypted.ts). This file runs in its own process, so its first client finds the
 * code not loaded yet: queries made meanwhile wait for it, and a client closed meanwhile
 * opens nothing. (Every other DoT/DoH test exercises the loaded path.)
 */
import t from 'tap';
import { encryptedCodeLoaded } from '../../lib/dns/encrypted.js';
import { clientFor, dotServer } from '../helpers/encrypted.js';

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
