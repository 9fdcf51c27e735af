/**
 * DNS over HTTPS (RFC 8484) against a DoH server started on loopback: one HTTP/2 session
 * per server, concurrent streams, POST and GET, padding, ID 0, idle close, GOAWAY.
 */
import { spawn } from 'node:child_process';
import http2 from 'node:http2';
import dnsPacket from 'dns-packet';
import t from 'tap';
import { CA_PATH, clientFor, dohServer, eventually } from '../helpers/encrypted.js';

t.test('POST (RFC 8484 §4.1): answers, media type both ways, ID 0, padded to 128 octets', async (t) => {
  const doh = await dohServer(t);
  const client = clientFor(t, [doh.url()]);
  const answer = await client.query('www.example.test', 'A');
  t.same(
    answer.records.map((r) => r.address),
    ['192.0.2.1', '192.0.2.2'],
  );
  t.equal(answer.server, doh.url());
  await t.rejects(client.query('nope.example.test', 'AAAA'), { code: 'ENOTFOUND', server: doh.url(), negativeTtl: 60 });
  t.same(
    doh.requests,
    [1, 2].map(() => ({ method: 'POST', path: '/dns-query', contentType: 'application/dns-message', accept: 'application/dns-message' })),
  );
  t.same(
    doh.responder.seen.map((q) => [q.id, q.length % 128, q.padding !== undefined]),
    [
      [0, 0, true],
      [0, 0, true],
    ],
    'ID 0 (§4.1), padded',
  );
  t.match(client.stats(), { dohQueries: 2, dohSessions: 1, dotQueries: 0, udpQueries: 0 });
});

t.test('GET (RFC 8484 §4.1, §6): the query as base64url without padding in ?dns=, ID 0', async (t) => {
  const doh = await dohServer(t, { path: '/q' });
  const client = clientFor(t, [`${doh.url()}?ct=1`], { encrypted: { dohMethod: 'GET' } });
  const answer = await client.query('v6only.example.test', 'AAAA');
  t.same(answer.records, [{ address: '2001:db8::6', ttl: 300 }]);
  const [request] = doh.requests;
  t.match(request, { method: 'GET', contentType: undefined, accept: 'application/dns-message' });
  const match = /^\/q\?ct=1&dns=([A-Za-z0-9_-]+)$/.exec(request!.path);
  t.ok(match, `${request!.path.slice(0, 40)}…: base64url, no '=' padding`);
  const query = dnsPacket.decode(Buffer.from(match![1]!, 'base64url'));
  t.equal(query.id, 0);
  t.same(query.questions, [{ name: 'v6only.example.test', type: 'AAAA', class: 'IN' }]);
  t.equal(Buffer.from(match![1]!, 'base64url').length % 128, 0);
  const plainPath = clientFor(t, [doh.url()], { encrypted: { dohMethod: 'GET' } });
  await plainPath.query('www.example.test', 'A');
  t.match(doh.requests[1], { method: 'GET', path: /^\/q\?dns=[A-Za-z0-9_-]+$/ });
});

t.test('streams are independent: a slow answer does not hold back a fast one', async (t) => {
  const doh = await dohServer(t);
  const client = clientFor(t, [doh.url()]);
  doh.setBehaviour('www.example.test', 'A', { delay: 300 });
  const order: string[] = [];
  const slow = client.query('www.example.test', 'A').then(() => order.push('slow'));
  const fast = client.query('v4only.example.test', 'A').then(() => order.push('fast'));
  await Promise.all([slow, fast]);
  t.same(order, ['fast', 'slow']);
  t.equal(doh.sessions, 1);
});

t.test('100 concurrent queries: one HTTP/2 session, 100 streams', async (t) => {
  const doh = await dohServer(t);
  const client = clientFor(t, [doh.url()]);
  const names = Array.from({ length: 100 }, (_, i) => `n${i}.wild.example.test`);
  const answers = await Promise.all(names.map((name) => client.query(name, 'A')));
  t.same(
    answers.map((a) => a.name),
    names,
  );
  t.ok(answers.every((a) => a.records[0]!.address === '192.0.2.42'));
  t.equal(doh.sessions, 1, 'the server saw exactly one HTTP/2 session');
  t.equal(doh.requests.length, 100);
  t.match(client.stats(), { dohQueries: 100, dohSessions: 1 });
});

