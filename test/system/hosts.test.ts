import t, { type Test } from 'tap';
import { caught } from '../helpers/caught.js';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '../../lib/errors.js';
import { isLoopback } from '../../lib/system/ip.js';
import { lookupHosts, parseHosts, type HostsTable } from '../../lib/system/hosts.js';
import { HostsFile } from '../../lib/system/hosts-file.js';
import type { HostsFs } from '../../lib/system/watched-file.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../../fixtures/hosts/${name}`, import.meta.url)), 'utf8');
const asObject = (table: HostsTable) => Object.fromEntries(table);

const v4 = (...addresses: string[]) => ({ v4: addresses, v6: [], v4Only: addresses });
const v6 = (addresses: string[], v4Only: string[] = []) => ({ v4: [], v6: addresses, v4Only });

t.test('parseHosts: Debian default file', async (t) => {
  t.same(asObject(parseHosts(fixture('debian.hosts'))), {
    // An IPv4 lookup reads ::1 as 127.0.0.1 (glibc nss_files).
    localhost: { v4: ['127.0.0.1'], v6: ['::1'], v4Only: ['127.0.0.1'] },
    'build-host.example.org': v4('127.0.1.1'),
    'build-host': v4('127.0.1.1'),
    'ip6-localhost': v6(['::1'], ['127.0.0.1']),
    'ip6-loopback': v6(['::1'], ['127.0.0.1']),
    'ip6-allnodes': v6(['ff02::1']),
    'ip6-allrouters': v6(['ff02::2']),
  });
});

t.test('parseHosts: aliases, case, trailing dots, CRLF, tabs, comments, junk lines', async (t) => {
  t.same(asObject(parseHosts(fixture('office-crlf.hosts'))), {
    // Names lowercased, a trailing dot kept (glibc compares names exactly); file order
    // kept; duplicates dropped.
    'www.example.test': { v4: ['192.0.2.10'], v6: ['2001:db8::10'], v4Only: ['192.0.2.10'] },
    'www.example.test.': v4('192.0.2.11'),
    www: v4('192.0.2.10'),
    web: { v4: ['192.0.2.10'], v6: ['2001:DB8::10'], v4Only: ['192.0.2.10'] },
    'router.lan': v6(['fe80::1%eth0']),
    router: v6(['fe80::1%eth0']),
    'mapped.test': v6(['::ffff:192.0.2.12'], ['192.0.2.12']),
    localhost: v4('10.0.0.1', '127.0.0.3'),
    'evil.localhost': v4('10.0.0.1'),
    'dev.localhost': { v4: ['127.0.0.2'], v6: ['::1'], v4Only: ['127.0.0.2', '127.0.0.1'] },
  });
});

t.test('parseHosts: edge lines', async (t) => {
  const cases: Array<[string, Record<string, { v4: string[]; v6: string[]; v4Only: string[] }>]> = [
    ['', {}],
    ['\n\n', {}],
    ['192.0.2.1 a\f b\v c', { a: v4('192.0.2.1'), b: v4('192.0.2.1'), c: v4('192.0.2.1') }],
    ['  192.0.2.1 indented', { indented: v4('192.0.2.1') }],
    ['192.0.2.1 . #root only', { '.': v4('192.0.2.1') }],
    ['192.0.2.1 a a A a.', { a: v4('192.0.2.1'), 'a.': v4('192.0.2.1') }],
    ['# 192.0.2.1 a', {}],
    ['::1 one\n192.0.2.1 one\n::ffff:192.0.2.1 one', { one: { v4: ['192.0.2.1'], v6: ['::1', '::ffff:192.0.2.1'], v4Only: ['127.0.0.1', '192.0.2.1'] } }],
  ];
  for (const [text, want] of cases) t.same(asObject(parseHosts(text)), want, JSON.stringify(text));
});

t.test('lookupHosts', async (t) => {
  const table = parseHosts(fixture('office-crlf.hosts'));
  const cases: Array<[string, 4 | 6, string[] | undefined]> = [
    ['www.example.test', 4, ['192.0.2.10']],
    ['WWW.EXAMPLE.TEST.', 4, ['192.0.2.11']],
    ['www.example.test', 6, ['2001:db8::10']],
    // Known name, no address of this family: [] (answered by the file, no DNS).
    ['www', 6, []],
    ['mapped.test', 4, []],
    ['www.example.test.', 6, []],
    ['router', 6, ['fe80::1%eth0']],
    ['unknown.test', 4, undefined],
    ['unknown.test', 6, undefined],
    // RFC 6761 §6.3: non-loopback entries for localhost names are ignored.
    ['localhost', 4, ['127.0.0.3']],
    ['localhost', 6, ['::1']],
    ['LocalHost.', 4, ['127.0.0.3']],
    ['evil.localhost', 4, ['127.0.0.1']],
    ['dev.localhost', 4, ['127.0.0.2']],
    ['dev.localhost', 6, ['::1']],
    ['anything.at.all.localhost', 4, ['127.0.0.1']],
    ['anything.at.all.localhost', 6, ['::1']],
    // Not a localhost name: only the last label counts.
    ['localhost.example', 4, undefined],
    ['notlocalhost', 4, undefined],
  ];
  for (const [name, family, want] of cases) t.same(lookupHosts(table, name, family), want, `${name} IPv${family}`);
});

