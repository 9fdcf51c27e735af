/**
 * The reads behind the system's files (resolv.conf, hosts, gai.conf, /etc/resolver),
 * over node:fs's callback functions: node:fs is loaded with Node itself, while
 * node:fs/promises costs ~2 ms to load (at import, or at the first query) for three calls.
 * The synchronous ones, `statFileSync` and `readTextSync`, are WatchedFile's check
 * (watched-file.ts says why).
 */
import { readdir, readFile, readFileSync, stat, statSync } from 'node:fs';

/** The file's text (UTF-8). */
export function readText(path: string): Promise<string> {
  return new Promise((resolve, reject) => readFile(path, 'utf8', (err, text) => (err ? reject(err) : resolve(text))));
}

/** The file's text (UTF-8) now, or `undefined` when it cannot be read (absent, a directory, no permission…). */
export function readTextSync(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** What identifies a version of the file (see WatchedFile). */
export function statFile(path: string): Promise<{ ino: number; size: number; mtimeMs: number; ctimeMs: number }> {
  return new Promise((resolve, reject) => stat(path, (err, stats) => (err ? reject(err) : resolve(stats))));
}

/** What identifies a version of the file now, or `undefined` when it cannot be stat'ed (absent, no permission…). */
export function statFileSync(path: string): { ino: number; size: number; mtimeMs: number; ctimeMs: number } | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** The names in a directory. */
export function listDir(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => readdir(path, (err, names) => (err ? reject(err) : resolve(names))));
}
