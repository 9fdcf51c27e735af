/**
 * The hosts file kept current without a watcher: at most once per `checkInterval` a
 * lookup stats the file, and only a changed (inode, size, mtime, ctime) makes it read
 * and parse again. Nothing is left running between lookups, so an idle HostsFile never
 * holds the process open. A missing or unreadable file is an empty table, as in glibc.
 */
import { readFile, stat } from 'node:fs/promises';
import { systemClock, type Clock } from '../clock.js';
import { InvalidArgumentError } from '../errors.js';
import { numberIn } from '../options.js';
import { lookupHosts, parseHosts, type HostsTable } from './hosts.js';

/** The two file operations HostsFile needs; a seam so tests can count them. */
export interface HostsFs {
  stat(path: string): Promise<{ ino: number; size: number; mtimeMs: number; ctimeMs: number }>;
  readFile(path: string): Promise<string>;
}

export interface HostsFileOptions {
  /** @default '/etc/hosts' */
  path?: string | undefined;
  /** Only `now()` is used. @default systemClock */
  clock?: Pick<Clock, 'now'> | undefined;
  /** Milliseconds between two checks of the file. @default 1000 */
  checkInterval?: number | undefined;
  /** @default node:fs/promises */
  fs?: HostsFs | undefined;
}

const nodeFs: HostsFs = {
  stat: (path) => stat(path),
  readFile: (path) => readFile(path, 'utf8'),
};

export class HostsFile {
  readonly path: string;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #checkInterval: number;
  readonly #fs: HostsFs;
  #table: HostsTable = new Map();
  /** Identity of the file the table was read from; `undefined` forces a read. */
  #signature: string | undefined;
  #checkedAt = -Infinity;
  #checking: Promise<void> | undefined;
  #closed = false;

  constructor(options: HostsFileOptions = {}) {
    const { path = '/etc/hosts', clock = systemClock, checkInterval = 1000, fs = nodeFs } = options;
    if (typeof path !== 'string' || path === '') throw new InvalidArgumentError('hosts', path, 'a file path');
    numberIn('checkInterval', checkInterval, 0, Number.MAX_VALUE, 'milliseconds');
    this.path = path;
    this.#clock = clock;
    this.#checkInterval = checkInterval;
    this.#fs = fs;
  }

  /**
   * Addresses of `family` for `name`, as `lookupHosts` gives them: `undefined` when the
   * file does not know the name, `[]` when it knows it only for the other family;
   * `alone`: the lookup is for this family only (see lookupHosts).
   */
  async lookup(name: string, family: 4 | 6, alone = false): Promise<string[] | undefined> {
    await this.#check();
    return lookupHosts(this.#table, name, family, alone);
  }

  /**
   * `lookup` at once, without a promise, while the table needs no check; `null` when a
   * check is due or running (then call `lookup`, which makes it).
   */
  peek(name: string, family: 4 | 6, alone = false): string[] | undefined | null {
    if (this.#checking || (!this.#closed && this.#clock.now() - this.#checkedAt >= this.#checkInterval)) return null;
    return lookupHosts(this.#table, name, family, alone);
  }

  /** Forgets the table; later lookups read nothing and answer only localhost names. */
  close(): void {
    this.#closed = true;
    this.#table = new Map();
  }

  /** One check at a time; concurrent lookups share it. */
  #check(): Promise<void> {
    if (this.#checking) return this.#checking;
    const now = this.#clock.now();
    if (this.#closed || now - this.#checkedAt < this.#checkInterval) return Promise.resolve();
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
    if (this.#closed) return;
    this.#table = parseHosts(text ?? '');
    // No signature after a failed stat or read, so the next check tries again.
    this.#signature = text === undefined ? undefined : signature;
  }

  /** `undefined` when the file cannot be stat'ed (missing, no permission…). */
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
