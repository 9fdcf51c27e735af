/**
 * HTTPS and SVCB records (RFC 9460) served by a real knotd, every SvcParam included:
 * our decode, printed in presentation format, must equal what kdig prints, record by
 * record, and kdig's text must parse back to the RDATA knot sent.
 */
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { promisify } from 'node:util';
import dnsPacket from 'dns-packet';
import t from 'tap';
import { DnsClient } from '../../lib/dns/client.js';
import { decodeServiceData, TYPE_HTTPS, TYPE_SVCB } from '../../lib/dns/svcb.js';
import { formatServiceData, parseServiceRdata } from '../../lib/dns/svcb-presentation.js';
import { Resolver } from '../../lib/resolver.js';
import { startKnot } from '../../scripts/harness/knot.js';
import { findProgram } from '../../scripts/harness/find-program.js';
import { unmet } from '../helpers/requirements.js';
import { fixtureZone } from '../../scripts/harness/zones.js';

const skip = unmet(['knot', 'kdig']);
if (skip) {
  t.plan(0, skip);
} else {
  const knot = await startKnot([fixtureZone('svc.test')], { udpWorkers: 1 });
  t.teardown(() => knot.stop());
  const kdigPath = findProgram('kdig')!;

  /** kdig's presentation of the RRset, one record a line. knot 3.2 has no name for key 7 (RFC 9461), so it prints key7. */
  const kdig = async (name: string, type: string): Promise<string[]> => {
    const { stdout } = await promisify(execFile)(kdigPath, ['@127.0.0.1', '-p', String(knot.port), '+short', '+tcp', name, type]);
    return stdout.split('\n').filter((line) => line !== '');
  };

  /** The RDATA of each record as knot sent it, asked with dns-packet alone. */
  const rdataOf = (name: string, type: number): Promise<Buffer[]> =>
    new Promise((resolve, reject) => {
      const socket = dgram.createSocket('udp4');
      socket.once('error', reject);
      socket.once('message', (msg) => {
        socket.close();
        const reply = dnsPacket.decode(msg);
        resolve((reply.answers ?? []).filter((rr) => rr.type === `UNKNOWN_${type}`).map((rr) => (rr as { data: unknown }).data as Buffer));
      });
      const query = dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: `UNKNOWN_${type}` as 'A' }] });
      socket.send(query, knot.port, '127.0.0.1');
    });

  const RRSETS: Array<[string, 'HTTPS' | 'SVCB']> = [
    ['all.svc.test', 'HTTPS'],
    ['all.svc.test', 'SVCB'],
    ['svc.test', 'HTTPS'],
    ['alias.svc.test', 'HTTPS'],
    ['dead.svc.test', 'HTTPS'],
    ['mixed.svc.test', 'HTTPS'],
    ['_8443._https.svc.test', 'HTTPS'],
  ];

  t.test('our presentation of each record equals kdig’s, and kdig’s text parses to the RDATA knot sent', async (t) => {
    let params = 0;
    for (const [name, type] of RRSETS) {
      const raw = await rdataOf(name, type === 'HTTPS' ? TYPE_HTTPS : TYPE_SVCB);
      const printed = (await kdig(name, type)).map((line) => line.replace(/ key7=/, ' dohpath='));
      const ours = raw.map((rdata) => {
        const decoded = decodeServiceData(rdata);
        t.ok(decoded.ok, `${name} ${type}: knot's record decodes`);
        if (decoded.ok) params += Object.keys(decoded.record.params).length;
        return decoded.ok ? formatServiceData(decoded.record) : '';
      });
      t.ok(raw.length > 0, `${name} ${type}: knot answered`);
      t.same([...ours].sort(), [...printed].sort(), `${name} ${type}: record by record`);
      for (const line of printed) {
        t.ok(
          raw.some((rdata) => rdata.equals(parseServiceRdata(line))),
          `${name} ${type}: "${line}" parses to knot's RDATA`,
        );
      }
    }
    t.ok(params >= 12, `${params} SvcParams compared`);
  });

  t.test('every SvcParamKey of RFC 9460 and dohpath, as DnsClient returns them', async (t) => {
    {
      const client = new DnsClient({ servers: [knot.v4], timeout: 2000 });
      const answer = await client.query('all.svc.test', 'HTTPS');
      const first = answer.records.find((r) => r.priority === 1)!;
      t.same(first, {
        priority: 1,
        target: '.',
        params: {
          mandatory: ['alpn', 'port'],
          alpn: ['h2', 'h3'],
          noDefaultAlpn: true,
          port: 8443,
          ipv4hint: ['192.0.2.1', '192.0.2.2'],
          ech: Buffer.from('AAr+DQAGaGV0ZXN0', 'base64'),
          ipv6hint: ['2001:db8::1', '2001:db8:122:344::c000:221'],
          dohpath: '/dns-query{?dns}',
          key65000: Buffer.from([0x61, 0xd2, 0x62]),
        },
        ttl: 200,
      });
      t.same(answer.records.map((r) => r.target).sort(), ['.', 'svc2.svc.test', 'svc3.svc.test']);
      t.same(answer.records.find((r) => r.priority === 3)!.params, { alpn: ['f\\oo,bar', 'h2'], key667: Buffer.from('hello') });
      client.close();
    }
  });

  t.test('a malformed record rejects the whole RRset: EBADRESP (RFC 9460 §2.2)', async (t) => {
    const client = new DnsClient({ servers: [knot.v4], timeout: 2000 });
    await t.rejects(client.query('malformed.svc.test', 'HTTPS'), { code: 'EBADRESP', rrtype: 'HTTPS', hostname: 'malformed.svc.test' });
    await t.rejects(client.query('nodata.svc.test', 'HTTPS'), { code: 'ENODATA', rrtype: 'HTTPS', negativeTtl: 60 });
    client.close();
  });

  t.test('the Resolver follows knot’s AliasMode and CNAME records', async (t) => {
    const resolver = new Resolver({ servers: [`127.0.0.1:${knot.port}`], resolvConf: false, hosts: false });
    t.teardown(() => resolver.close());
    const answer = await resolver.query('aliascname.svc.test', 'HTTPS');
    t.same(answer.aliases, ['cname.svc.test']);
    t.same(answer.cnames, ['cname.svc.test', 'svc.test']);
    t.same(answer.records.map(formatServiceData), ['1 . alpn=h2,h3 ipv4hint=192.0.2.10 ipv6hint=2001:db8::10']);
    await t.rejects(resolver.query('loop1.svc.test', 'HTTPS'), { code: 'ESERVFAIL', message: /AliasMode loop at loop1.svc.test/ });
  });
}
