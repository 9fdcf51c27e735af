/**
 * DNS over TLS (RFC 7858) against a DoT server started on loopback: one long-lived
 * connection per server, pipelined queries answered in any order (RFC 7766), padding
 * (RFC 8467), idle close and reconnects.
 */
import { spawn } from 'node:child_process';
import t from 'tap';
import { unusedId } from '../../lib/dns/dot-connection.js';
import type { DnsError } from '../../lib/errors.js';
import { CA_PATH, clientFor, dotServer, eventually } from '../helpers/encrypted.js';

t.test('answers over DoT: records, a CNAME chain, NXDOMAIN, each naming the server', async (t) => {
  const dot = await dotServer(t);
  const client = clientFor(t, [dot.entry]);
  const server = `tls://127.0.0.1:${dot.address.port}`;
  t.same(await client.query('www.example.test', 'A'), {
    name: 'www.example.test',
    type: 'A',
    records: [
      { address: '192.0.2.1', ttl: 300 },
      { address: '192.0.2.2', ttl: 300 },
    ],
    ttl: 300,
    cnames: [],
    server,
    source: 'dns',
  });
  const chain = await client.query('alias1.example.test', 'AAAA');
  t.same(chain.cnames, ['alias2.example.test', 'alias3.example.test', 'www.example.test']);
  t.same(chain.records, [{ address: '2001:db8::1', ttl: 600 }]);
  t.equal(chain.ttl, 100, 'the smallest TTL along the chain');
  await t.rejects(client.query('nope.example.test', 'A'), { code: 'ENOTFOUND', server, negativeTtl: 60 });
  await t.rejects(client.query('v4only.example.test', 'AAAA'), { code: 'ENODATA', server });
  t.equal(dot.connections, 1, 'every query on the one connection');
  t.match(client.stats(), { queriesSent: 4, dotQueries: 4, dotConnections: 1, udpQueries: 0, tcpQueries: 0 });
});

t.test('100 concurrent queries: one TLS connection, IDs unique among those in flight, each padded to 128 octets', async (t) => {
  const dot = await dotServer(t);
  const client = clientFor(t, [dot.entry]);
  const names = Array.from({ length: 100 }, (_, i) => `n${i}.wild.example.test`);
  const answers = await Promise.all(names.map((name) => client.query(name, 'A')));
  t.same(
    answers.map((a) => a.records),
    names.map(() => [{ address: '192.0.2.42', ttl: 300 }]),
  );
  t.same(
    answers.map((a) => a.name),
    names,
    'each answer matched to its own question',
  );
  t.equal(dot.connections, 1, 'the server saw exactly one TLS connection');
  t.equal(dot.count(), 100);
  const seen = dot.responder.seen;
  t.equal(new Set(seen.map((q) => q.id)).size, 100, 'all 100 were in flight at once, under 100 IDs');
  t.ok(
    seen.every((q) => q.length % 128 === 0 && q.padding !== undefined),
    `padded lengths: ${[...new Set(seen.map((q) => q.length))].join(', ')}`,
  );
  t.match(client.stats(), { dotQueries: 100, dotConnections: 1 });
});

t.test('out of order (RFC 7766 §7): a slow answer does not hold back a fast one', async (t) => {
  const dot = await dotServer(t);
  const client = clientFor(t, [dot.entry]);
  dot.setBehaviour('www.example.test', 'A', { delay: 300 });
  const order: string[] = [];
  const slow = client.query('www.example.test', 'A').then((a) => (order.push('slow'), a));
  const fast = client.query('v4only.example.test', 'A').then((a) => (order.push('fast'), a));
  const [s, f] = await Promise.all([slow, fast]);
  t.same(order, ['fast', 'slow']);
  t.same(
    s.records.map((r) => r.address),
    ['192.0.2.1', '192.0.2.2'],
  );
  t.same(f.records, [{ address: '192.0.2.4', ttl: 300 }]);
  t.equal(dot.connections, 1);
});

t.test('pipelining limit: at most maxInFlight queries are written; the rest wait for a slot', async (t) => {
  const dot = await dotServer(t);
  const client = clientFor(t, [dot.entry], { encrypted: { maxInFlight: 2 } });
  dot.setBehaviour('*', 'A', { delay: 500 });
  const pending = Array.from({ length: 6 }, (_, i) => client.query(`p${i}.wild.example.test`, 'A'));
  t.ok(await eventually(() => dot.count() === 2), 'two written');
  await new Promise((resolve) => setTimeout(resolve, 150));
  t.equal(dot.count(), 2, 'no more while both wait for their answers (500 ms)');
  const answers = await Promise.all(pending);
  t.equal(answers.length, 6);
  t.equal(dot.count(), 6);
  t.equal(dot.connections, 1);
});

t.test('many more waiting than the limit: all answered, in order of asking, on one connection', async (t) => {
  const dot = await dotServer(t);
  const client = clientFor(t, [dot.entry], { encrypted: { maxInFlight: 1 }, timeout: 30_000 });
  const names = Array.from({ length: 1100 }, (_, i) => `q${i}.wild.example.test`);
  const answers = await Promise.all(names.map((name) => client.query(name, 'A')));
  t.equal(answers.length, 1100);
  t.same(
    dot.responder.seen.map((q) => q.name),
    names,
    'written one at a time, oldest first',
  );
  t.equal(dot.connections, 1);
});

