/** Where an installed program is, for the tests' requirements and the scripts that start servers. */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Directories searched for programs: PATH, then the sbin directories PATH often lacks. */
function searchDirs(): string[] {
  return [...String(process.env.PATH).split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
}

/** Absolute path of a program, or undefined when it is not installed. */
export function findProgram(name: string, dirs = searchDirs()): string | undefined {
  return dirs.map((dir) => join(dir, name)).find((path) => path.startsWith('/') && existsSync(path));
}
