/**
 * Node's builtins required, not imported, in a bundled ES module. Importing a builtin as
 * an ES module makes Node build a facade that reads every export, which runs the lazy
 * getters behind them (`dns.promises`, `fs.promises`, `tls.rootCertificates`,
 * `crypto.webcrypto` load whole modules or read the CA store). Required, a builtin is its
 * `module.exports` and nothing more: the same objects and functions, for less at import.
 * Named bindings become the values the module holds at load (an ES import of a builtin is
 * a live binding that only `module.syncBuiltinESMExports()` updates).
 */

/** An import of a builtin as esbuild writes it: default and/or named bindings, or a namespace. */
const IMPORT = /(?<![\w$.])import\s*((?:[\w$]+\s*,\s*)?\{[^}]*\}|[\w$]+|\*\s*as\s+[\w$]+)\s*from\s*"(node:[^"]+)";?/g;

/** `const` statements binding what an import `clause` binds, from `require(specifier)`. */
export function requireStatements(clause: string, specifier: string): string {
  const call = `__require_builtin(${JSON.stringify(specifier)})`;
  const namespace = /^\*\s*as\s+([\w$]+)$/.exec(clause);
  if (namespace) return `const ${namespace[1]}=${call};`;
  const named = /\{([^}]*)\}/.exec(clause);
  const byDefault = clause
    .replace(/\{[^}]*\}/, '')
    .replace(/,\s*$/, '')
    .trim();
  let statements = byDefault ? `const ${byDefault}=${call};` : '';
  if (named) {
    const bindings = named[1]!
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b !== '');
    const destructured: string[] = [];
    for (const binding of bindings) {
      const [imported, local = imported] = binding.split(/\s+as\s+/) as [string, string?];
      // `default` of a builtin is its module object, as with a default import.
      if (imported === 'default') statements += `const ${local}=${call};`;
      else destructured.push(imported === local ? local : `${imported}:${local}`);
    }
    if (destructured.length > 0) statements += `const{${destructured.join(',')}}=${call};`;
  }
  return statements;
}

/**
 * `source` (an ES module) with its imports of builtins turned into requires, hoisted to
 * the top as the imports were (so code before an import's place still sees its bindings).
 * Throws if an import of a builtin is left in a form it does not know, or if the number
 * rewritten is not `expected` (the bundler's own count), so a match inside a string
 * literal cannot go unnoticed.
 */
export function requireBuiltins(source: string, expected?: number): string {
  const hoisted: string[] = [];
  const body = source.replace(IMPORT, (_, clause: string, specifier: string) => {
    hoisted.push(requireStatements(clause.trim(), specifier));
    return '';
  });
  const left = /\bfrom\s*["']node:[^"']*["']|\bimport\s*["']node:/.exec(body);
  if (left) throw new Error(`requireBuiltins: an import of a builtin was not rewritten: ${left[0]}`);
  if (expected !== undefined && hoisted.length !== expected) {
    throw new Error(`requireBuiltins: rewrote ${hoisted.length} imports of builtins where the bundler wrote ${expected}`);
  }
  const preamble = 'import{createRequire as __createRequire}from"node:module";const __require_builtin=__createRequire(import.meta.url);';
  return `${preamble}\n${hoisted.join('')}\n${body}`;
}
