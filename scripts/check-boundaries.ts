/**
 * Fails when an import crosses a boundary docs/architecture.md forbids or closes a
 * cycle. Every relative import counts, `import type` too: a type is part of a contract.
 *
 *   node build/scripts/check-boundaries.js [root]      (npm run lint runs it)
 *
 * Rules: lib/ imports neither test/ nor scripts/; scripts/ never imports test/; a lib
 * module imports only the layers its layer may use (LAYERS below, the table of the
 * document); no cycle among lib files, nor among the folders of one layer. One style
 * for private members as well: `#name`, never the `private` keyword (constructors aside).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Each lib part (a folder, or a file at the top) and the parts it may import besides itself. */
export const LAYERS: ReadonlyArray<{ parts: readonly string[]; mayImport: readonly string[] }> = [
  { parts: ['errors.ts', 'clock.ts', 'diagnostics.ts'], mayImport: [] },
  { parts: ['options.ts'], mayImport: ['errors.ts', 'clock.ts'] },
  { parts: ['dns'], mayImport: ['errors.ts', 'clock.ts', 'options.ts'] },
  { parts: ['system', 'cache'], mayImport: ['errors.ts', 'clock.ts', 'options.ts', 'dns'] },
  { parts: ['address', 'nat64', 'policy'], mayImport: ['errors.ts', 'clock.ts', 'options.ts', 'diagnostics.ts', 'dns', 'system', 'cache'] },
  { parts: ['racer'], mayImport: ['errors.ts', 'clock.ts', 'options.ts', 'diagnostics.ts', 'dns', 'system', 'cache', 'address', 'nat64', 'policy'] },
  {
    parts: ['resolver.ts', 'lookup.ts', 'lookup-memo.ts', 'connect.ts', 'connect-options.ts', 'connect-promise.ts'],
    mayImport: ['errors.ts', 'clock.ts', 'options.ts', 'diagnostics.ts', 'dns', 'system', 'cache', 'address', 'nat64', 'policy', 'racer'],
  },
  {
    parts: ['adapters', 'lab'],
    mayImport: [
      'errors.ts',
      'clock.ts',
      'options.ts',
      'diagnostics.ts',
      'dns',
      'system',
      'cache',
      'address',
      'nat64',
      'policy',
      'racer',
      'resolver.ts',
      'lookup.ts',
      'connect.ts',
      'connect-options.ts',
    ],
  },
  {
    parts: ['cli'],
    mayImport: [
      'errors.ts',
      'clock.ts',
      'options.ts',
      'diagnostics.ts',
      'dns',
      'system',
      'cache',
      'address',
      'nat64',
      'policy',
      'racer',
      'resolver.ts',
      'lookup.ts',
      'connect.ts',
      'connect-options.ts',
      'adapters',
      'lab',
    ],
  },
  {
    parts: ['index.ts'],
    mayImport: [
      'errors.ts',
      'clock.ts',
      'options.ts',
      'diagnostics.ts',
      'dns',
      'system',
      'cache',
      'address',
      'nat64',
      'policy',
      'racer',
      'resolver.ts',
      'lookup.ts',
      'connect.ts',
      'connect-options.ts',
      'adapters',
    ],
  },
];

/** Parts of one layer may import each other (never in a cycle); these pairs may not. */
const SIBLINGS_APART: ReadonlyArray<readonly [string, string]> = [
  ['system', 'cache'],
  ['cache', 'system'],
  ['adapters', 'lab'],
  ['lab', 'adapters'],
];

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

export interface Violation {
  file: string;
  message: string;
}

const PRIVATE_KEYWORD = /^\s*(?:private|protected)\s+(?:readonly\s+|static\s+)*(?!constructor\b)[A-Za-z_$][\w$]*\s*[:(=;?!<]/m;

/** Relative specifiers of a module's imports and re-exports (comments removed first). */
export function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specifiers: string[] = [];
  for (const m of code.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec?.startsWith('.')) specifiers.push(spec);
  }
  return specifiers;
}

