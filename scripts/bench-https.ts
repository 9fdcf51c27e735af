/**
 * Issue 17: what asking the HTTPS record (Happy Eyeballs v3) costs a TLS connect when
 * the HTTPS query fails, side by side with today's race (`httpsRecords: false`), runs
 * interleaved in one process. Every host has AAAA ::1 and A 127.0.0.1 and a TLS server
 * on both at one port P; the HTTPS question of each variant's host (`_P._https.host`,
 * RFC 9460 §9.1) is answered SERVFAIL, dropped, or answered with a record. Each connect uses a fresh Resolver without cache,
 * so every run asks DNS on the wire; the fake DNS server is on loopback (no netem here:
 * "DNS 20 ms" delays the AAAA and A answers, and SERVFAIL, in the server).
 *
 *   npx tsc -p tsconfig.json && node build/scripts/bench-https.js [--runs 60] [--json-out FILE]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import tls from 'node:tls';
import { connect } from '../lib/connect.js';
import { httpsQueryName } from '../lib/dns/https-name.js';
import { FakeDnsServer } from '../lib/lab/dns-server.js';
import type { Zone } from '../lib/lab/dns-zone.js';
import { Resolver } from '../lib/resolver.js';
import { ms, numberArg, stringArg, table, times } from './bench-lib/print.js';
import { ratio, summarize, type Summary } from './bench-lib/stats.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../fixtures/tls/${name}`, import.meta.url));
const ca = fixture('ca.pem');
const RESOLUTION_DELAY = 50;

interface Variant {
  what: string;
  host: string;
  httpsRecords: boolean;
  https: 'servfail' | 'drop' | 'record' | 'none';
}

const VARIANTS: Variant[] = [
  { what: 'today (httpsRecords off)', host: 'base', httpsRecords: false, https: 'none' },
  { what: 'HTTPS SERVFAIL', host: 'servfail', httpsRecords: true, https: 'servfail' },
  { what: 'HTTPS dropped', host: 'dropped', httpsRecords: true, https: 'drop' },
  { what: 'HTTPS answered (1 .)', host: 'record', httpsRecords: true, https: 'record' },
];
const SCENARIOS = [
  { what: 'DNS on loopback (<1 ms)', delay: 0 },
  { what: 'DNS 20 ms', delay: 20 },
];

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const runs = numberArg(argv, '--runs', 60);
  const jsonOut = stringArg(argv, '--json-out');
  const servers = await Promise.all(['::1', '127.0.0.1'].map((host, i) => listenTls(host, i === 0 ? 0 : undefined)));
  const port = (servers[0]!.address() as net.AddressInfo).port;
  await new Promise<void>((resolve, reject) => servers[1]!.once('error', reject).listen(port, '127.0.0.1', resolve));
  const records: Zone['records'] = [];
  for (const s of SCENARIOS) {
    for (const v of VARIANTS) {
      const name = `${v.host}-d${s.delay}.he.test`;
      records.push({ name, type: 'A', data: '127.0.0.1' }, { name, type: 'AAAA', data: '::1' });
      if (v.https === 'record') records.push({ name: httpsQueryName(name, port), type: 'HTTPS', data: '1 .' });
    }
  }
  const dns = await FakeDnsServer.start({
    zones: [{ origin: 'he.test', ttl: 60, soa: { mname: 'ns.he.test', rname: 'h.he.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 60 }, records }],
  });
  for (const s of SCENARIOS) {
    for (const v of VARIANTS) {
      const name = `${v.host}-d${s.delay}.he.test`;
      if (s.delay > 0) for (const type of ['A', 'AAAA']) dns.setBehaviour(name, type, { delay: s.delay });
      const qname = httpsQueryName(name, port);
      if (v.https === 'servfail') dns.setBehaviour(qname, 'HTTPS', { rcode: 'SERVFAIL', ...(s.delay > 0 ? { delay: s.delay } : {}) });
      if (v.https === 'drop') dns.setBehaviour(qname, 'HTTPS', { drop: 'all' });
      if (v.https === 'record' && s.delay > 0) dns.setBehaviour(qname, 'HTTPS', { delay: s.delay });
    }
  }
  const samples = new Map<string, number[]>();
  for (let round = 0; round < runs + 3; round++) {
    for (const s of SCENARIOS) {
      for (const v of VARIANTS) {
        const took = await connectOnce(`${v.host}-d${s.delay}.he.test`, port, v.httpsRecords, dns.server);
        if (round < 3) continue; // warm-up
        const key = `${s.what}|${v.what}`;
        samples.set(key, [...(samples.get(key) ?? []), took]);
      }
    }
  }
  await dns.close();
  for (const server of servers) server.close();
  const report: Record<string, Record<string, Summary & { vsToday: number }>> = {};
  for (const s of SCENARIOS) {
    const today = summarize(samples.get(`${s.what}|${VARIANTS[0]!.what}`)!);
    report[s.what] = {};
    const rows = VARIANTS.map((v) => {
      const summary = summarize(samples.get(`${s.what}|${v.what}`)!);
      const vsToday = ratio(summary.median, today.median);
      report[s.what]![v.what] = { ...summary, vsToday };
      return [v.what, ms(summary.median), ms(summary.p90), times(vsToday), ms(summary.median - today.median)];
    });
    console.log(`\n${s.what}: time to a TLS socket, ms (${runs} runs each, interleaved; Resolution Delay ${RESOLUTION_DELAY} ms)`);
    console.log(table(['variant', 'median', 'p90', 'vs today', 'Δ median'], rows));
  }
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify({ runs, resolutionDelay: RESOLUTION_DELAY, report }, null, 2)}\n`);
}

async function connectOnce(host: string, port: number, httpsRecords: boolean, server: string): Promise<number> {
  const resolver = new Resolver({ servers: [server], resolvConf: false, hosts: false, cache: false, timeout: 2000, attempts: 1 });
  const started = performance.now();
  const socket = await connect({ host, port, tls: { ca }, resolver, httpsRecords, resolutionDelay: RESOLUTION_DELAY });
  const took = performance.now() - started;
  socket.destroy();
  resolver.close();
  return took;
}

function listenTls(host: string, port: number | undefined): Promise<tls.Server> | tls.Server {
  const server = tls.createServer({ key: fixture('server-key.pem'), cert: fixture('server.pem') }, (socket) => socket.on('error', () => {}).end());
  if (port === undefined) return server;
  return new Promise((resolve, reject) => server.once('error', reject).listen({ port, host, ipv6Only: true }, () => resolve(server)));
}

await main();
