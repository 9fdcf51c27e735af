import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkPlatform, currentPlatform, platformFiles, systemServers } from '../../lib/system/platform.js';

t.test('currentPlatform: macOS, Windows and Android as they are, every other Unix reads files as Linux', async (t) => {
  t.same(
    ['linux', 'darwin', 'win32', 'android', 'freebsd', 'openbsd', 'sunos', 'aix'].map((p) => currentPlatform(p as NodeJS.Platform)),
    ['linux', 'darwin', 'win32', 'android', 'linux', 'linux', 'linux', 'linux'],
  );
  t.equal(currentPlatform(), process.platform === 'linux' ? 'linux' : currentPlatform(process.platform));
});

t.test('checkPlatform refuses anything else, naming the option', async (t) => {
  for (const p of ['linux', 'darwin', 'win32', 'android']) t.equal(checkPlatform(p), p);
  for (const bad of ['freebsd', 'Linux', '', 1, null]) t.throws(() => checkPlatform(bad), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'platform' });
});

t.test('platformFiles: where each platform keeps its files', async (t) => {
  t.same(platformFiles('linux'), { resolvConf: '/etc/resolv.conf', hosts: '/etc/hosts', nsswitch: '/etc/nsswitch.conf', resolverDir: undefined });
  t.same(platformFiles('darwin'), { resolvConf: '/etc/resolv.conf', hosts: '/etc/hosts', nsswitch: undefined, resolverDir: '/etc/resolver' });
  t.same(platformFiles('android'), { resolvConf: undefined, hosts: '/system/etc/hosts', nsswitch: undefined, resolverDir: undefined });
  t.same(platformFiles('win32', { SystemRoot: 'D:\\WINNT' }), {
    resolvConf: undefined,
    hosts: 'D:\\WINNT\\System32\\drivers\\etc\\hosts',
    nsswitch: undefined,
    resolverDir: undefined,
  });
  t.equal(platformFiles('win32', { SYSTEMROOT: 'E:\\Windows' }).hosts, 'E:\\Windows\\System32\\drivers\\etc\\hosts');
  t.equal(platformFiles('win32', {}).hosts, 'C:\\Windows\\System32\\drivers\\etc\\hosts');
});

t.test('systemServers: what dns.getServers() gives on Windows (fixture), entries we cannot use skipped', async (t) => {
  const list = JSON.parse(readFileSync(fileURLToPath(new URL('../../../fixtures/platform/win32-getservers.json', import.meta.url)), 'utf8')) as string[];
  t.same(
    systemServers(() => list),
    [
      { address: '192.168.1.1', port: 53, family: 4 },
      { address: '2001:db8::53', port: 53, family: 6 },
      { address: '2001:db8::54', port: 5353, family: 6 },
      { address: '10.0.0.53', port: 5300, family: 4 },
      { address: 'fe80::1%12', port: 53, family: 6 },
    ],
  );
  t.ok(Array.isArray(systemServers()), 'the default reads dns.getServers()');
});
