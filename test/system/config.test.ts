import t from 'tap';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '../../lib/errors.js';
import { loadSystemConfig } from '../../lib/system/config.js';
import { defaultResolvConf, loadResolvConf } from '../../lib/system/resolv-conf.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/resolv/${name}`, import.meta.url));

t.test('defaults: /etc/resolv.conf and /etc/hosts', async (t) => {
  const config = await loadSystemConfig();
  t.same(config.resolvConf, await loadResolvConf('/etc/resolv.conf'));
  t.equal(config.hostsPath, '/etc/hosts');
});

t.test('given paths', async (t) => {
  const config = await loadSystemConfig({ resolvConf: fixture('kubernetes-pod.conf'), hosts: '/tmp/my-hosts' });
  t.equal(config.resolvConf.ndots, 5);
  t.same(config.resolvConf.nameservers, [{ address: '10.96.0.10', port: 53, family: 4 }]);
  t.equal(config.hostsPath, '/tmp/my-hosts');
});

t.test('false switches a source off', async (t) => {
  const saved = process.env['RES_OPTIONS'];
  t.teardown(() => {
    if (saved === undefined) delete process.env['RES_OPTIONS'];
    else process.env['RES_OPTIONS'] = saved;
  });
  process.env['RES_OPTIONS'] = 'ndots:4';
  t.same(await loadSystemConfig({ resolvConf: false, hosts: false }), { resolvConf: defaultResolvConf(), hostsPath: undefined });
});

t.test('bad sources are refused, naming the option', async (t) => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ resolvConf: '' }, 'resolvConf'],
    [{ resolvConf: true }, 'resolvConf'],
    [{ resolvConf: 0 }, 'resolvConf'],
    [{ hosts: '' }, 'hosts'],
    [{ hosts: null }, 'hosts'],
  ];
  for (const [options, option] of cases) {
    const err = await loadSystemConfig(options as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.type(err, InvalidArgumentError);
    t.match(err, { option }, JSON.stringify(options));
  }
});
