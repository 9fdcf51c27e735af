/**
 * A configuration file kept current without a watcher, as HostsFile keeps the hosts
 * file: at most once per `checkInterval` a read stats the file, and only a changed
 * (inode, size, mtime, ctime) makes it read and parse again. A missing or unreadable
 * file parses as `undefined` text. Nothing runs between reads, so an idle one never
 * holds the process open.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Clock } from '../clock.js';
import type { HostsFs } from './hosts-file.js';

export interface WatchedFileOptions<T> {
  path: string;
  /** Turns the file's text (`undefined`: missing or unreadable) into the value kept. */
  parse: (text: string | undefined) => T;
  clock: Pick<Clock, 'now'>;
  /** Milliseconds between two checks of the file. */
  checkInterval: number;
  /** @default node:fs/promises */
  fs?: HostsFs | undefined;
}

const nodeFs: HostsFs = {
  stat: (path) => stat(path),
  readFile: (path) => readFile(path, 'utf8'),
};

export class WatchedFile<T> {
  readonly path: string;
  readonly #o: WatchedFileOptions<T>;
  readonly #fs: HostsFs;
  #value: T;
  /** Identity of the file the value was read from; `undefined` forces a read. */
  #signature: string | undefined;
  #checkedAt = -Infinity;
  #checking: Promise<void> | undefined;

  constructor(options: WatchedFileOptions<T>) {
    this.path = options.path;
    this.#o = options;
    this.#fs = options.fs ?? nodeFs;
    this.#value = options.parse(undefined);
  }

  /** The value, after a check of the file when one is due. */
  async read(): Promise<T> {
    await this.#check();
    return this.#value;
  }

  /** One check at a time; concurrent reads share it. */
  #check(): Promise<void> {
    if (this.#checking) return this.#checking;
    const now = this.#o.clock.now();
    if (now - this.#checkedAt < this.#o.checkInterval) return Promise.resolve();
    this.#checkedAt = now;
    this.#checking = this.#reload().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  async #reload(): Promise<void> {
    const signature = await this.#stat();
    if (signature !== undefined && signature === this.#signature) return;
    const text = signature === undefined ? undefined : await this.#read();
    this.#value = this.#o.parse(text);
    // No signature after a failed stat or read, so the next check tries again.
    this.#signature = text === undefined ? undefined : signature;
  }

  async #stat(): Promise<string | undefined> {
    try {
      const s = await this.#fs.stat(this.path);
      return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
    } catch {
      return undefined;
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
