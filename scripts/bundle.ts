/**
 * Makes the package entry: tsc's `dist/index.js` and the modules it imports, bundled by
 * esbuild into one file (one read, one compile) with Node's builtins required rather than
 * imported (build-lib/require-builtins.ts says why). Not minified: stack traces keep their
 * lines and names, and minifying measured within the noise of the import benchmark.
 *
 *   node build/scripts/bundle.js [--entry dist/index.js] [--out dist/index.js]
 */
import { writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { stringArg } from './bench-lib/print.js';
import { requireBuiltins } from './build-lib/require-builtins.js';

const argv = process.argv.slice(2);
const entry = stringArg(argv, '--entry') ?? 'dist/index.js';
const out = stringArg(argv, '--out') ?? entry;
const result = await build({
  entryPoints: [entry],
  bundle: true,
  format: 'esm',
  platform: 'node',
  packages: 'external',
  metafile: true,
  write: false,
  outfile: out,
  logLevel: 'warning',
});
// esbuild's own count of the builtin imports it wrote: each must have been rewritten.
const imports = Object.values(result.metafile.outputs)[0]!.imports;
const expected = imports.filter((i) => i.external && i.kind === 'import-statement' && i.path.startsWith('node:')).length;
const text = requireBuiltins(result.outputFiles[0]!.text, expected);
writeFileSync(out, text);
console.log(`bundle: ${entry} -> ${out}, ${text.length} bytes, ${expected} builtin imports required`);
