/**
 * What a fresh process pays to its first connected socket: the import, then the first
 * connect, each variant in a new `node` process, variants interleaved, medians. The parent
 * hosts a fake DNS server on a random 127.x.y.z (AAAA ::1 and A 127.0.0.1) and accepting
 * listeners on [::1]:P and 127.0.0.1:P, so the child loads nothing but what it measures.
 * - happy-eyeballs: `import()` of the package entry (dist/index.js), then `connect()` with
 *   a `Resolver` given that server (`resolvConf: false`, `hosts: false`, `cache: false`);
 * - before (`--before DIR`): the same with DIR/dist/index.js;
 * - node: `import()` of node:net and node:dns, then `net.connect({ autoSelectFamily })`
 *   with a `lookup` asking the same server through c-ares (AAAA and A in parallel).
 *
 *   node build/scripts/bench-first-connect.js [--runs 21] [--before DIR] [--entry FILE]
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { FakeDnsServer } from '../lib/lab/dns-server.js';
import { listenPair } from '../lib/lab/listeners.js';
import { benchZone } from './bench-lib/namespace.js';
import { numberArg, stringArg, table, times } from './bench-lib/print.js';
import { median } from './bench-lib/stats.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const runs = numberArg(argv, '--runs', 21);
const entry = resolve(stringArg(argv, '--entry') ?? join(here, '..', '..', 'dist', 'index.js'));
const before = stringArg(argv, '--before');
const ZONE = 'first.he.test';

/** Module code for the child: `load` (the import), then `open` (the first connect, resolving to the socket). */
const ours = (file: string, nameserver: string, port: number): [string, string] => [
  `const { connect, Resolver } = await import(${JSON.stringify(pathToFileURL(file).href)});`,
  `const resolver = new Resolver({ servers: [${JSON.stringify(nameserver)}], resolvConf: false, hosts: false, cache: false, attempts: 1 });
   const socket = await connect({ host: 'ok.${ZONE}', port: ${port}, resolver });`,
];
const node = (nameserver: string, port: number): [string, string] => [
  `const net = await import('node:net'); const dns = await import('node:dns');`,
  `const resolver = new dns.Resolver({ timeout: 3000, tries: 1 });
   resolver.setServers([${JSON.stringify(nameserver)}]);
   const lookup = (hostname, options, callback) => {
     const all = [];
     let left = 2;
     const done = () => {
       if (--left > 0) return;
       if (all.length === 0) return callback(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }));
       if (options.all) return callback(null, all);
       callback(null, all[0].address, all[0].family);
     };
     resolver.resolve6(hostname, (err, a) => { if (!err) all.unshift(...a.map((address) => ({ address, family: 6 }))); done(); });
     resolver.resolve4(hostname, (err, a) => { if (!err) all.push(...a.map((address) => ({ address, family: 4 }))); done(); });
   };
   const socket = await new Promise((ok, fail) => {
     const s = net.connect({ host: 'ok.${ZONE}', port: ${port}, autoSelectFamily: true, lookup });
     s.once('connect', () => ok(s)); s.once('error', fail);
   });`,
];

async function once([load, open]: [string, string]): Promise<{ imported: number; connected: number }> {
  const script = `const t0 = performance.now(); ${load} const t1 = performance.now(); ${open} const t2 = performance.now();
    socket.destroy(); process.stdout.write(JSON.stringify({ imported: t1 - t0, connected: t2 - t1 })); process.exit(0);`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
  return JSON.parse(stdout) as { imported: number; connected: number };
}

const host = `127.${20 + Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
const records = [
  { name: `ok.${ZONE}`, type: 'AAAA' as const, data: '::1' },
  { name: `ok.${ZONE}`, type: 'A' as const, data: '127.0.0.1' },
];
const server = await FakeDnsServer.start({ zones: [benchZone(ZONE, records)], host });
const pair = await listenPair({ ipv6: 'accept', ipv4: 'accept' });
const variants: Array<[string, [string, string]]> = [
  ['node autoSelectFamily (c-ares lookup)', node(server.server, pair.port)],
  ['happy-eyeballs', ours(entry, server.server, pair.port)],
];
if (before) {
  const dist = resolve(before, 'dist', 'index.js');
  variants.push(['happy-eyeballs (before)', ours(existsSync(dist) ? dist : resolve(before, 'build', 'lib', 'index.js'), server.server, pair.port)]);
}
const samples = new Map(variants.map(([name]) => [name, { imported: [] as number[], connected: [] as number[], total: [] as number[] }]));
try {
  for (const [, code] of variants) await once(code); // warm the file cache
  for (let r = 0; r < runs; r++)
    for (let k = 0; k < variants.length; k++) {
      const [name, code] = variants[(r + k) % variants.length]!;
      const s = await once(code);
      const into = samples.get(name)!;
      into.imported.push(s.imported);
      into.connected.push(s.connected);
      into.total.push(s.imported + s.connected);
    }
} finally {
  await Promise.all([server.close(), pair.close()]);
}
const nodeTotal = median(samples.get(variants[0]![0])!.total);
console.log(`a fresh process to its first connected socket, ${runs} runs each, interleaved; medians (ms). happy-eyeballs: ${entry}`);
console.log(
  table(
    ['variant', 'import', 'first connect', 'both', 'both / node'],
    variants.map(([name]) => {
      const s = samples.get(name)!;
      return [name, median(s.imported).toFixed(1), median(s.connected).toFixed(1), median(s.total).toFixed(1), times(median(s.total) / nodeTotal)];
    }),
  ),
);
