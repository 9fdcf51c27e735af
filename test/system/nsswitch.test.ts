import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostsFs } from '../../lib/system/watched-file.js';
import { NsswitchFile, parseNsswitch, type NssAction, type NssStatus } from '../../lib/system/nsswitch.js';
import { ManualClock } from '../helpers/manual-clock.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../../fixtures/nsswitch/${name}`, import.meta.url)), 'utf8');

type Actions = Record<NssStatus, NssAction>;
const std: Actions = { success: 'return', notfound: 'continue', unavail: 'continue', tryagain: 'continue' };
const src = (name: string, actions: Partial<Actions> = {}) => ({ name, actions: { ...std, ...actions } });

t.test('parseNsswitch: distribution files', async (t) => {
  t.same(parseNsswitch(fixture('debian-mdns.conf')), {
    sources: [src('files'), src('myhostname'), src('mdns4_minimal', { notfound: 'return' }), src('dns')],
  });
  t.same(parseNsswitch(fixture('fedora-resolved.conf')), {
    sources: [
      src('files'),
      src('myhostname'),
      src('mdns4_minimal', { notfound: 'return' }),
      // `!UNAVAIL=return`: every status but UNAVAIL returns.
      src('resolve', { notfound: 'return', tryagain: 'return' }),
      src('dns'),
    ],
  });
  t.same(parseNsswitch(fixture('sssd-ldap.conf')), { sources: [src('files'), src('sss'), src('dns')] });
});

t.test('parseNsswitch: items, case, spacing, comments, several lines', async (t) => {
  const cases: Array<[string, ReturnType<typeof parseNsswitch>]> = [
    ['', { sources: undefined }],
    ['passwd: files\n', { sources: undefined }],
    ['# hosts: ldap\nhosts: files dns # trailing comment', { sources: [src('files'), src('dns')] }],
    ['hosts:files\tdns', { sources: [src('files'), src('dns')] }],
    ['  hosts :  dns', { sources: [src('dns')] }],
    ['hosts:', { sources: [] }],
    ['hosts: dns [ NOTFOUND = Return  TRYAGAIN=continue ] files', { sources: [src('dns', { notfound: 'return' }), src('files')] }],
    ['hosts: dns [!success=continue]', { sources: [src('dns', { notfound: 'continue', unavail: 'continue', tryagain: 'continue' })] }],
    ['hosts: dns [!success=return]', { sources: [src('dns', { notfound: 'return', unavail: 'return', tryagain: 'return' })] }],
    ['hosts: files [SUCCESS=merge] ldap', { sources: [src('files', { success: 'merge' }), src('ldap')] }],
    ['hosts: dns [NOTFOUND=return][UNAVAIL=return]', { sources: [src('dns', { notfound: 'return', unavail: 'return' })] }],
    // The first hosts: line counts (glibc).
    ['hosts: files dns\nhosts: ldap', { sources: [src('files'), src('dns')] }],
    ['hostsfoo: ldap\nhosts: dns', { sources: [src('dns')] }],
  ];
  for (const [text, want] of cases) t.same(parseNsswitch(text), want, JSON.stringify(text));
});

t.test('parseNsswitch: a line it cannot parse is kept as malformed', async (t) => {
  for (const line of [
    'hosts: files [NOTFOUND=return dns',
    'hosts: [NOTFOUND=return] files dns',
    'hosts: files [] dns',
    'hosts: files [BOGUS=return] dns',
    'hosts: files [NOTFOUND=later] dns',
    'hosts: files [NOTFOUND] dns',
  ]) {
    t.same(parseNsswitch(line), { sources: [], malformed: line }, line);
  }
});

t.test('NsswitchFile: reads the hosts line and mdns.allow beside it, re-reads on change, at most one check a second', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'he-i14-nss-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'nsswitch.conf');
  writeFileSync(path, 'hosts: files dns\n');
  const clock = new ManualClock();
  let stats = 0;
  const fs: HostsFs = {
    stat: (p) => (stats++, stat(p)),
    readFile: (p) => readFile(p, 'utf8'),
  };
  const file = new NsswitchFile({ path, clock, fs });
  const first = await file.read();
  t.same(first, { sources: [src('files'), src('dns')], mdnsAllow: false });
  t.equal(stats, 2, 'nsswitch.conf and mdns.allow stat-ed');
  t.equal(await file.read(), first);
  t.equal(stats, 2, 'no check within the interval');

  writeFileSync(path, 'hosts: files mdns4_minimal [NOTFOUND=return] dns\n');
  writeFileSync(join(dir, 'mdns.allow'), '.local.\n.example.\n');
  t.equal(await file.read(), first, 'still the old one inside the interval');
  clock.advance(1000);
  const second = await file.read();
  t.same(second, { sources: [src('files'), src('mdns4_minimal', { notfound: 'return' }), src('dns')], mdnsAllow: true });
  clock.advance(1000);
  t.equal(await file.read(), second, 'unchanged files: same object after a check');

  unlinkSync(path);
  unlinkSync(join(dir, 'mdns.allow'));
  clock.advance(1000);
  t.same(await file.read(), { sources: undefined, mdnsAllow: false }, 'files gone: no hosts line');
});

t.test('NsswitchFile: concurrent reads share one check', async (t) => {
  let stats = 0;
  const fs: HostsFs = {
    stat: async () => (stats++, { ino: 1, size: 17, mtimeMs: 1, ctimeMs: 1 }),
    readFile: async () => 'hosts: files dns\n',
  };
  const file = new NsswitchFile({ path: '/nowhere/nsswitch.conf', clock: new ManualClock(), fs });
  const reads = [file.read(), file.read()];
  const [a, b] = await Promise.all(reads);
  t.equal(a, b);
  t.equal(stats, 2, 'one stat per file');
});

t.test('NsswitchFile: a path it can stat but not read is no file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'he-i14-nss-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = new NsswitchFile({ path: dir });
  t.same(await file.read(), { sources: undefined, mdnsAllow: false });
});

t.test('NsswitchFile defaults to /etc/nsswitch.conf', async (t) => {
  const file = new NsswitchFile();
  t.equal(file.path, '/etc/nsswitch.conf');
  const conf = await file.read();
  t.type(conf.mdnsAllow, 'boolean');
});