t.test('answers split across TLS records (trickled 3 bytes at a time) are joined', async (t) => {
  const dot = await dotServer(t);
  const client = clientFor(t, [dot.entry]);
  dot.setBehaviour('big.example.test', 'AAAA', { tcp: 'trickle', trickle: { bytes: 3, everyMs: 0 } });
  const answer = await client.query('big.example.test', 'AAAA');
  t.equal(answer.records.length, 100, 'a 100-record answer: no truncation over TLS');
});

t.test('idle: the connection closes after idleTimeout; the next query opens another', async (t) => {
  const dot = await dotServer(t);
  const client = clientFor(t, [dot.entry], { encrypted: { idleTimeout: 100 } });
  await client.query('www.example.test', 'A');
  t.equal(dot.openConnections, 1);
  t.ok(await eventually(() => dot.openConnections === 0), 'closed by the client when idle');
  await client.query('www.example.test', 'AAAA');
  t.equal(dot.connections, 2);
  t.match(client.stats(), { dotConnections: 2 });
});

t.test('busy connections do not idle out', async (t) => {
  const dot = await dotServer(t);
  const client = clientFor(t, [dot.entry], { encrypted: { idleTimeout: 100 } });
  dot.setBehaviour('www.example.test', 'A', { delay: 300 });
  await client.query('www.example.test', 'A');
  t.equal(dot.connections, 1, 'a 300 ms answer outlives a 100 ms idle timeout');
});

t.test('the server closes an idle connection: the next query reconnects, nothing fails', async (t) => {
  const dot = await dotServer(t);
  const client = clientFor(t, [dot.entry]);
  await client.query('www.example.test', 'A');
  dot.closeConnections();
  t.ok(await eventually(() => dot.openConnections === 0));
  t.same((await client.query('v4only.example.test', 'A')).records, [{ address: '192.0.2.4', ttl: 300 }]);
  t.equal(dot.connections, 2);
});

t.test('an answer after its try timed out is ignored, and the connection goes on', async (t) => {
  const dot = await dotServer(t);
  const client = clientFor(t, [dot.entry], { timeout: 200 });
  dot.setBehaviour('www.example.test', 'A', { delay: 400, times: 1 });
  await t.rejects(client.query('www.example.test', 'A'), { code: 'ETIMEOUT', server: dot.entry });
  t.ok(await eventually(() => client.stats().ignoredReplies === 1), 'the late answer came and was ignored');
  t.same((await client.query('www.example.test', 'A')).records.length, 2);
  t.equal(dot.connections, 1);
  t.match(client.stats(), { timeouts: 1, dotConnections: 1 });
});

t.test('cancelled in flight: the query rejects at once, its late answer is ignored', async (t) => {
  const dot = await dotServer(t);
  const client = clientFor(t, [dot.entry]);
  dot.setBehaviour('www.example.test', 'A', { delay: 200 });
  const controller = new AbortController();
  const pending = client.query('www.example.test', 'A', { signal: controller.signal });
  await eventually(() => dot.count() === 1);
  controller.abort();
  await t.rejects(pending, { name: 'AbortError' });
  t.ok(await eventually(() => client.stats().ignoredReplies === 1));
  t.equal(dot.openConnections, 1, 'the connection stays for the next query');
});

t.test('a thousand abandoned IDs: the oldest are forgotten, the connection goes on', async (t) => {
  const dot = await dotServer(t);
  const client = clientFor(t, [dot.entry], { timeout: 300, encrypted: { maxInFlight: 2000 } });
  dot.setBehaviour('*', 'A', { drop: 'all' });
  const names = Array.from({ length: 1030 }, (_, i) => `gone${i}.wild.example.test`);
  const results = await Promise.allSettled(names.map((name) => client.query(name, 'A')));
  t.ok(results.every((r) => r.status === 'rejected' && (r.reason as DnsError).code === 'ETIMEOUT'));
  dot.setBehaviour('*', 'A', undefined);
  t.equal((await client.query('www.example.test', 'A')).records.length, 2);
  t.equal(dot.connections, 1);
});

t.test('close() closes the connection now; queries in flight end with ECANCELLED', async (t) => {
  const dot = await dotServer(t);
  const client = clientFor(t, [dot.entry]);
  await client.query('www.example.test', 'A');
  dot.setBehaviour('v4only.example.test', 'A', { drop: 'all' });
  const pending = client.query('v4only.example.test', 'A');
  await eventually(() => dot.count() === 2);
  client.close();
  await t.rejects(pending, { code: 'ECANCELLED' });
  t.ok(await eventually(() => dot.openConnections === 0));
});

t.test('an idle connection does not keep the process alive', async (t) => {
  const dot = await dotServer(t);
  const script = `
    const { DnsClient } = await import(${JSON.stringify(new URL('../../lib/dns/client.js', import.meta.url).href)});
    const { parseServerEntry } = await import(${JSON.stringify(new URL('../../lib/system/server-address.js', import.meta.url).href)});
    const { readFileSync } = await import('node:fs');
    const client = new DnsClient({ servers: [parseServerEntry(${JSON.stringify(dot.entry)})], tls: { ca: readFileSync(${JSON.stringify(CA_PATH)}) }, encrypted: { idleTimeout: 60000 } });
    const answer = await client.query('www.example.test', 'A');
    console.log(answer.records.length);`;
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  t.equal(code, 0);
  t.equal(out.trim(), '2');
  t.ok(performance.now() - started < 15_000, 'exited long before the 60 s idle timeout');
  t.equal(dot.connections, 1);
});

t.test('unusedId draws again while the ID is taken', async (t) => {
  const draws = [7, 7, 9, 11];
  t.equal(
    unusedId(
      (id) => id === 7 || id === 9,
      () => draws.shift()!,
    ),
    11,
  );
  t.same(draws, []);
});
