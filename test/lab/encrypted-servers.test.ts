/** The fake DoT and DoH servers themselves, spoken to by raw clients: what they refuse and how. */
import http2 from 'node:http2';
import tls from 'node:tls';
import dnsPacket from 'dns-packet';
import t from 'tap';
import { lengthPrefixed } from '../../lib/dns/tcp.js';
import { FakeDnsServer } from '../../lib/lab/dns-server.js';
import { FakeDohServer } from '../../scripts/harness/doh-server.js';
import { FakeDotServer } from '../../scripts/harness/dot-server.js';
import { CA, CREDENTIALS, clientFor, dohServer, dotServer, eventually } from '../helpers/encrypted.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

const query = (name: string): Buffer => dnsPacket.encode({ type: 'query', id: 5, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A' }] });

async function request(url: string, headers: http2.OutgoingHttpHeaders, body?: Buffer): Promise<{ status: number; body: string }> {
  const session = http2.connect(new URL(url).origin, { ca: CA });
  try {
    const stream = session.request(headers, { endStream: body === undefined });
    if (body) stream.end(body);
    const [response] = (await Promise.all([new Promise((resolve) => stream.on('response', resolve))])) as [http2.IncomingHttpHeaders];
    let text = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    await new Promise((resolve) => stream.on('end', resolve));
    return { status: Number(response[':status']), body: text };
  } finally {
    session.close();
  }
}

t.test('DoH server: what is no DoH request gets the HTTP status RFC 8484 implies', async (t) => {
  const doh = await dohServer(t);
  const url = doh.url();
  const path = new URL(url).pathname;
  const cases: Array<[string, http2.OutgoingHttpHeaders, Buffer | undefined, number]> = [
    ['another path', { ':method': 'GET', ':path': '/other?dns=AAAA' }, undefined, 404],
    ['GET without dns', { ':method': 'GET', ':path': path }, undefined, 400],
    [
      'GET with bytes that are no DNS message',
      { ':method': 'GET', ':path': `${path}?dns=${Buffer.from('nonsense, nonsense').toString('base64url')}` },
      undefined,
      400,
    ],
    ['PUT', { ':method': 'PUT', ':path': path, 'content-type': 'application/dns-message' }, query('www.example.test'), 405],
    ['POST as text/plain', { ':method': 'POST', ':path': path, 'content-type': 'text/plain' }, query('www.example.test'), 415],
    ['POST over 65535 bytes', { ':method': 'POST', ':path': path, 'content-type': 'application/dns-message' }, Buffer.alloc(70_000), 400],
  ];
  for (const [what, headers, body, status] of cases) t.equal((await request(url, headers, body)).status, status, what);
  const ok = await request(url, { ':method': 'POST', ':path': path, 'content-type': 'application/dns-message' }, query('www.example.test'));
  t.equal(ok.status, 200);
  t.equal(doh.count('www.example.test', 'A'), 1, 'only the real query was counted');
});

t.test('DoH server: a delayed answer to a stream the client has reset is dropped quietly', async (t) => {
  const doh = await dohServer(t);
  doh.setBehaviour('www.example.test', 'A', { delay: 100 });
  const session = http2.connect(new URL(doh.url()).origin, { ca: CA });
  t.teardown(() => session.close());
  const stream = session.request({ ':method': 'POST', ':path': doh.path, 'content-type': 'application/dns-message' });
  stream.end(query('www.example.test'));
  await eventually(() => doh.count() === 1);
  stream.close(http2.constants.NGHTTP2_CANCEL);
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.equal(doh.sessions, 1);
});

t.test('DoT server: a frame that is no query gets nothing, the connection stays; a trickle to a closed socket ends', async (t) => {
  const dot = await dotServer(t);
  const socket = tls.connect({ host: '127.0.0.1', port: dot.address.port, ca: CA, servername: 'localhost' });
  t.teardown(() => socket.destroy());
  await new Promise((resolve) => socket.once('secureConnect', resolve));
  const replies: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => replies.push(chunk));
  socket.write(lengthPrefixed(Buffer.from('not a DNS message')));
  socket.write(lengthPrefixed(dnsPacket.encode({ type: 'response', id: 1, questions: [{ name: 'www.example.test', type: 'A' }] })));
  socket.write(lengthPrefixed(dnsPacket.encode({ type: 'query', id: 2, questions: [] })));
  socket.write(lengthPrefixed(query('www.example.test')));
  t.ok(await eventually(() => Buffer.concat(replies).length > 2), 'the query after the junk is answered');
  t.equal(dnsPacket.decode(Buffer.concat(replies).subarray(2)).answers!.length, 2);
  dot.setBehaviour('big.example.test', 'A', { tcp: 'trickle', trickle: { bytes: 10, everyMs: 5 } });
  socket.write(lengthPrefixed(query('big.example.test')));
  await eventually(() => Buffer.concat(replies).length > 100);
  socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal(dot.connections, 1);
  t.equal(dot.count(), 2, 'a response and a query without a question are no queries');
});

t.test('servers without zones answer REFUSED, like an authoritative server asked outside its zones', async (t) => {
  const dot = await FakeDotServer.start({ credentials: CREDENTIALS });
  const doh = await FakeDohServer.start({ credentials: CREDENTIALS });
  t.teardown(() => Promise.all([dot.close(), doh.close()]));
  const client = clientFor(t, [dot.entry, doh.url()]);
  await t.rejects(client.query('www.example.test', 'A'), { code: 'EREFUSED' });
  t.same([dot.count(), doh.count()], [1, 1]);
});

t.test('one backend, three transports: UDP, DoT and DoH servers sharing a zone store', async (t) => {
  const udp = await FakeDnsServer.start({ zones: fixtureZones() });
  t.teardown(() => udp.close());
  const dot = await FakeDotServer.start({ credentials: CREDENTIALS, store: udp.store });
  const doh = await FakeDohServer.start({ credentials: CREDENTIALS, store: udp.store });
  t.teardown(() => Promise.all([dot.close(), doh.close()]));
  udp.setRecords('shared.example.test', 'A', ['192.0.2.99']);
  const client = clientFor(t, [udp.server, dot.entry, doh.url()], { rotate: true });
  const answers = await Promise.all([1, 2, 3].map(() => client.query('shared.example.test', 'A')));
  t.same(
    answers.map((a) => a.records),
    [1, 2, 3].map(() => [{ address: '192.0.2.99', ttl: 300 }]),
  );
  t.same(new Set(answers.map((a) => a.server)), new Set([udp.server, dot.entry, doh.url()]));
});

t.test('eventually() gives up after its time, saying so', async (t) => {
  const started = performance.now();
  t.equal(await eventually(() => false, 50), false);
  t.ok(performance.now() - started >= 45);
});
