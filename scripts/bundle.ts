/**
 * Makes the package entry: tsc's `dist/index.js` and the modules it imports, bundled by
 * esbuild into one file (one read, one compile), whitespace and syntax minified with
 * names kept (stack traces and `constructor.name` read as in the source), Node's builtins
 * required rather than imported (build-lib/require-builtins.ts says why).
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
  minifyWhitespace: true,
  minifySyntax: true,
  write: false,
  outfile: out,
  logLevel: 'warning',
});
const text = requireBuiltins(result.outputFiles[0]!.text);
writeFileSync(out, text);
console.log(`bundle: ${entry} -> ${out}, ${text.length} bytes`);
