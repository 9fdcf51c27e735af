/** The TCP leg after TC (RFC 7766): split frames, slow and broken servers, all bounded by the try's timeout. */
import dgram from 'node:dgram';
import t from 'tap';
import { emptyClientStats } from '../../lib/dns/client-stats.js';
import { DnsClient } from '../../lib/dns/client.js';
import { forgeries } from '../helpers/fake-dns-forgery.js';
import { FakeDnsServer, type Behaviour } from '../helpers/fake-dns-server.js';
import { fixtureZones } from '../../scripts/harness/zones.js';

const srv = await FakeDnsServer.start({ zones: fixtureZones() });
t.teardown(() => srv.close());

const NAME = 'big.example.test'; // 100 AAAA records: always TC over UDP

const cases: Array<{ what: string; behaviour: Behaviour; code?: string; minMs?: number }> = [
  { what: 'reply trickled 7 bytes at a time', behaviour: { tcp: 'trickle', trickle: { bytes: 7, everyMs: 0 } } },
  { what: 'reply trickled in 200-byte pieces every 5 ms', behaviour: { tcp: 'trickle', trickle: { bytes: 200, everyMs: 5 } } },
  {
    what: 'forged frames first, all in one chunk',
    behaviour: { forge: forgeries('wrong-id', 'wrong-name', 'cut', 'lying-counts', 'compression-loop', 'garbage') },
  },
  { what: 'a frame that never finishes: ETIMEOUT', behaviour: { tcp: 'stall' }, code: 'ETIMEOUT', minMs: 995 },
  { what: 'a trickle slower than the timeout: ETIMEOUT', behaviour: { tcp: 'trickle', trickle: { bytes: 1, everyMs: 20 } }, code: 'ETIMEOUT', minMs: 995 },
  { what: 'no TCP answer at all: ETIMEOUT', behaviour: { drop: 'tcp' }, code: 'ETIMEOUT', minMs: 995 },
  { what: 'a reset: ECONNRESET', behaviour: { tcp: 'reset' }, code: 'ECONNRESET' },
  { what: 'closed without a reply: ECONNRESET', behaviour: { tcp: 'close' }, code: 'ECONNRESET' },
];

for (const c of cases) {
  t.test(c.what, async (t) => {
    srv.setBehaviour(NAME, 'AAAA', c.behaviour);
    // Short tries where the outcome is a timeout; generous ones where an answer must come.
    const client = new DnsClient({ servers: [srv.address], timeout: c.code ? 1000 : 10_000, attempts: 1 });
    const start = performance.now();
    const pending = client.query(NAME, 'AAAA');
    if (c.code) {
      await t.rejects(pending, { code: c.code, server: srv.server });
      const elapsed = performance.now() - start;
      if (c.minMs) t.ok(elapsed >= c.minMs && elapsed < 3000, `bounded by the 1000 ms try (${elapsed.toFixed(0)} ms)`);
    } else {
      t.equal((await pending).records.length, 100);
    }
    t.equal(client.stats().tcpQueries, 1);
    client.close();
    srv.setBehaviour(NAME, 'AAAA', undefined);
  });
}

t.test('UDP and TCP share one deadline per try: a slow UDP reply leaves less time for TCP', async (t) => {
  srv.setBehaviour(NAME, 'AAAA', { delay: 500, tcp: 'stall' });
  const client = new DnsClient({ servers: [srv.address], timeout: 1000, attempts: 1 });
  const start = performance.now();
  await t.rejects(client.query(NAME, 'AAAA'), { code: 'ETIMEOUT' });
  const elapsed = performance.now() - start;
  t.ok(elapsed >= 995 && elapsed < 1450, `one 1000 ms deadline, not 500 + 1000 (${elapsed.toFixed(0)} ms)`);
  t.equal(client.stats().tcpQueries, 1, 'the TCP leg was tried');
  client.close();
  srv.setBehaviour(NAME, 'AAAA', undefined);
});

t.test('TC over UDP and no TCP listener: ECONNREFUSED at once', async (t) => {
  // A UDP-only responder that always sets TC: the TCP connect to its port is refused.
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  udp.on('message', (msg, rinfo) => {
    const reply = Buffer.from(msg);
    reply[2] = 0x82 | (msg[2]! & 0x01); // QR, TC, RD echoed
    udp.send(reply, rinfo.port, rinfo.address);
  });
  const client = new DnsClient({ servers: [{ address: '127.0.0.1', port: udp.address().port, family: 4 }], timeout: 3000, attempts: 1 });
  const start = performance.now();
  await t.rejects(client.query('www.example.test', 'A'), { code: 'ECONNREFUSED' });
  t.ok(performance.now() - start < 1500, 'not after the timeout');
  t.same(client.stats(), { ...emptyClientStats(), queriesSent: 2, udpQueries: 1, tcpQueries: 1, truncated: 1 });
  client.close();
  udp.close();
});
