/**
 * Makes the package entry: tsc's `dist/index.js` and the modules it imports, bundled by
 * esbuild into one module (one read, one compile) with Node's builtins required rather than
 * imported (build-lib/require-builtins.ts says why). Code loaded by a dynamic `import()`
 * (the DoT/DoH upstreams, lib/dns/encrypted.ts) goes to its own chunk under `chunks/`,
 * and what the entry and such a chunk share to a shared chunk that the entry imports. Not
 * minified: stack traces keep their lines and names, and minifying measured within the
 * noise of the import benchmark.
 *
 *   node build/scripts/bundle.js [--entry dist/index.js] [--out dist/index.js]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, relative, sep } from 'node:path';
import { build } from 'esbuild';
import { stringArg } from './bench-lib/print.js';
import { requireBuiltins } from './build-lib/require-builtins.js';

const argv = process.argv.slice(2);
const entry = stringArg(argv, '--entry') ?? 'dist/index.js';
const out = stringArg(argv, '--out') ?? entry;
const result = await build({
  entryPoints: [entry],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  packages: 'external',
  metafile: true,
  absWorkingDir: process.cwd(),
  write: false,
  outdir: dirname(out),
  entryNames: basename(out, extname(out)),
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
const written: string[] = [];
for (const file of result.outputFiles) {
  // esbuild's own count of the builtin imports it wrote in this file: each must have been rewritten.
  const key = relative(process.cwd(), file.path).split(sep).join('/'); // the metafile's keys use '/'
  const output = result.metafile.outputs[key];
  if (output === undefined) throw new Error(`bundle: ${key} is not in esbuild's metafile (${Object.keys(result.metafile.outputs).join(', ')})`);
  const imports = output.imports;
  const expected = imports.filter((i) => i.external && i.kind === 'import-statement' && i.path.startsWith('node:')).length;
  const text = requireBuiltins(file.text, expected);
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, text);
  written.push(`${relative(process.cwd(), file.path)} ${text.length} bytes, ${expected} builtin imports required`);
}
console.log(`bundle: ${entry} -> ${written.join('; ')}`);
