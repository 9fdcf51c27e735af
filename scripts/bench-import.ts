/**
 * `import('happy-eyeballs')` in a fresh process: each variant imported by a new `node`
 * process, `--runs` times, variants interleaved (so load drift falls on all), medians of
 * wall time and CPU time (user + system) from just before the import to just after.
 *
 *   node build/scripts/bench-import.js [--runs 21] [--entry FILE] [--before DIR] [--in-program] [--json-out FILE]
 *
 * Variants: `node:net+tls+dgram` (what any connecting library loads: the floor); this
 * tree's package entry (`--entry`, default dist/index.js, the bundle `npm run build`
 * makes, as `import('happy-eyeballs')` loads it); its modules as tsc emits them
 * (build/lib/index.js); with `--before DIR` another checkout's package entry
 * (DIR/dist/index.js, else DIR/build/lib/index.js), e.g. the base commit.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type Metric, writeMetrics } from './bench-lib/metrics.js';
import { numberArg, stringArg, table, times } from './bench-lib/print.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const runs = numberArg(argv, '--runs', 21);
const modules = join(here, '..', 'lib', 'index.js');
const packaged = join(here, '..', '..', 'dist', 'index.js');
const entry = resolve(stringArg(argv, '--entry') ?? (existsSync(packaged) ? packaged : modules));
const before = stringArg(argv, '--before');
/**
 * `--in-program`: each process first imports an empty ES module file, as a program run
 * from a file has done before its imports, so Node's loader of file modules (~7 ms to
 * start) is not counted against the first file imported.
 */
const inProgram = argv.includes('--in-program');
const emptyModule = join(here, 'bench-lib', 'empty-module.js');

/** The issue's target for the library's import, and the floor it was set against (quiet machine). */
const TARGET_MS = 25;
const CORE_QUIET_MS = 12;

interface Variant {
  name: string;
  specifiers: string[];
  /** Loaded with `require` (createRequire) rather than `import()`. */
  require?: boolean;
}

const variants: Variant[] = [
  { name: 'node:net+tls+dgram', specifiers: ['node:net', 'node:tls', 'node:dgram'] },
  { name: 'happy-eyeballs', specifiers: [pathToFileURL(entry).href] },
];
if (entry !== modules) variants.push({ name: 'happy-eyeballs, modules', specifiers: [pathToFileURL(modules).href] });
// The share of the import that is Node's own: every builtin the bundled entry loads at its top, loaded as it
// loads them (required, scripts/build-lib/require-builtins.ts; imported, by an entry bundled before that).
// The entry and the chunks it imports statically (scripts/bundle.ts): all load with it.
const chunks = [...readFileSync(entry, 'utf8').matchAll(/^import\s*\{[^}]*\}\s*from\s*"(\.\/chunks\/[^"]+)";$/gm)].map((m) => m[1]!);
const source = [entry, ...chunks.map((c) => resolve(dirname(entry), c))].map((f) => readFileSync(f, 'utf8')).join('\n');
const required = [...source.matchAll(/__require_builtin\("(node:[^"]+)"\)/g)].map((m) => m[1]!);
const imported = [...source.matchAll(/^import .* from "(node:[^"]+)";$/gm)].map((m) => m[1]!);
const builtins = [...new Set(required.length > 0 ? ['node:module', ...required] : imported)];
if (entry !== modules) variants.push({ name: 'its node: builtins alone', specifiers: builtins, require: required.length > 0 });
if (before) {
  const dist = resolve(before, 'dist', 'index.js');
  variants.push({ name: 'happy-eyeballs (before)', specifiers: [pathToFileURL(existsSync(dist) ? dist : resolve(before, 'build', 'lib', 'index.js')).href] });
}

/** One fresh process: ms of wall and CPU time the imports took. */
async function once(v: Variant): Promise<{ wall: number; cpu: number }> {
  const load = v.require
    ? `const { createRequire } = await import('node:module'); const require = createRequire(import.meta.url); ${v.specifiers.map((s) => `require(${JSON.stringify(s)});`).join(' ')}`
    : `await Promise.all([${v.specifiers.map((s) => `import(${JSON.stringify(s)})`).join(', ')}]);`;
  const warm = inProgram ? `await import(${JSON.stringify(pathToFileURL(emptyModule).href)});` : '';
  const script = `${warm} const c = process.cpuUsage(); const t = performance.now(); ${load} const u = process.cpuUsage(c);
    process.stdout.write(JSON.stringify({ wall: performance.now() - t, cpu: (u.user + u.system) / 1000 }));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  return JSON.parse(stdout) as { wall: number; cpu: number };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const samples = new Map(variants.map((v) => [v.name, { wall: [] as number[], cpu: [] as number[] }]));
for (const v of variants) await once(v); // warm the file cache
for (let r = 0; r < runs; r++) {
  // Rotate who goes first.
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(r + k) % variants.length]!;
    const s = await once(v);
    samples.get(v.name)!.wall.push(s.wall);
    samples.get(v.name)!.cpu.push(s.cpu);
  }
}

const med = (name: string, what: 'wall' | 'cpu'): number => median(samples.get(name)![what]);
const core = variants[0]!.name;
const rows = variants.map((v) => [
  v.name,
  med(v.name, 'wall').toFixed(1),
  med(v.name, 'cpu').toFixed(1),
  times(med(v.name, 'wall') / med(core, 'wall')),
  times(med(v.name, 'cpu') / med(core, 'cpu')),
]);
console.log(
  `import in a fresh process${inProgram ? ' (after an empty module file: --in-program)' : ''}, ${runs} runs each, interleaved; medians (ms). happy-eyeballs: ${entry}`,
);
console.log(table(['variant', 'wall ms', 'CPU ms', 'wall vs core', 'CPU vs core'], rows));
const ours = med('happy-eyeballs', 'wall');
if (before)
  console.log(
    `after / before: wall ${times(ours / med('happy-eyeballs (before)', 'wall'))}, CPU ${times(med('happy-eyeballs', 'cpu') / med('happy-eyeballs (before)', 'cpu'))}`,
  );
const ratio = ours / med(core, 'wall');
const ratioTarget = TARGET_MS / CORE_QUIET_MS;
console.log(`${ours <= TARGET_MS ? 'met' : 'MISSED'}: import ${ours.toFixed(1)} ms (target <= ${TARGET_MS} ms)`);
console.log(
  `${ratio <= ratioTarget ? 'met' : 'MISSED'}: import / node:net+tls+dgram ${times(ratio)} (target <= ${times(ratioTarget)}: ${TARGET_MS} ms against core's ${CORE_QUIET_MS} ms, for a loaded machine)`,
);

const jsonOut = stringArg(argv, '--json-out');
if (jsonOut) {
  const metrics: Metric[] = [
    { name: 'import-ms', value: ours, unit: 'ms', better: 'lower', target: TARGET_MS },
    { name: 'import-cpu-ms', value: med('happy-eyeballs', 'cpu'), unit: 'ms', better: 'lower' },
    { name: 'import-vs-core', value: ratio, unit: 'x', better: 'lower', target: ratioTarget },
  ];
  if (before) metrics.push({ name: 'import-before-ms', value: med('happy-eyeballs (before)', 'wall'), unit: 'ms', better: 'lower' });
  writeMetrics(jsonOut, metrics);
}
