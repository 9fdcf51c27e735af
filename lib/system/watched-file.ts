/**
 * A configuration file kept current without a watcher, as HostsFile keeps the hosts file:
 * at most once per `checkInterval` a use stats the file, and only a changed (inode,
 * size, mtime, ctime) makes it read and parse again, so an edit in place and a file
 * replaced by rename are both seen. Nothing runs between uses. A missing or unreadable
 * file parses as empty text, which is what glibc does with resolv.conf, gai.conf,
 * nsswitch.conf and the hosts file. Used for all four (and mdns.allow).
 *
 * The check is synchronous, as glibc's of resolv.conf at each lookup: a `stat`, and a
 * read when the file is new to us or changed, take microseconds for a local file, where
 * each asynchronous one was a round trip through the threadpool and the event loop that a
 * query waited out before it was sent (the first query of a process waited for two or
 * three files so, ~1 ms each here). Seams without the synchronous operations (tests) go
 * through `current()`'s asynchronous read.
 */
import { systemClock, type Clock } from '../clock.js';
import { InvalidArgumentError } from '../errors.js';
import { numberIn } from '../options.js';
import { readText, readTextSync, statFile, statFileSync } from './files.js';

/** What identifies a version of a file. */
interface FileIdentity {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** The file operations a watched file needs; a seam so tests can count them. */
export interface HostsFs {
  stat(path: string): Promise<FileIdentity>;
  readFile(path: string): Promise<string>;
  /** The file's identity now, `undefined` when it cannot be stat'ed. Without it, every check is asynchronous. */
  statSync?(path: string): FileIdentity | undefined;
  /** The file's text now, `undefined` when it cannot be read. With `statSync`, reads are synchronous too. */
  readFileSync?(path: string): string | undefined;
}

export interface WatchedFileOptions<T> {
  path: string;
  /** The option that named the path, for errors. */
  option: string;
  /** The value of the file's text; `exists` is false when it is missing or unreadable (`text` is then ''). */
  parse(text: string, exists: boolean): T;
  /** Only `now()` is used. @default systemClock */
  clock?: Pick<Clock, 'now'> | undefined;
  /** Milliseconds between two checks of the file. @default 1000 */
  checkInterval?: number | undefined;
  /** True for a value after which the file is never checked again (resolv.conf `no-reload`). */
  final?: ((value: T) => boolean) | undefined;
  /** @default node:fs (files.ts) */
  fs?: HostsFs | undefined;
}

const MISSING = 'missing';

const nodeFs: HostsFs = {
  stat: statFile,
  readFile: readText,
  statSync: statFileSync,
  readFileSync: readTextSync,
};

const signatureOf = (s: FileIdentity): string => `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;

export class WatchedFile<T> {
  readonly path: string;
  readonly #o: WatchedFileOptions<T>;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #checkInterval: number;
  readonly #fs: HostsFs;
  #value: T | undefined;
  #signature: string | undefined;
  #checkedAt = -Infinity;
  #checking: Promise<T> | undefined;
  /**
   * A check made at once found the file changed: `'read'` when it read the new text too
   * (the next `current` gives that value at once), `'unread'` when the next `current` must
   * read it. Until then `peek` says nothing, so whoever built state on the old value (the
   * Resolver's upstreams) goes through `current` and learns of the change.
   */
  #changed: 'read' | 'unread' | undefined;
  #final = false;

  constructor(options: WatchedFileOptions<T>) {
    const { path, clock = systemClock, checkInterval = 1000, fs = nodeFs } = options;
    if (typeof path !== 'string' || path === '') throw new InvalidArgumentError(options.option, path, 'a file path or false');
    numberIn('checkInterval', checkInterval, 0, Number.MAX_VALUE, 'milliseconds');
    this.path = path;
    this.#o = options;
    this.#clock = clock;
    this.#checkInterval = checkInterval;
    this.#fs = fs;
  }

  /** The value, after checking the file when the last check is older than the interval. */
  current(): Promise<T> {
    if (this.#checking) return this.#checking;
    const value = this.peek();
    if (value !== undefined) return Promise.resolve(value);
    // A change read at once, by this peek or an earlier one: the new value, no read again.
    if (this.#changed === 'read') {
      this.#changed = undefined;
      return Promise.resolve(this.#value!);
    }
    this.#checkedAt = this.#clock.now();
    this.#changed = undefined;
    this.#checking = this.#reload().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  /**
   * The value at once while no check is due, when a check made at once finds the file as
   * it was, and at first use when it can be read at once. `undefined` when the file changed
   * (read again already when it could be: `current` then has the new value at once), or
   * when it cannot be checked or read at once: then call `current`.
   */
  peek(): T | undefined {
    if (this.#checking || this.#changed !== undefined) return undefined;
    try {
      return this.#peekNow();
    } catch {
      // A seam or a parse that throws: `current` goes the asynchronous way, whose promise
      // carries the error, and nothing here is taken as checked.
      this.#changed = 'unread';
      return undefined;
    }
  }

  #peekNow(): T | undefined {
    const { statSync, readFileSync } = this.#fs;
    if (this.#value !== undefined) {
      if (this.#final) return this.#value;
      const now = this.#clock.now();
      if (now - this.#checkedAt < this.#checkInterval) return this.#value;
      if (statSync === undefined) return undefined;
      const identity = statSync.call(this.#fs, this.path);
      const signature = identity === undefined ? MISSING : signatureOf(identity);
      if (this.#signature !== undefined && signature === this.#signature) {
        this.#checkedAt = now;
        return this.#value;
      }
      if (readFileSync === undefined) this.#changed = 'unread';
      else {
        this.#readNow(signature, now);
        this.#changed = 'read';
      }
      return undefined;
    }
    if (statSync === undefined || readFileSync === undefined) return undefined;
    const identity = statSync.call(this.#fs, this.path);
    return this.#readNow(identity === undefined ? MISSING : signatureOf(identity), this.#clock.now());
  }

  #readNow(signature: string, now: number): T {
    const text = signature === MISSING ? undefined : this.#fs.readFileSync!.call(this.#fs, this.path);
    const value = this.#apply(signature, text);
    this.#checkedAt = now;
    return value;
  }

  async #reload(): Promise<T> {
    const signature = await this.#stat();
    if (this.#value !== undefined && signature === this.#signature) return this.#value;
    return this.#apply(signature, signature === MISSING ? undefined : await this.#read());
  }

  /** The value of `text` (undefined: missing or unreadable), kept with the file's identity. */
  #apply(signature: string, text: string | undefined): T {
    const value = this.#o.parse(text ?? '', text !== undefined);
    this.#value = value;
    // No signature after a failed read, so the next check reads again.
    this.#signature = text === undefined && signature !== MISSING ? undefined : signature;
    this.#final = this.#o.final?.(value) === true;
    return value;
  }

  /** The file's identity, or MISSING when it cannot be stat'ed (absent, no permission…). */
  async #stat(): Promise<string> {
    try {
      return signatureOf(await this.#fs.stat(this.path));
    } catch {
      return MISSING;
    }
  }

  async #read(): Promise<string | undefined> {
    try {
      return await this.#fs.readFile(this.path);
    } catch {
      return undefined;
    }
  }
}
