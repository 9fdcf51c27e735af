import t, { type Test } from 'tap';
import { mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caught } from '../helpers/caught.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import type { HostsFs } from '../../lib/system/watched-file.js';
import { WatchedFile } from '../../lib/system/watched-file.js';
import { readTextSync, statFileSync } from '../../lib/system/files.js';

function setup(t: Test, initial: string | undefined, final?: (value: string) => boolean, sync = false) {
  const dir = mkdtempSync(join(tmpdir(), 'he-i13-watched-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'file.conf');
  if (initial !== undefined) writeFileSync(path, initial);
  const clock = { time: 0, now: () => clock.time };
  const calls = { stat: 0, readFile: 0, parse: 0, statSync: 0 };
  const fs: HostsFs = {
    stat: (p) => (calls.stat++, stat(p)),
    readFile: (p) => (calls.readFile++, readFile(p, 'utf8')),
  };
  if (sync) fs.statSync = (p) => (calls.statSync++, statSync(p, { throwIfNoEntry: false }));
  const file = new WatchedFile({ path, option: 'conf', parse: (text) => (calls.parse++, text.trim()), clock, fs, final });
  return { dir, path, clock, calls, file };
}

/** The default synchronous file operations, counted; the asynchronous ones fail the test if called. */
function synchronousFs(t: Test) {
  const calls = { statSync: 0, readFileSync: 0 };
  const fs: HostsFs = {
    stat: () => (t.fail('no asynchronous stat'), Promise.reject(new Error('not used'))),
    readFile: () => (t.fail('no asynchronous read'), Promise.reject(new Error('not used'))),
    statSync: (p) => (calls.statSync++, statFileSync(p)),
    readFileSync: (p) => (calls.readFileSync++, readTextSync(p)),
  };
  return { fs, calls };
}

t.test('read on first use, then checked at most once per interval; edits in place and renames are seen', async (t) => {
  const { dir, path, clock, calls, file } = setup(t, 'one');
  t.equal(file.peek(), undefined, 'nothing read yet');
  t.equal(await file.current(), 'one');
  t.equal(file.peek(), 'one');
  // Another size: on a file system with coarse timestamps an edit within the same tick keeps mtime and ctime.
  writeFileSync(path, 'two!');
  clock.time = 999;
  t.equal(await file.current(), 'one', 'within the interval: no check');
  t.same(calls, { stat: 1, readFile: 1, parse: 1, statSync: 0 });
  clock.time = 1000;
  t.equal(file.peek(), undefined, 'a check is due');
  t.equal(await file.current(), 'two!', 'edited in place');
  clock.time = 2000;
  t.equal(await file.current(), 'two!');
  t.same(calls, { stat: 3, readFile: 2, parse: 2, statSync: 0 }, 'unchanged: stat only');
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

t.test('with a synchronous stat, a due check that finds the file unchanged answers at once; a change still reads', async (t) => {
  const { path, clock, calls, file } = setup(t, 'one', undefined, true);
  t.equal(file.peek(), undefined, 'nothing read yet: the first read is asynchronous');
  t.equal(await file.current(), 'one');
  clock.time = 1000;
  t.equal(file.peek(), 'one', 'due, unchanged: the value at once');
  t.same(calls, { stat: 1, readFile: 1, parse: 1, statSync: 1 }, 'one synchronous stat, nothing read');
  clock.time = 1999;
  t.equal(file.peek(), 'one', 'that check counts: the next is due a second after it');
  t.equal(calls.statSync, 1);
  writeFileSync(path, 'changed');
  clock.time = 2000;
  t.equal(file.peek(), undefined, 'changed: not answered at once');
  t.equal(file.peek(), undefined, 'nor by a second look, which does not stat again');
  t.equal(await file.current(), 'changed', 'read again');
  t.same(calls, { stat: 2, readFile: 2, parse: 2, statSync: 2 });
  rmSync(path);
  clock.time = 3000;
  t.equal(file.peek(), undefined, 'removed: a change too');
  t.equal(await file.current(), '');
  clock.time = 4000;
  t.equal(file.peek(), '', 'still missing: unchanged, at once');
  t.equal(calls.parse, 3);
});

t.test('with synchronous reads too, the file is read at once: first use, a change, a removal; nothing asynchronous', async (t) => {
  const { path, clock } = setup(t, 'one');
  const { fs, calls } = synchronousFs(t);
  const sync = new WatchedFile({ path, option: 'conf', parse: (text, exists) => `${text}${exists ? '' : '(missing)'}`, clock, fs });
  t.equal(sync.peek(), 'one', 'first use: read at once');
  t.equal(await sync.current(), 'one', 'current() has it too, without a read of its own');
  t.equal(calls.readFileSync, 1);
  clock.time = 1000;
  t.equal(sync.peek(), 'one', 'unchanged: the stat alone');
  t.equal(calls.readFileSync, 1);
  writeFileSync(path, 'changed');
  clock.time = 2000;
  t.equal(sync.peek(), undefined, 'changed: undefined tells the caller to take it through current() (and rebuild)');
  t.equal(calls.readFileSync, 2, 'read at once all the same');
  t.equal(sync.peek(), undefined, 'until current() is called');
  t.equal(await sync.current(), 'changed', 'current() has it at once');
  t.equal(calls.readFileSync, 2, 'without reading again');
  t.equal(sync.peek(), 'changed', 'then peek() too');
  rmSync(path);
  clock.time = 3000;
  t.equal(sync.peek(), undefined, 'removed: a change');
  t.equal(await sync.current(), '(missing)');
  t.equal(calls.readFileSync, 2, 'a missing file is not read');
});

t.test('with synchronous reads, a file whose last read failed is read again at the next check', async (t) => {
  const { dir, clock } = setup(t, undefined);
  const { fs, calls } = synchronousFs(t);

  // A directory: stat works, the read fails (EISDIR), as root too.
  const unreadable = new WatchedFile({ path: dir, option: 'conf', parse: (text) => text, clock, fs });
  t.equal(unreadable.peek(), '', 'unreadable: empty');
  t.equal(unreadable.peek(), '', 'within the interval: kept');
  t.equal(calls.readFileSync, 1);
  clock.time = 1000;
  t.equal(unreadable.peek(), undefined, 'no identity was kept: the check read it again, as a change');
  t.equal(await unreadable.current(), '', 'still a directory');
  t.equal(calls.readFileSync, 2);
});

t.test('with synchronous reads, a change met by current() itself is read once, at once', async (t) => {
  const { path, clock } = setup(t, 'options a');
  const { fs, calls } = synchronousFs(t);
  const file = new WatchedFile({ path, option: 'conf', parse: (text) => text, clock, fs });
  t.equal(await file.current(), 'options a');
  writeFileSync(path, 'options b!');
  clock.time = 1000;
  t.equal(await file.current(), 'options b!', 'no peek() before: current() finds the change and has the value');
  t.same(calls, { statSync: 2, readFileSync: 2 }, 'one stat and one read for it, both at once');
  t.equal(file.peek(), 'options b!');
});

t.test('a parse that throws in a synchronous check reaches current() as a rejection', async (t) => {
  const { path, clock } = setup(t, 'good');
  const parse = (text: string): string => {
    if (text === 'bad!') throw new Error('unparsable');
    return text;
  };
  // The default file operations: the asynchronous ones too, when the synchronous way failed.
  const file = new WatchedFile({ path, option: 'conf', parse, clock });
  t.equal(file.peek(), 'good');
  writeFileSync(path, 'bad!');
  clock.time = 1000;
  t.equal(file.peek(), undefined, 'no throw out of peek()');
  await t.rejects(file.current(), /unparsable/, 'current() carries the error');
  t.equal(file.peek(), 'good', 'the last good value until the next check');
  writeFileSync(path, 'fine again');
  clock.time = 2000;
  t.equal(await file.current(), 'fine again');
  // Unparsable at the synchronous check, gone by the asynchronous one (its stat fails): missing.
  writeFileSync(path, 'bad!');
  clock.time = 3000;
  t.equal(file.peek(), undefined);
  rmSync(path);
  t.equal(await file.current(), '', 'gone: empty');
});

t.test('with synchronous reads, a final value (resolv.conf no-reload) stops the checks', async (t) => {
  const { path, clock } = setup(t, 'no-reload');
  const { fs, calls } = synchronousFs(t);
  const file = new WatchedFile({ path, option: 'conf', parse: (text) => text, clock, fs, final: (value) => value === 'no-reload' });
  t.equal(file.peek(), 'no-reload');
  writeFileSync(path, 'other');
  clock.time = 5000;
  t.equal(file.peek(), 'no-reload', 'never checked again');
  t.equal(calls.statSync, 1);
});

t.test('the default file operations: checks and reads at once, an edit is seen', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'he-i20-watched-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'file.conf');
  writeFileSync(path, 'a');
  const clock = { time: 0, now: () => clock.time };
  const file = new WatchedFile({ path, option: 'conf', parse: (text) => text, clock });
  t.equal(file.peek(), 'a', 'read at first use');
  clock.time = 1000;
  t.equal(file.peek(), 'a', 'unchanged');
  writeFileSync(path, 'bb');
  clock.time = 2000;
  t.equal(file.peek(), undefined, 'edited: a change');
  t.equal(await file.current(), 'bb', 'read already');
  rmSync(path);
  clock.time = 3000;
  t.equal(await file.current(), '', 'removed');
  clock.time = 4000;
  t.equal(file.peek(), '', 'still missing, at once');
  // A path under a regular file cannot be stat'ed or read (ENOTDIR, not ENOENT): missing too.
  writeFileSync(path, 'c');
  const under = new WatchedFile({ path: join(path, 'inside'), option: 'conf', parse: (text, exists) => `${text}${exists}`, clock });
  t.equal(under.peek(), 'false');
  clock.time = 5000;
  t.equal(under.peek(), 'false', 'still not there');
  // A directory: stat works, the read fails (EISDIR), as root too.
  const directory = new WatchedFile({ path: dir, option: 'conf', parse: (text, exists) => `${text}${exists}`, clock });
  t.equal(directory.peek(), 'false', 'unreadable: as missing');
});

t.test('concurrent uses share one check', async (t) => {
  const { clock, calls, file } = setup(t, 'x');
  clock.time = 5;
  const [a, b] = await Promise.all([file.current(), file.current()]);
  t.same([a, b], ['x', 'x']);
  t.equal(calls.stat, 1);
});

t.test('a file that cannot be read is read again at the next check', async (t) => {
  const { dir, clock } = setup(t, undefined);
  let reads = 0;
  const asyncOnly = { stat: (p: string) => stat(p), readFile: (p: string) => (reads++, readFile(p, 'utf8')) };
  const unreadable = new WatchedFile({ path: dir, option: 'conf', parse: (text) => text, clock, fs: asyncOnly });
  t.equal(await unreadable.current(), '', 'a directory reads as nothing (asynchronous read: EISDIR)');
  clock.time = 1000;
  t.equal(await unreadable.current(), '');
  t.equal(reads, 2, 'read again at the next check');
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
