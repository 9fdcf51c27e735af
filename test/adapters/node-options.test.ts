import dns from 'node:dns';
import { once } from 'node:events';
import net from 'node:net';
import t from 'tap';
import { HttpAgent, HttpsAgent } from '../../lib/adapters/agents.js';
import { createConnection, type CreateConnectionOptions } from '../../lib/adapters/create-connection.js';
import { fromNodeOptions } from '../../lib/adapters/node-options.js';
import { listen } from '../helpers/black-hole.js';
import { closeServer } from '../helpers/race-loopback.js';
import { MemoryResolver } from '../helpers/race-resolver.js';

t.test('Node\'s "not set" spellings become ours; everything else is kept as it is', async (t) => {
  const lookup = (): void => {};
  t.same(fromNodeOptions({ signal: null, family: null, timeout: 0, localAddress: null, servername: null, lookup, hints: dns.ADDRCONFIG, port: 80 }), {
    port: 80,
  });
  t.same(fromNodeOptions({ family: 'IPv4', timeout: null, localAddress: '' }), { family: 4 });
  t.same(fromNodeOptions({ family: 'IPv6' }), { family: 6 });
  t.same(
    fromNodeOptions({ family: 'toString', servername: '', timeout: 5, family2: null }),
    { family: 'toString', servername: '', timeout: 5, family2: null },
    'unknown names are left for the check to refuse',
  );
  const nullProto = Object.assign(Object.create(null) as object, { signal: null, host: 'h' });
  t.same({ ...fromNodeOptions(nullProto) }, { host: 'h' }, 'objects without a prototype, as ClientRequest builds them');
  t.equal(fromNodeOptions(null), null);
  t.equal(fromNodeOptions(5), 5);
});

const spellings: Array<[string, Partial<CreateConnectionOptions>]> = [
  ['signal: null', { signal: null }],
  ['family: null', { family: null }],
  ['family: 0', { family: 0 }],
  ["family: 'IPv4'", { family: 'IPv4' }],
  ['timeout: 0 (no timeout)', { timeout: 0 }],
  ['timeout: undefined', { timeout: undefined }],
  ['localAddress: null', { localAddress: null }],
  ['lookup (not used: the resolver answers)', { lookup: () => t.fail('lookup must not be called') }],
  ['hints: dns.ADDRCONFIG (not used)', { hints: dns.ADDRCONFIG }],
];

t.test("createConnection and both agents accept what Node's agents and net.connect accept, with the same meaning", async (t) => {
  const held: net.Socket[] = [];
  const server = await listen(
    net.createServer((s) => held.push(s)),
    '127.0.0.1',
    0,
  );
  t.teardown(() => closeServer(server, held));
  const { port } = server.address() as net.AddressInfo;
  const resolver = new MemoryResolver({ 'v4.example.test': { A: { addresses: ['127.0.0.1'] } } });
  for (const [name, extra] of spellings) {
    const options = { host: 'v4.example.test', port, resolver, ...extra };
    const returned = createConnection(options);
    await once(returned, 'connect');
    t.equal(returned.timeout, undefined, `${name}: createConnection connects, no idle timeout`);
    returned.destroy();
    const agent = new HttpAgent({ ...extra, resolver } as never);
    const socket = await new Promise<net.Socket>((resolve, reject) =>
      agent.createConnection({ ...options, protocol: 'http:' } as never, (err, s) => (err ? reject(err) : resolve(s as net.Socket))),
    );
    t.equal(socket.remoteAddress, '127.0.0.1', `${name}: HttpAgent built and connected with it`);
    socket.destroy();
    t.doesNotThrow(() => new HttpsAgent({ ...extra, resolver } as never), `${name}: HttpsAgent built with it`);
  }
});