t.test('lookupHosts for one family alone (glibc nss_files for AF_INET or AF_INET6)', async (t) => {
  const table = parseHosts(fixture('office-crlf.hosts'));
  const cases: Array<[string, 4 | 6, string[] | undefined]> = [
    // No line of the family: the file does not know the name, DNS is asked.
    ['www', 6, undefined],
    ['router', 4, undefined],
    // IPv6 lines an IPv4 lookup can read: ::ffff:a.b.c.d and ::1.
    ['mapped.test', 4, ['192.0.2.12']],
    ['mapped.test', 6, ['::ffff:192.0.2.12']],
    ['dev.localhost', 4, ['127.0.0.2']],
    ['www.example.test', 4, ['192.0.2.10']],
    ['unknown.test', 6, undefined],
  ];
  for (const [name, family, want] of cases) t.same(lookupHosts(table, name, family, true), want, `${name} IPv${family} alone`);
  const loopbackOnly = parseHosts('::1 six\n');
  t.same(lookupHosts(loopbackOnly, 'six', 4, true), ['127.0.0.1'], '::1 answers an IPv4 lookup as 127.0.0.1');
  t.same(lookupHosts(loopbackOnly, 'six', 4), [], 'but not one of both families');
});

t.test('lookupHosts: localhost answers loopback with an empty table', async (t) => {
  t.same(lookupHosts(new Map(), 'localhost', 4), ['127.0.0.1']);
  t.same(lookupHosts(new Map(), 'localhost', 6), ['::1']);
  t.same(lookupHosts(new Map(), 'x.localhost.', 6), ['::1']);
});

t.test('lookupHosts returns a copy the caller may change', async (t) => {
  const table = parseHosts('192.0.2.1 a\n');
  lookupHosts(table, 'a', 4)?.push('192.0.2.99');
  t.same(lookupHosts(table, 'a', 4), ['192.0.2.1']);
});

t.test('lookupHosts refuses bad arguments', async (t) => {
  const badName = caught(() => lookupHosts(new Map(), 42 as unknown as string, 4));
  t.type(badName, InvalidArgumentError);
  t.match(badName, { option: 'hostname', value: 42 });
  const badFamily = caught(() => lookupHosts(new Map(), 'a', 0 as 4));
  t.type(badFamily, InvalidArgumentError);
  t.match(badFamily, { option: 'family', value: 0 });
});

