/**
 * What `npm pack` puts in the package: the built library and CLI, with their type
 * declarations, and nothing else (no test tooling, no source maps pointing at sources
 * that are not shipped, no stale build output). `npm test` builds dist/ first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';

const root = new URL('../../', import.meta.url).pathname;

function packedFiles(): string[] {
  // --ignore-scripts: prepack would rebuild dist/ under the feet of the tests running the CLI.
  const npm = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  if (npm.status !== 0) throw new Error(`npm pack failed: ${npm.stderr}`);
  const [pack] = JSON.parse(npm.stdout) as Array<{ files: Array<{ path: string }> }>;
  return pack!.files.map((f) => f.path).sort();
}

const files = packedFiles();

t.test('the entry points, the CLI and their declarations are in', async (t) => {
  for (const path of ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js']) t.ok(files.includes(path), path);
});

t.test('only dist/*.js and *.d.ts built from lib/, the README and package.json', async (t) => {
  const stray = files.filter((path) => !/^dist\/.+\.(js|d\.ts)$/.test(path) && path !== 'README.md' && path !== 'package.json');
  t.same(stray, [], 'no other file');
  t.same(
    files.filter((path) => path.endsWith('.map')),
    [],
    'no source map (the sources are not shipped)',
  );
  const stale = files.filter(
    (path) => path.startsWith('dist/') && !path.startsWith('dist/chunks/') && !existsSync(`${root}lib/${path.slice(5).replace(/(\.d\.ts|\.js)$/, '.ts')}`),
  );
  t.same(stale, [], 'every built file has its source in lib/ (chunks of the bundled entry aside)');
  t.same(
    files.filter((path) => path.startsWith('dist/chunks/')),
    chunksOf('dist/index.js'),
    "the chunks are the bundled entry's, each imported by it or by another chunk",
  );
});

/** The chunks `entry` imports, statically or dynamically, and theirs, sorted. */
function chunksOf(entry: string): string[] {
  const found = new Set<string>();
  const visit = (file: string): void => {
    const source = readFileSync(`${root}${file}`, 'utf8');
    for (const [, specifier] of source.matchAll(/(?:from\s*|import\()"(\.{1,2}\/[^"]+)"/g)) {
      const path = new URL(specifier!, `file:///${file}`).pathname.slice(1);
      if (!found.has(path)) found.add(path), visit(path);
    }
  };
  visit(entry);
  return [...found].sort();
}

t.test('no test tooling: no fake servers, forgeries, fuzzers or harness', async (t) => {
  const tooling = files.filter((path) => /forgery|responder|dot-server|doh-server|fuzz|harness|helpers|\.test\./.test(path));
  t.same(tooling, []);
});
