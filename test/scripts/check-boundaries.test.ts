/**
 * scripts/check-boundaries.ts: the layers of docs/architecture.md and the cycle check,
 * on small trees written for each rule, and on this repository (which must pass).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t, { type Test } from 'tap';
import { check, cycles, forbidden, importsOf, partOf } from '../../scripts/check-boundaries.js';

const root = new URL('../../../', import.meta.url).pathname;

/** A tree of `files` (path → source) in a temporary folder, removed at teardown. */
function tree(t: Test, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'he-i15-bounds-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  return dir;
}

t.test('this repository crosses no boundary and has no cycle', async (t) => {
  t.same(check(root), []);
});

t.test('importsOf: static, type-only, re-export, side-effect and dynamic imports; comments and packages ignored', async (t) => {
  const source = [
    "import a from './a.js';",
    "import type { B } from '../b.js';",
    "export { c } from './c.js';",
    "export * from './d.js';",
    "import './e.js';",
    "const f = await import('./f.js');",
    "import net from 'node:net';",
    "// import g from './g.js';",
    "/* import h from './h.js'; */",
    'import {',
    '  i,',
    "} from './i.js';",
  ].join('\n');
  t.same(
    importsOf(source),
    ['./a.js', '../b.js', './c.js', './d.js', './i.js', './f.js', './e.js'].sort((x, y) => source.indexOf(x) - source.indexOf(y)),
  );
});

t.test('partOf: a folder, or a file at the top of lib', async (t) => {
  t.equal(partOf('lib/dns/udp.ts'), 'dns');
  t.equal(partOf('lib/resolver.ts'), 'resolver.ts');
});

t.test('forbidden: downward imports only, siblings of a layer allowed except the pairs kept apart', async (t) => {
  t.equal(forbidden('dns', 'dns'), undefined);
  t.equal(forbidden('racer', 'address'), undefined);
  t.equal(forbidden('system', 'dns'), undefined);
  t.equal(forbidden('address', 'nat64'), undefined, 'same layer');
  t.equal(forbidden('resolver.ts', 'lookup.ts'), undefined, 'same layer');
  t.equal(forbidden('cli', 'lab'), undefined);
  t.match(forbidden('dns', 'system'), /dns may not import system/);
  t.match(forbidden('address', 'racer'), /address may not import racer/);
  t.match(forbidden('diagnostics.ts', 'racer'), /diagnostics.ts may not import racer/);
  t.match(forbidden('system', 'cache'), /system may not import cache/);
  t.match(forbidden('adapters', 'lab'), /adapters may not import lab/);
  t.match(forbidden('index.ts', 'cli'), /index.ts may not import cli/);
  t.match(forbidden('gadgets', 'dns'), /lib\/gadgets is in no layer/);
  t.match(forbidden('dns', 'gadgets'), /lib\/gadgets is in no layer/);
});

t.test('cycles: components of two or more, and a file importing itself', async (t) => {
  const graph = new Map([
    ['a', new Set(['b'])],
    ['b', new Set(['c'])],
    ['c', new Set(['a', 'd'])],
    ['d', new Set<string>()],
    ['e', new Set(['e'])],
    ['f', new Set(['d'])],
  ]);
  t.same(cycles(graph), [['a', 'b', 'c'], ['e']]);
  t.same(cycles(new Map([['x', new Set(['y'])]])), [], 'an edge to a file outside the graph');
});

t.test('check: every rule on a small tree', async (t) => {
  const dir = tree(t, {
    'lib/errors.ts': 'export class E {}\n',
    'lib/dns/a.ts': "import { b } from '../system/b.js';\nexport const a = b;\n",
    'lib/system/b.ts': "import { a } from '../dns/a.js';\nexport const b = a;\n",
    'lib/dns/c.ts': "import { d } from './d.js';\nexport const c = d;\n",
    'lib/dns/d.ts': "import { c } from './c.js';\nexport const d = c;\n",
    'lib/dns/e.ts': "import '../../test/helpers/x.js';\nimport '../../scripts/y.js';\nimport { E } from '../errors.js';\n",
    'lib/dns/f.ts': 'export class F {\n  private secret = 1;\n  private constructor() {}\n}\n',
    'lib/dns/g.d.ts': "import '../system/b.js';\n",
    'lib/dns/h.js': "import '../system/b.js';\n",
    'lib/dns/node_modules/x/index.ts': "import '../../../system/b.js';\n",
    'scripts/bench.ts': "import '../test/helpers/x.js';\nimport '../lib/dns/a.js';\n",
    'test/x.test.ts': "import '../lib/dns/a.js';\nimport '../scripts/bench.js';\n",
  });
  const messages = check(dir).map((v) => `${v.file}: ${v.message}`);
  t.same(
    messages.sort(),
    [
      'lib/dns/a.ts: imports lib/system/b.ts: dns may not import system',
      'lib/dns/c.ts: import cycle: lib/dns/c.ts ↔ lib/dns/d.ts',
      'lib/dns/e.ts: imports scripts/y.ts: lib/ never imports scripts/',
      'lib/dns/e.ts: imports test/helpers/x.ts: lib/ never imports test/',
      'lib/dns/f.ts: a member marked `private`: write it `#name`',
      'lib/dns: import cycle between parts: dns ↔ system',
      'lib/dns/a.ts: import cycle: lib/dns/a.ts ↔ lib/system/b.ts',
      'scripts/bench.ts: imports test/helpers/x.ts: scripts/ never import test/ (move what both need to scripts/ or lib/lab)',
    ].sort(),
  );
});

t.test('check: a tree without lib, test or scripts has nothing to report', async (t) => {
  t.same(check(tree(t, { 'README.md': '# nothing\n' })), []);
});
