import t, { type Test } from 'tap';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caught } from '../helpers/caught.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import type { HostsFs } from '../../lib/system/watched-file.js';
import { WatchedFile } from '../../lib/system/watched-file.js';

function setup(t: Test, initial: string | undefined, final?: (value: string) => boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'he-i13-watched-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'file.conf');
  if (initial !== undefined) writeFileSync(path, initial);
  const clock = { time: 0, now: () => clock.time };
  const calls = { stat: 0, readFile: 0, parse: 0 };
  const fs: HostsFs = {
    stat: (p) => (calls.stat++, stat(p)),
    readFile: (p) => (calls.readFile++, readFile(p, 'utf8')),
  };
  const file = new WatchedFile({ path, option: 'conf', parse: (text) => (calls.parse++, text.trim()), clock, fs, final });
  return { dir, path, clock, calls, file };
}

t.test('read on first use, then checked at most once per interval; edits in place and renames are seen', async (t) => {
  const { dir, path, clock, calls, file } = setup(t, 'one');
  t.equal(file.peek(), undefined, 'nothing read yet');
  t.equal(await file.current(), 'one');
  t.equal(file.peek(), 'one');
  writeFileSync(path, 'two');
  clock.time = 999;
  t.equal(await file.current(), 'one', 'within the interval: no check');
  t.same(calls, { stat: 1, readFile: 1, parse: 1 });
  clock.time = 1000;
  t.equal(file.peek(), undefined, 'a check is due');
  t.equal(await file.current(), 'two', 'edited in place');
  clock.time = 2000;
  t.equal(await file.current(), 'two');
  t.same(calls, { stat: 3, readFile: 2, parse: 2 }, 'unchanged: stat only');
  writeFileSync(join(dir, 'new'), 'three');
  renameSync(join(dir, 'new'), path);
  clock.time = 3000;
  t.equal(await file.current(), 'three', 'replaced by rename');
});

t.test('a missing file parses as empty text, once, until it appears', async (t) => {
  const { path, clock, calls, file } = setup(t, undefined);
  t.equal(await file.current(), '');
  clock.time = 1000;
  const again = await file.current();
  t.equal(again, '');
  t.equal(calls.parse, 1, 'still missing: not parsed again');
  writeFileSync(path, 'here');
  clock.time = 2000;
  t.equal(await file.current(), 'here');
});

t.test('concurrent uses share one check', async (t) => {
  const { clock, calls, file } = setup(t, 'x');
  clock.time = 5;
  const [a, b] = await Promise.all([file.current(), file.current()]);
  t.same([a, b], ['x', 'x']);
  t.equal(calls.stat, 1);
});

t.test('a file that cannot be read is read again at the next check', async (t) => {
  const { dir, clock, file } = setup(t, undefined);
  const unreadable = new WatchedFile({ path: dir, option: 'conf', parse: (text) => text, clock });
  t.equal(await unreadable.current(), '', 'a directory reads as nothing');
  t.ok(file);
});

t.test('a final value stops the checks (resolv.conf no-reload)', async (t) => {
  const { path, clock, calls, file } = setup(t, 'final', (value) => value === 'final');
  t.equal(await file.current(), 'final');
  writeFileSync(path, 'changed');
  clock.time = 10_000;
  t.equal(file.peek(), 'final');
  t.equal(await file.current(), 'final');
  t.equal(calls.stat, 1);
});

t.test('bad options name themselves', async (t) => {
  const err = caught(() => new WatchedFile({ path: '', option: 'gaiConf', parse: String }));
  t.type(err, InvalidArgumentError);
  t.match(err, { option: 'gaiConf' });
  t.match(
    caught(() => new WatchedFile({ path: '/x', option: 'conf', parse: String, checkInterval: -1 })),
    { option: 'checkInterval' },
  );
});
