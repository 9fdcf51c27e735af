/**
 * The package entry's builtins are required, not imported (scripts/build-lib/require-builtins.ts):
 * every form esbuild writes is rewritten and hoisted, the bindings are Node's own objects,
 * and a form it does not know stops the build instead of shipping an import.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { requireBuiltins, requireStatements } from '../../scripts/build-lib/require-builtins.js';

t.test('each import clause becomes const bindings of the required module', async (t) => {
  const call = (s: string) => `__require_builtin(${JSON.stringify(s)})`;
  t.equal(requireStatements('net', 'node:net'), `const net=${call('node:net')};`, 'default');
  t.equal(requireStatements('{ isIP, isIPv4 as v4 }', 'node:net'), `const{isIP,isIPv4:v4}=${call('node:net')};`, 'named, renamed');
  t.equal(
    requireStatements('{ default as net2, isIP }', 'node:net'),
    `const net2=${call('node:net')};const{isIP}=${call('node:net')};`,
    'a named default is the module',
  );
  t.equal(requireStatements('* as os', 'node:os'), `const os=${call('node:os')};`, 'namespace');
  t.equal(requireStatements('dgram, { createSocket }', 'node:dgram'), `const dgram=${call('node:dgram')};const{createSocket}=${call('node:dgram')};`, 'both');
});

t.test('a bundle: imports anywhere in the text are hoisted as requires; others stay; the result runs', async (t) => {
  // As esbuild writes a whitespace-minified bundle: imports between the modules' code.
  const source =
    'const early=()=>isIP("::1");import net from"node:net";import{CancelError}from"p-cancelable";' +
    'var x=1;import{isIP,isIPv4 as v4}from"node:net";import*as os from"node:os";export{early,net,v4,os,x};';
  const out = requireBuiltins(source);
  t.notMatch(out, /from\s*"node:net"|from\s*"node:os"/, 'no import of a builtin is left');
  t.match(out, 'import{CancelError}from"p-cancelable"', 'a package import is left alone');
  t.ok(out.indexOf('__require_builtin("node:net")') < out.indexOf('const early'), 'the requires come before the code, as imports are hoisted');

  const dir = await mkdtemp(join(tmpdir(), 'he-require-builtins-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'bundle.mjs');
  // p-cancelable cannot be resolved from a temporary directory: the runnable copy leaves it out.
  await writeFile(file, out.replace('import{CancelError}from"p-cancelable";', ''));
  const m = (await import(pathToFileURL(file).href)) as { early: () => number; net: typeof net; v4: typeof net.isIPv4; os: { hostname: unknown } };
  t.equal(m.net, net, "the default binding is node:net's module object");
  t.equal(m.v4, net.isIPv4, 'a named binding is the function itself');
  t.equal(m.early(), 6, 'code before the import sees the binding');
  t.type(m.os.hostname, 'function', 'a namespace binding');
});

t.test('an import of a builtin in a form it does not rewrite stops the build', async (t) => {
  t.throws(() => requireBuiltins('import"node:net";'), /not rewritten: import"node:/, 'a bare import (side effects only)');
  t.throws(() => requireBuiltins('export{isIP}from"node:net";'), /not rewritten: from"node:net"/, 'a re-export');
  t.throws(() => requireBuiltins("import net from 'node:net';"), /not rewritten: from 'node:net'/, 'single quotes');
  // A string that looks like an import is rewritten by the pattern: the bundler's count tells.
  const looksLike = 'import net from "node:net";const s=`;import os from"node:os";`;';
  t.throws(() => requireBuiltins(looksLike, 1), /rewrote 2 imports of builtins where the bundler wrote 1/, 'more rewritten than the bundler wrote');
  t.doesNotThrow(() => requireBuiltins(looksLike.replace(/const s=.*$/, ''), 1), 'the count agrees');
});