t.test('HTTP statuses map to DNS errors; the session stays', async (t) => {
  const doh = await dohServer(t);
  const client = clientFor(t, [doh.url()]);
  const cases: Array<[number, string]> = [
    [500, 'ESERVFAIL'],
    [502, 'ESERVFAIL'],
    [503, 'ESERVFAIL'],
    [403, 'EREFUSED'],
    [401, 'EREFUSED'],
    [429, 'EREFUSED'],
    [404, 'EBADRESP'],
    [415, 'EBADRESP'],
    [400, 'EBADRESP'],
    [301, 'EBADRESP'],
  ];
  for (const [status, code] of cases) {
    doh.setBehaviour('www.example.test', 'A', { http: { status } });
    const err = await client.query('www.example.test', 'A').catch((e: unknown) => e);
    t.match(err, { code, server: doh.url(), cause: { status, message: `${doh.url()} answered HTTP ${status}` } }, `${status} → ${code}`);
  }
  doh.setBehaviour('www.example.test', 'A', undefined);
  t.equal((await client.query('www.example.test', 'A')).records.length, 2);
  t.equal(doh.sessions, 1);
});

t.test('a wrong path is a 404 from the server: EBADRESP', async (t) => {
  const doh = await dohServer(t);
  const client = clientFor(t, [doh.url().replace('/dns-query', '/wrong')]);
  await t.rejects(client.query('www.example.test', 'A'), { code: 'EBADRESP', cause: { status: 404 } });
});

t.test('content-type: must be application/dns-message (parameters and case allowed)', async (t) => {
  const doh = await dohServer(t);
  const client = clientFor(t, [doh.url()]);
  for (const contentType of ['application/dns-message; charset=binary', 'Application/DNS-Message']) {
    doh.setBehaviour('www.example.test', 'A', { http: { contentType } });
    t.equal((await client.query('www.example.test', 'A')).records.length, 2, contentType);
  }
  for (const contentType of ['text/html', 'application/dns-json', 'application/dns-messages']) {
    doh.setBehaviour('www.example.test', 'A', { http: { contentType } });
    await t.rejects(client.query('www.example.test', 'A'), { code: 'EBADRESP', cause: { message: new RegExp(`content-type "${contentType}"`) } }, contentType);
  }
  doh.setBehaviour('www.example.test', 'A', { http: { contentType: null } });
  await t.rejects(client.query('www.example.test', 'A'), { code: 'EBADRESP', cause: { message: /content-type null/ } }, 'none at all');
});

t.test('bodies that are no answer to the query: EBADRESP', async (t) => {
  const doh = await dohServer(t);
  const client = clientFor(t, [doh.url()]);
  const other = dnsPacket.encode({ type: 'response', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'other.example.test', type: 'A' }] });
  const bodies: Array<[string, Buffer]> = [
    ['empty', Buffer.alloc(0)],
    ['random bytes', Buffer.from('not a dns message at all, no')],
    ['an answer to another question', other],
    ['over 65535 bytes', Buffer.alloc(70_000)],
  ];
  for (const [what, body] of bodies) {
    doh.setBehaviour('www.example.test', 'A', { http: { body } });
    await t.rejects(client.query('www.example.test', 'A'), { code: 'EBADRESP' }, what);
  }
  doh.setBehaviour('www.example.test', 'A', { garbage: true });
  await t.rejects(client.query('www.example.test', 'A'), { code: 'EBADRESP' }, 'garbage');
  t.equal(doh.sessions, 1);
});

t.test('a truncated answer (TC) cannot be used: EBADRESP', async (t) => {
  const doh = await dohServer(t);
  const client = clientFor(t, [doh.url()]);
  const body = dnsPacket.encode({
    type: 'response',
    id: 0,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.TRUNCATED_RESPONSE,
    questions: [{ name: 'www.example.test', type: 'A' }],
  });
  doh.setBehaviour('www.example.test', 'A', { http: { body } });
  await t.rejects(client.query('www.example.test', 'A'), { code: 'EBADRESP' });
});

t.test('GOAWAY: the session takes no new streams; the next query opens another', async (t) => {
  const doh = await dohServer(t);
  const client = clientFor(t, [doh.url()]);
  doh.setBehaviour('www.example.test', 'A', { http: { goaway: true }, times: 1 });
  t.equal((await client.query('www.example.test', 'A')).records.length, 2, 'the stream before GOAWAY is answered');
  t.equal((await client.query('www.example.test', 'AAAA')).records.length, 1);
  t.equal(doh.sessions, 2);
  doh.goawayAll();
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal((await client.query('v4only.example.test', 'A')).records.length, 1, 'after a GOAWAY while idle too');
  t.equal(doh.sessions, 3);
  t.match(client.stats(), { dohSessions: 3, dohQueries: 3 });
});

