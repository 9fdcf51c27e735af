/**
 * The reads behind the system's files (resolv.conf, hosts, gai.conf, /etc/resolver),
 * over node:fs's callback functions: node:fs is loaded with Node itself, while
 * node:fs/promises costs ~2 ms to load (at import, or at the first query) for three calls.
 */
import { readdir, readFile, stat } from 'node:fs';

/** The file's text (UTF-8). */
export function readText(path: string): Promise<string> {
  return new Promise((resolve, reject) => readFile(path, 'utf8', (err, text) => (err ? reject(err) : resolve(text))));
}

/** What identifies a version of the file (see WatchedFile). */
export function statFile(path: string): Promise<{ ino: number; size: number; mtimeMs: number; ctimeMs: number }> {
  return new Promise((resolve, reject) => stat(path, (err, stats) => (err ? reject(err) : resolve(stats))));
}

/** The names in a directory. */
export function listDir(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => readdir(path, (err, names) => (err ? reject(err) : resolve(names))));
}
