/**
 * Importing the library loads nothing most users never touch: dns-packet waits for the
 * first reply decoded, node:crypto for the first query, node:tls for the first TLS
 * connection or encrypted server, node:http2 for the first DoH session, the DoT/DoH code
 * for the first client with an encrypted server (docs/benchmarks.md, "import").
 * Checked in a fresh process, whose module registries say what was loaded.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import t from 'tap';
import { closedPort } from './helpers/closed-port.js';

const run = promisify(execFile);
const index = new URL('../lib/index.js', import.meta.url).href;
const reply = new URL('../lib/dns/reply.js', import.meta.url).href;

/** Runs `then` (module code) after importing the library; returns what was loaded before and after. */
async function loaded(then: string, entry = index): Promise<{ before: string[]; after: string[] }> {
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const modules = () => [
      ...Object.keys(require.cache).filter((f) => f.includes('/node_modules/')).map((f) => f.replace(/^.*\\/node_modules\\//, '')),
      ...process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => 'node:' + m.slice(13)),
    ];
    await import(${JSON.stringify(entry)});
    const before = modules();
    ${then}
    console.log(JSON.stringify({ before, after: modules() }));
  `;
  // Through env(1) without NODE_OPTIONS: the test runner adds its hooks to every node it
  // sees started (even with NODE_OPTIONS cleared), and they load builtins of their own.
  const { stdout } = await run('/usr/bin/env', ['-u', 'NODE_OPTIONS', process.execPath, '--input-type=module', '-e', script]);
  return JSON.parse(stdout);
}

const has = (list: string[], prefix: string): boolean => list.some((m) => m.startsWith(prefix));

t.test('importing the library loads neither dns-packet, node:http2, node:tls nor node:crypto', async (t) => {
  const { before } = await loaded('');
  t.notOk(has(before, 'dns-packet/'), 'dns-packet');
  t.notOk(has(before, '@leichtgewicht/ip-codec/'), "dns-packet's ip-codec");
  for (const name of ['node:http2', 'node:tls', 'node:crypto']) t.notOk(before.includes(name), name);
  t.ok(before.includes('node:net'), 'the check sees what is loaded (node:net is)');
});

/**
 * Module code for `loaded()`: a plain query, then a TLS connect, then a DoT query, each to a
 * closed loopback port (refused), recording after each step whether node:crypto and
 * node:tls are loaded. `entry` is the library's module to import.
 */
function firstUses(entry: string, port: number): string {
  return `
    const { Resolver, connect } = await import(${JSON.stringify(entry)});
    const has = (name) => process.moduleLoadList.includes('NativeModule ' + name);
    const steps = {};
    const plain = new Resolver({ servers: ['127.0.0.1:${port}'], resolvConf: false, hosts: false, attempts: 1 });
    steps.query = [await plain.query('www.example.test', 'A').catch((e) => e.code), has('crypto'), has('tls')];
    plain.close();
    const socket = await connect({ host: '127.0.0.1', port: ${port}, tls: {} }).catch((e) => e.code);
    steps.tls = [typeof socket === 'string' ? socket : 'connected', has('crypto'), has('tls')];
    const encrypted = new Resolver({ servers: ['tls://127.0.0.1:${port}'], resolvConf: false, hosts: false, attempts: 1 });
    steps.dot = [await encrypted.query('www.example.test', 'A').catch((e) => e.code), has('tls')];
    encrypted.close();
    console.error(JSON.stringify(steps));
    const expected = { query: ['ECONNREFUSED', true, false], tls: ['ERR_HE_ALL_ATTEMPTS_FAILED', true, true], dot: ['ECONNREFUSED', true] };
    if (JSON.stringify(steps) !== JSON.stringify(expected)) throw new Error(JSON.stringify(steps));
  `;
}

t.test('node:crypto is required by the first query, node:tls by the first TLS connection; encrypted servers still work', async (t) => {
  const closed = await closedPort();
  const { before, after } = await loaded(firstUses(index, closed.port));
  t.notOk(before.includes('node:crypto') || before.includes('node:tls'), 'neither at import');
  t.ok(after.includes('node:crypto') && after.includes('node:tls'), 'both after (each step checked in the child)');
});

t.test('importing the library loads neither node:http, node:https nor node:dns (agents and the system resolver load them)', async (t) => {
  const { before, after } = await loaded(`
    const { HttpAgent, HttpsAgent } = await import(${JSON.stringify(index)});
    const http = await import('node:http');
    // Defined before any agent was made, while the agents still extend their placeholders.
    class Mine extends HttpsAgent {}
    const loadedYet = process.moduleLoadList.includes('NativeModule https');
    const mine = new Mine({ keepAlive: true });
    const https = await import('node:https');
    const checks = {
      loadedYet,
      https: mine instanceof https.Agent,
      http: mine instanceof http.Agent && new HttpAgent() instanceof http.Agent,
      keepAlive: mine.keepAlive === true,
      statics: HttpAgent.defaultMaxSockets === http.Agent.defaultMaxSockets && Object.getPrototypeOf(HttpsAgent) === https.Agent,
      plainAgentUntouched: !(new http.Agent() instanceof HttpAgent),
    };
    if (Object.values(checks).some((v, i) => (i === 0 ? v : !v))) throw new Error(JSON.stringify(checks));
  `);
  for (const name of ['node:http', 'node:https', 'node:dns']) t.notOk(before.includes(name), `${name} is not loaded by the import`);
  t.ok(after.includes('node:https') && after.includes('node:http'), 'the first agent made loads them; it is an http.Agent/https.Agent, subclasses too');
});

t.test('dns-packet is loaded by the first reply decoded; node:http2 by the first DoH session', async (t) => {
  const closed = await closedPort();
  const { before, after } = await loaded(`
    const { decodeReply } = await import(${JSON.stringify(reply)});
    // A reply with no question and one A record (192.0.2.1).
    const wire = Buffer.from('000181800000000100000000' + '00' + '0001000100000e100004c0000201', 'hex');
    if (decodeReply(wire)?.answers[0]?.data !== '192.0.2.1') throw new Error('not decoded');
    const { Resolver } = await import(${JSON.stringify(index)});
    // A DoH server on a closed loopback port: the session is refused, after node:http2 was needed.
    const resolver = new Resolver({ servers: ['https://127.0.0.1:${closed.port}/dns-query'], resolvConf: false, hosts: false });
    const outcome = await resolver.query('www.example.test', 'A').catch((e) => e.code);
    resolver.close();
    if (outcome !== 'ECONNREFUSED') throw new Error('unexpected outcome ' + outcome);
  `);
  t.notOk(has(before, 'dns-packet/') || before.includes('node:http2'), 'neither before');
  t.ok(has(after, 'dns-packet/'), 'dns-packet after a decode');
  t.ok(after.includes('node:http2'), 'node:http2 after a DoH session was opened');
});

const dist = new URL('../../dist/index.js', import.meta.url);
const distSkip = existsSync(dist) ? false : 'dist/ not built (npm run build; npm test builds it)';

/** The static imports of a bundled module, and its dynamic ones. */
function importsOf(file: URL): { static: string[]; dynamic: string[] } {
  const source = readFileSync(file, 'utf8');
  return {
    static: [...source.matchAll(/(?<![\w$.])import\s*[^;"(]*?\s*from\s*"(.+?)"/g)].map((m) => m[1]!),
    dynamic: [...source.matchAll(/(?<![\w$.])import\("(.+?)"\)/g)].map((m) => m[1]!),
  };
}

t.test(
  'the package entry (dist/index.js, built by npm run build) is one bundled module, its shared chunk and its DoT/DoH chunk, with the exports of lib/index.ts',
  { skip: distSkip },
  async (t) => {
    const entry = importsOf(dist);
    const shared = entry.static.filter((s) => s.startsWith('./'));
    t.same(
      entry.static.filter((s) => !s.startsWith('./')),
      ['node:module', 'p-cancelable'],
      'else the runtime dependency alone; builtins are required (scripts/build-lib/require-builtins.ts)',
    );
    t.equal(shared.length, 1, 'one shared chunk, imported');
    t.match(shared[0], /^\.\/chunks\/chunk-\w+\.js$/);
    t.equal(entry.dynamic.length, 1, 'one chunk imported when first needed');
    t.match(entry.dynamic[0], /^\.\/chunks\/encrypted-upstreams-\w+\.js$/, 'the DoT/DoH code');
    const lazy = importsOf(new URL(entry.dynamic[0]!, dist));
    t.same(
      lazy.static.filter((s) => !s.startsWith('node:')).sort(),
      ['./chunk-' + shared[0]!.split('chunk-')[1]],
      'which itself imports the shared chunk alone',
    );
    const [bundled, modules] = await Promise.all([import(dist.href), import(index)]);
    t.same(Object.keys(bundled).sort(), Object.keys(modules).sort(), 'the same exports');
    const { before } = await loaded('', dist.href);
    t.notOk(has(before, 'dns-packet/') || before.includes('node:http2'), 'and still nothing lazy loaded');
    for (const name of ['node:http', 'node:https', 'node:dns', 'node:tls', 'node:crypto']) t.notOk(before.includes(name), `nor ${name}`);
    const closed = await closedPort();
    const { after } = await loaded(firstUses(dist.href, closed.port), dist.href);
    t.ok(after.includes('node:tls'), "the bundle's first query, TLS connection and DoT server as from the modules (checked in the child)");
  },
);