t.test('REFUSED_STREAM (unprocessed, RFC 9113 §8.7): sent once more; a second refusal fails the try', async (t) => {
  const doh = await dohServer(t);
  const client = clientFor(t, [doh.url()]);
  doh.setBehaviour('www.example.test', 'A', { http: { reset: http2.constants.NGHTTP2_REFUSED_STREAM }, times: 1 });
  t.equal((await client.query('www.example.test', 'A')).records.length, 2);
  t.equal(doh.count('www.example.test', 'A'), 2, 'refused, then answered');
  doh.setBehaviour('www.example.test', 'A', { http: { reset: http2.constants.NGHTTP2_REFUSED_STREAM }, times: 2 });
  await t.rejects(client.query('www.example.test', 'A'), { code: 'ECONNRESET', cause: { code: 'ERR_HTTP2_STREAM_ERROR', message: /NGHTTP2_REFUSED_STREAM/ } });
  doh.setBehaviour('www.example.test', 'A', { http: { reset: http2.constants.NGHTTP2_CANCEL }, times: 1 });
  await t.rejects(
    client.query('www.example.test', 'A'),
    { code: 'ECONNRESET', cause: { message: /reset the stream \(HTTP\/2 error 8\)/ } },
    'other resets are not retried',
  );
  t.equal(doh.sessions, 1);
});

t.test('the session is torn down mid-query: ECONNRESET; the next attempt opens a new one', async (t) => {
  const doh = await dohServer(t);
  doh.setBehaviour('www.example.test', 'A', { tcp: 'close', times: 1 });
  const once = clientFor(t, [doh.url()]);
  await t.rejects(once.query('www.example.test', 'A'), { code: 'ECONNRESET', server: doh.url() });
  doh.setBehaviour('www.example.test', 'A', { tcp: 'close', times: 1 });
  const twice = clientFor(t, [doh.url()], { attempts: 2 });
  t.equal((await twice.query('www.example.test', 'A')).records.length, 2);
  t.equal(doh.sessions, 3);
});

t.test('a try that times out cancels its stream; the session goes on', async (t) => {
  const doh = await dohServer(t);
  const client = clientFor(t, [doh.url()], { timeout: 200 });
  doh.setBehaviour('www.example.test', 'A', { drop: 'all', times: 1 });
  await t.rejects(client.query('www.example.test', 'A'), { code: 'ETIMEOUT', server: doh.url() });
  t.equal((await client.query('www.example.test', 'A')).records.length, 2);
  t.equal(doh.sessions, 1);
  t.match(client.stats(), { timeouts: 1 });
});

t.test('cancelled in flight: the query rejects at once; the session goes on', async (t) => {
  const doh = await dohServer(t);
  const client = clientFor(t, [doh.url()]);
  doh.setBehaviour('www.example.test', 'A', { delay: 300, times: 1 });
  const controller = new AbortController();
  const pending = client.query('www.example.test', 'A', { signal: controller.signal });
  await eventually(() => doh.count() === 1);
  controller.abort();
  await t.rejects(pending, { name: 'AbortError' });
  t.equal((await client.query('v4only.example.test', 'A')).records.length, 1);
  t.equal(doh.sessions, 1);
});

t.test('idle: the session closes after idleTimeout; the next query opens another', async (t) => {
  const doh = await dohServer(t);
  const client = clientFor(t, [doh.url()], { encrypted: { idleTimeout: 100 } });
  await client.query('www.example.test', 'A');
  t.equal(doh.openSessions, 1);
  t.ok(await eventually(() => doh.openSessions === 0), 'closed when idle');
  await client.query('www.example.test', 'A');
  t.equal(doh.sessions, 2);
});

t.test('close() closes the session now; queries in flight end with ECANCELLED', async (t) => {
  const doh = await dohServer(t);
  const client = clientFor(t, [doh.url()]);
  await client.query('www.example.test', 'A');
  doh.setBehaviour('v4only.example.test', 'A', { drop: 'all' });
  const pending = client.query('v4only.example.test', 'A');
  await eventually(() => doh.count() === 2);
  client.close();
  await t.rejects(pending, { code: 'ECANCELLED' });
  t.ok(await eventually(() => doh.openSessions === 0));
});

t.test('an idle session does not keep the process alive', async (t) => {
  const doh = await dohServer(t);
  const script = `
    const { DnsClient } = await import(${JSON.stringify(new URL('../../lib/dns/client.js', import.meta.url).href)});
    const { parseServerEntry } = await import(${JSON.stringify(new URL('../../lib/system/server-address.js', import.meta.url).href)});
    const { readFileSync } = await import('node:fs');
    const client = new DnsClient({ servers: [parseServerEntry(${JSON.stringify(doh.url())})], tls: { ca: readFileSync(${JSON.stringify(CA_PATH)}) }, encrypted: { idleTimeout: 60000 } });
    console.log((await client.query('www.example.test', 'A')).records.length);`;
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  t.same([code, out.trim()], [0, '2']);
  t.ok(performance.now() - started < 15_000, 'exited long before the 60 s idle timeout');
});
