/**
 * The hosts file kept current without a watcher (watched-file.ts): at most once per
 * `checkInterval` a lookup stats the file, and only a changed (inode, size, mtime, ctime)
 * makes it read and parse again. Nothing is left running between lookups, so an idle
 * HostsFile never holds the process open. A missing or unreadable file is an empty
 * table, as in glibc.
 */
import type { Clock } from '../clock.js';
import { lookupHosts, parseHosts, type HostsTable } from './hosts.js';
import { WatchedFile, type HostsFs } from './watched-file.js';

export interface HostsFileOptions {
  /** @default '/etc/hosts' */
  path?: string | undefined;
  /** Only `now()` is used. @default systemClock */
  clock?: Pick<Clock, 'now'> | undefined;
  /** Milliseconds between two checks of the file. @default 1000 */
  checkInterval?: number | undefined;
  /** @default node:fs (files.ts) */
  fs?: HostsFs | undefined;
}

/** What a closed HostsFile knows: nothing, so only `localhost` names are answered. */
const CLOSED: HostsTable = new Map();

export class HostsFile {
  readonly path: string;
  readonly #file: WatchedFile<HostsTable>;
  #closed = false;

  constructor(options: HostsFileOptions = {}) {
    const { path = '/etc/hosts', clock, checkInterval, fs } = options;
    this.#file = new WatchedFile({ path, option: 'hosts', parse: parseHosts, clock, checkInterval, fs });
    this.path = path;
  }

  /**
   * Addresses of `family` for `name`, as `lookupHosts` gives them: `undefined` when the
   * file does not know the name, `[]` when it knows it only for the other family;
   * `alone`: the lookup is for this family only (see lookupHosts).
   */
  async lookup(name: string, family: 4 | 6, alone = false): Promise<string[] | undefined> {
    const table = this.#closed ? CLOSED : await this.#file.current();
    // Closed while the file was read: its table is not used.
    return lookupHosts(this.#closed ? CLOSED : table, name, family, alone);
  }

  /**
   * `lookup` at once, without a promise, while the table needs no check; `null` when a
   * check is due or running (then call `lookup`, which makes it).
   */
  peek(name: string, family: 4 | 6, alone = false): string[] | undefined | null {
    const table = this.#closed ? CLOSED : this.#file.peek();
    return table === undefined ? null : lookupHosts(table, name, family, alone);
  }

  /** Forgets the table; later lookups read nothing and answer only localhost names. */
  close(): void {
    this.#closed = true;
  }
}
