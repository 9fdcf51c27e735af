/**
 * A configuration file kept current without a watcher, as HostsFile keeps the hosts file:
 * at most once per `checkInterval` a use stats the file, and only a changed (inode,
 * size, mtime, ctime) makes it read and parse again, so an edit in place and a file
 * replaced by rename are both seen. Nothing runs between uses. A missing or unreadable
 * file parses as empty text, which is what glibc does with resolv.conf, gai.conf,
 * nsswitch.conf and the hosts file. Used for all four (and mdns.allow).
 *
 * The check's stat is synchronous, as glibc's of resolv.conf at each lookup: a few
 * microseconds for a local file, where an asynchronous one is a round trip through the
 * threadpool and the event loop that a query due for the check waited out before it was
 * sent. Only a file that changed is read, asynchronously.
 */
import { systemClock, type Clock } from '../clock.js';
import { InvalidArgumentError } from '../errors.js';
import { numberIn } from '../options.js';
import { readText, statFile, statFileSync } from './files.js';

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
  /** A synchronous check found the file changed: the next `current` reads it. */
  #changed = false;
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
    this.#checkedAt = this.#clock.now();
    this.#changed = false;
    this.#checking = this.#reload().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  /**
   * The value at once while no check is due, or when a due check finds the file as it was;
   * `undefined` when it changed or cannot be checked at once (then call `current`).
   */
  peek(): T | undefined {
    if (this.#value === undefined || this.#checking || this.#changed) return undefined;
    if (this.#final) return this.#value;
    const now = this.#clock.now();
    if (now - this.#checkedAt < this.#checkInterval) return this.#value;
    if (this.#fs.statSync === undefined || this.#signature === undefined) return undefined;
    const identity = this.#fs.statSync(this.path);
    if ((identity === undefined ? MISSING : signatureOf(identity)) !== this.#signature) {
      this.#changed = true;
      return undefined;
    }
    this.#checkedAt = now;
    return this.#value;
  }

  async #reload(): Promise<T> {
    const signature = await this.#stat();
    if (this.#value !== undefined && signature === this.#signature) return this.#value;
    const text = signature === MISSING ? undefined : await this.#read();
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