/** `lib/dns/udp.ts` → `dns`; `lib/resolver.ts` → `resolver.ts`. */
export function partOf(libPath: string): string {
  const inner = libPath.slice('lib/'.length);
  const slash = inner.indexOf('/');
  return slash < 0 ? inner : inner.slice(0, slash);
}

function layerOf(part: string): number {
  return LAYERS.findIndex((layer) => layer.parts.includes(part));
}

/** The boundary a lib import crosses, or undefined when it may be made. */
export function forbidden(fromPart: string, toPart: string): string | undefined {
  if (fromPart === toPart) return undefined;
  const from = layerOf(fromPart);
  const to = layerOf(toPart);
  if (from < 0) return `lib/${fromPart} is in no layer of docs/architecture.md`;
  if (to < 0) return `lib/${toPart} is in no layer of docs/architecture.md`;
  if (from === to) {
    const apart = SIBLINGS_APART.some(([a, b]) => a === fromPart && b === toPart);
    return apart ? `${fromPart} may not import ${toPart}` : undefined;
  }
  return LAYERS[from]!.mayImport.includes(toPart) ? undefined : `${fromPart} may not import ${toPart}`;
}

/** Strongly connected components with more than one node, or a node importing itself. */
export function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.has(node)) found.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

function tsFiles(root: string, dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(join(root, dir));
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return name === 'node_modules' ? [] : tsFiles(root, path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path.split(sep).join('/')] : [];
  });
}

/** Every violation in the tree at `root`. */
export function check(root: string): Violation[] {
  const violations: Violation[] = [];
  const files = ['lib', 'test', 'scripts'].flatMap((dir) => tsFiles(root, dir));
  const fileGraph = new Map<string, Set<string>>();
  const partGraph = new Map<string, Set<string>>();
  for (const file of files) {
    const top = file.slice(0, file.indexOf('/'));
    const source = readFileSync(join(root, file), 'utf8');
    if (PRIVATE_KEYWORD.test(source)) violations.push({ file, message: 'a member marked `private`: write it `#name`' });
    for (const spec of importsOf(source)) {
      const target = normalize(join(dirname(file), spec))
        .split(sep)
        .join('/')
        .replace(/\.js$/, '.ts');
      const targetTop = target.slice(0, target.indexOf('/'));
      if (top === 'lib' && (targetTop === 'test' || targetTop === 'scripts')) {
        violations.push({ file, message: `imports ${target}: lib/ never imports ${targetTop}/` });
      }
      if (top === 'scripts' && targetTop === 'test') {
        violations.push({ file, message: `imports ${target}: scripts/ never import test/ (move what both need to scripts/ or lib/lab)` });
      }
      if (top !== 'lib' || targetTop !== 'lib') continue;
      if (!fileGraph.has(file)) fileGraph.set(file, new Set());
      fileGraph.get(file)!.add(target);
      const from = partOf(file);
      const to = partOf(target);
      const why = forbidden(from, to);
      if (why) violations.push({ file, message: `imports ${target}: ${why}` });
      if (from !== to) {
        if (!partGraph.has(from)) partGraph.set(from, new Set());
        partGraph.get(from)!.add(to);
      }
    }
  }
  for (const cycle of cycles(fileGraph)) violations.push({ file: cycle[0]!, message: `import cycle: ${cycle.join(' ↔ ')}` });
  for (const cycle of cycles(partGraph)) violations.push({ file: `lib/${cycle[0]}`, message: `import cycle between parts: ${cycle.join(' ↔ ')}` });
  return violations;
}

/* c8 ignore start -- the command-line entry; check() is what the tests run */
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const violations = check(root);
  for (const v of violations) console.error(`${relative(process.cwd(), join(root, v.file)) || v.file}: ${v.message}`);
  if (violations.length > 0) {
    console.error(`check-boundaries: ${violations.length} violation(s); see docs/architecture.md`);
    process.exitCode = 1;
  } else {
    console.log('check-boundaries: no import crosses a boundary or closes a cycle');
  }
}
/* c8 ignore stop */