/** A temporary hosts file, a fake clock and an fs that counts its calls. */
function setup(t: Test, initial: string | undefined, checkInterval = 1000) {
  const dir = mkdtempSync(join(tmpdir(), 'he-hosts-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'hosts');
  if (initial !== undefined) writeFileSync(path, initial);
  const clock = { time: 0, now: () => clock.time };
  const calls = { stat: 0, readFile: 0 };
  const fs: HostsFs = {
    stat: (p) => (calls.stat++, stat(p)),
    readFile: (p) => (calls.readFile++, readFile(p, 'utf8')),
  };
  const hosts = new HostsFile({ path, clock, checkInterval, fs });
  t.teardown(() => hosts.close());
  return { dir, path, clock, calls, hosts };
}

t.test('HostsFile re-reads a changed file, at most one stat per checkInterval', async (t) => {
  const { path, clock, calls, hosts } = setup(t, '192.0.2.1 app.test\n');
  t.same(await hosts.lookup('app.test', 4), ['192.0.2.1']);
  t.same(calls, { stat: 1, readFile: 1 });

  writeFileSync(path, '192.0.2.22 app.test\n2001:db8::2 app.test\n');
  clock.time = 999;
  t.same(await hosts.lookup('app.test', 4), ['192.0.2.1'], 'within checkInterval: the old answer');
  t.same(await hosts.lookup('app.test', 6), [], 'old table: name known, no IPv6');
  t.same(calls, { stat: 1, readFile: 1 }, 'no stat within checkInterval');

  clock.time = 1000;
  t.same(await hosts.lookup('app.test', 4), ['192.0.2.22'], 'after checkInterval: the new answer');
  t.same(await hosts.lookup('app.test', 6), ['2001:db8::2']);
  t.same(calls, { stat: 2, readFile: 2 });

  clock.time = 2500;
  t.same(await hosts.lookup('app.test', 4), ['192.0.2.22']);
  t.same(calls, { stat: 3, readFile: 2 }, 'unchanged file: stat only, no read');
});

t.test('HostsFile: concurrent lookups share one check', async (t) => {
  const { calls, hosts } = setup(t, '192.0.2.1 a.test\n::1 b.test\n');
  const answers = await Promise.all([hosts.lookup('a.test', 4), hosts.lookup('b.test', 6), hosts.lookup('c.test', 4), hosts.lookup('localhost', 4)]);
  t.same(answers, [['192.0.2.1'], ['::1'], undefined, ['127.0.0.1']]);
  t.same(calls, { stat: 1, readFile: 1 });
});

t.test('HostsFile: checkInterval 0 checks on every lookup', async (t) => {
  const { path, calls, hosts } = setup(t, '192.0.2.1 a.test\n', 0);
  t.same(await hosts.lookup('a.test', 4), ['192.0.2.1']);
  writeFileSync(path, '192.0.2.2 a.test # longer now\n');
  t.same(await hosts.lookup('a.test', 4), ['192.0.2.2']);
  t.equal(calls.stat, 2);
});

t.test('HostsFile: missing file is empty, then appears, then goes away', async (t) => {
  const { path, clock, calls, hosts } = setup(t, undefined);
  t.equal(await hosts.lookup('app.test', 4), undefined);
  t.same(await hosts.lookup('localhost', 6), ['::1'], 'localhost needs no file');
  t.same(calls, { stat: 1, readFile: 0 });

  writeFileSync(path, '192.0.2.7 app.test\n');
  clock.time = 1000;
  t.same(await hosts.lookup('app.test', 4), ['192.0.2.7']);

  rmSync(path);
  clock.time = 2000;
  t.equal(await hosts.lookup('app.test', 4), undefined);
});

t.test('HostsFile: an unreadable file is empty and is tried again next check', async (t) => {
  const { path, clock, calls, hosts } = setup(t, undefined);
  mkdirSync(path); // stat works, reading fails with EISDIR
  t.equal(await hosts.lookup('app.test', 4), undefined);
  t.same(calls, { stat: 1, readFile: 1 });
  clock.time = 1000;
  t.equal(await hosts.lookup('app.test', 4), undefined);
  t.same(calls, { stat: 2, readFile: 2 }, 'no signature kept after a failed read');
});

t.test('HostsFile.close: no more file access, only localhost answers', async (t) => {
  const { clock, calls, hosts } = setup(t, '192.0.2.1 a.test\n');
  t.same(await hosts.lookup('a.test', 4), ['192.0.2.1']);
  hosts.close();
  clock.time = 5000;
  t.equal(await hosts.lookup('a.test', 4), undefined);
  t.same(await hosts.lookup('localhost', 4), ['127.0.0.1']);
  t.same(calls, { stat: 1, readFile: 1 });
});

t.test('HostsFile.close during a read keeps the table empty', async (t) => {
  const { hosts } = setup(t, '192.0.2.1 a.test\n');
  const pending = hosts.lookup('a.test', 4);
  hosts.close();
  t.equal(await pending, undefined);
});

t.test('HostsFile refuses bad options', async (t) => {
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ path: '' }, 'hosts'],
    [{ path: 42 }, 'hosts'],
    [{ checkInterval: -1 }, 'checkInterval'],
    [{ checkInterval: Number.NaN }, 'checkInterval'],
    [{ checkInterval: Number.POSITIVE_INFINITY }, 'checkInterval'],
    [{ checkInterval: '1000' }, 'checkInterval'],
  ];
  for (const [options, option] of bad) {
    const err = caught(() => new HostsFile(options as never));
    t.type(err, InvalidArgumentError);
    t.match(err, { option }, JSON.stringify(options));
  }
});

t.test('HostsFile with defaults reads /etc/hosts and answers localhost as loopback', async (t) => {
  const hosts = new HostsFile();
  t.teardown(() => hosts.close());
  t.equal(hosts.path, '/etc/hosts');
  for (const family of [4, 6] as const) {
    const answer = (await hosts.lookup('localhost', family)) ?? [];
    t.ok(answer.length > 0 && answer.every(isLoopback), `IPv${family}: ${answer.join(', ')}`);
  }
});

t.test('HostsFile.peek answers at once only while no check is due or running', async (t) => {
  const { clock, calls, hosts } = setup(t, '192.0.2.1 app.test\n');
  t.equal(hosts.peek('app.test', 4), null, 'never read: a check is due');
  const first = hosts.lookup('app.test', 4);
  t.equal(hosts.peek('app.test', 4), null, 'a check is running');
  await first;
  t.same([hosts.peek('app.test', 4), hosts.peek('app.test', 6), hosts.peek('other.test', 4)], [['192.0.2.1'], [], undefined]);
  clock.time = 999;
  t.same(hosts.peek('APP.test', 4), ['192.0.2.1']);
  t.same(hosts.peek('app.test', 6, true), undefined, 'IPv6 alone: not known');
  clock.time = 1000;
  t.equal(hosts.peek('app.test', 4), null, 'checkInterval passed: lookup() must check');
  t.same(calls, { stat: 1, readFile: 1 }, 'peek never touches the file');
  hosts.close();
  t.same([hosts.peek('app.test', 4), hosts.peek('localhost', 6)], [undefined, ['::1']], 'closed: only localhost');
});
