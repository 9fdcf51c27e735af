/**
 * The CLI says which backend answered each family (`via dns` / `via system`, and
 * `backend` in --json), and takes `--backend`. getaddrinfo is a stand-in here
 * (`systemLookup`): the real one runs only in private namespaces.
 */
import t from 'tap';
import { systemClock } from '../../lib/clock.js';
import { runProbe } from '../../lib/cli/probe.js';
import { renderProbe, renderResolve } from '../../lib/cli/render.js';
import { queryFamily, runResolve } from '../../lib/cli/resolve.js';
import { runCli, type CliIo } from '../../lib/cli/run.js';
import { makeStyle } from '../../lib/cli/style.js';
import { startLab } from '../../lib/lab/lab.js';
import { Resolver } from '../../lib/resolver.js';
import type { SystemLookup } from '../../lib/system/system-backend.js';
import { MemoryResolver } from '../helpers/memory-resolver.js';

const lab = await startLab({ hosts: [{ name: 'dual.he.test', ipv6: 'accept', ipv4: 'accept' }] });
t.teardown(() => lab.close());
const plain = makeStyle({ isTTY: false, env: {}, noColor: true });

/** getaddrinfo as the lab's DNS would answer it, and a name it does not know. */
const systemLookup: SystemLookup = (name, options, callback) => {
  const all = [
    { address: '::1', family: 6 },
    { address: '127.0.0.1', family: 4 },
  ];
  setImmediate(() => {
    if (name !== 'dual.he.test') return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      all.filter((a) => options.family === 0 || a.family === options.family),
    );
  });
};

t.test('resolve: the backend per family, in JSON and as "via" in the text', async (t) => {
  const system = new Resolver({ backend: 'system', systemLookup, resolvConf: false, hosts: false });
  t.teardown(() => system.close());
  const report = await runResolve('dual.he.test', system, systemClock);
  t.match(report, { ipv6: { backend: 'system', source: 'system', addresses: [{ address: '::1', ttl: null }] }, ipv4: { backend: 'system' } });
  const text = renderResolve(report, plain);
  t.match(text, /AAAA {2}1 address in [0-9.]+ ms via system\n/);
  t.notMatch(text, 'from system');
  const missing = await runResolve('gone.he.test', system, systemClock);
  t.match(
    missing,
    { ipv6: { backend: 'system', error: { code: 'ENOTFOUND' } }, ipv4: { backend: 'system', error: { code: 'ENOTFOUND' } } },
    'a failure names its backend too',
  );
  t.match(renderResolve(missing, plain), /A {5}ENOTFOUND in [0-9.]+ ms via system/);

  const dns = new Resolver({ servers: [lab.nameserver], backend: 'dns', resolvConf: false, hosts: false });
  t.teardown(() => dns.close());
  const fromDns = await runResolve('dual.he.test', dns, systemClock);
  t.match(fromDns, { ipv6: { backend: 'dns', source: 'dns' }, ipv4: { backend: 'dns' } });
  t.match(renderResolve(fromDns, plain), `from ${lab.nameserver} via dns`);
  const literal = await runResolve('::1', dns, systemClock);
  t.match(literal, { ipv6: { backend: 'dns', source: 'literal' }, ipv4: { backend: null, ms: null } }, 'a family not asked has no backend');
});

t.test('a resolver that publishes nothing: backend null, and "via system" still read off the answer', async (t) => {
  const fake = new MemoryResolver({ 'x.test': { AAAA: ['2001:db8::1'] } });
  const report = await queryFamily(fake, 'x.test', 'ipv6', { clock: systemClock, start: systemClock.now() });
  t.equal(report.backend, null);
  const system = {
    query: async () => ({ name: 'x.test', type: 'A' as const, records: [{ address: '192.0.2.1', ttl: 0 }], ttl: 0, cnames: [], source: 'system' as const }),
  };
  const v4 = await queryFamily(system, 'x.test', 'ipv4', { clock: systemClock, start: systemClock.now() });
  t.equal(v4.backend, null);
  t.match(renderResolve({ host: 'x.test', ipv6: report, ipv4: v4 }, plain), /A {5}1 address in [0-9.]+ ms via system/);
});

t.test('probe: the race and the DNS report on the system backend', async (t) => {
  const resolver = new Resolver({ backend: 'system', systemLookup, resolvConf: false, hosts: false });
  t.teardown(() => resolver.close());
  const report = await runProbe({
    host: 'dual.he.test',
    port: lab.host('dual.he.test').port,
    tls: false,
    resolver,
    attemptDelay: 250,
    resolutionDelay: 50,
    timeout: 10_000,
  });
  t.equal(report.verdict, 'dual-stack');
  t.match(report.dns, { ipv6: { backend: 'system', addresses: [{ address: '::1' }] }, ipv4: { backend: 'system', addresses: [{ address: '127.0.0.1' }] } });
  t.match(renderProbe(report, plain), /IPv6 AAAA {2}1 address in [0-9.]+ ms via system/);
  t.equal(resolver.stats().systemQueries, 4, 'the report and the race: two queries per family, one lookup each in flight');
});

t.test('--backend reaches the Resolver; a bad one is a usage error', async (t) => {
  const capture = (): CliIo & { out: () => string; err: () => string } => {
    let out = '';
    let err = '';
    return { stdout: { write: (c: string) => (out += c) }, stderr: { write: (c: string) => (err += c) }, env: {}, out: () => out, err: () => err };
  };
  const ok = capture();
  t.equal(await runCli(['resolve', 'dual.he.test', '--backend', 'dns', '--nameserver', lab.nameserver, '--json'], ok), 0);
  t.match(JSON.parse(ok.out()), { ipv6: { backend: 'dns' }, ipv4: { backend: 'dns' } });
  const bad = capture();
  t.equal(await runCli(['probe', 'dual.he.test', '--backend', 'libc'], bad), 2);
  t.match(bad.err(), 'invalid --backend "libc" (expected dns, system or auto)');
});
