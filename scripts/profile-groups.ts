/**
 * A text summary of a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with the
 * most self time, and the share of the samples spent in each file group (ours, dns-packet,
 * node internals, GC, idle), and the inclusive time of the library's and node:dgram's
 * functions. Small enough to commit under docs/profiles/ where the profile itself is too large.
 *
 *   node build/scripts/profile-groups.js FILE.cpuprofile [--top 30]
 */
import { readFileSync } from 'node:fs';
import { numberArg } from './bench-lib/print.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const argv = process.argv.slice(2);
const file = argv.find((a) => a.endsWith('.cpuprofile'));
if (!file) throw new Error('usage: profile-summary.js FILE.cpuprofile [--top 30]');
const top = numberArg(argv, '--top', 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}

function shortUrl(url: string): string {
  const at = url.search(/\/(build|node_modules)\//);
  return at >= 0 ? url.slice(at + 1) : url.replace(/^file:\/\//, '');
}

function group(url: string, name: string): string {
  if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') return name;
  if (url.includes('/node_modules/dns-packet/')) return 'dns-packet';
  if (url.includes('/build/lib/')) return 'lib';
  if (url.includes('/build/scripts/')) return 'benchmark';
  if (url.startsWith('node:')) return 'node internals';
  return url === '' ? 'native/other' : 'other';
}

const functions = new Map<string, number>();
const groups = new Map<string, number>();
let total = 0;
let busy = 0;
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const name = functionName || '(anonymous)';
  const key = `${name}  ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ''}`;
  functions.set(key, (functions.get(key) ?? 0) + us);
  const g = group(url, name);
  groups.set(g, (groups.get(g) ?? 0) + us);
  total += us;
  if (g !== '(idle)') busy += us;
}

// Inclusive time: each sample counts once for every function on its stack.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const { functionName, url, lineNumber } = byId.get(cur)!.callFrame;
    if (!url.includes('/build/lib/') && !url.startsWith('node:dgram')) continue;
    const key = `${functionName || '(anonymous)'}  ${shortUrl(url)}:${lineNumber + 1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}

const pct = (us: number, of: number): string => `${((100 * us) / of).toFixed(1).padStart(5)} %`;
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled, ${(busy / 1000).toFixed(0)} ms not idle (shares below are of that)`);
console.log('\nby group (self time):');
for (const [g, us] of [...groups].filter(([g]) => g !== '(idle)').sort((a, b) => b[1] - a[1])) {
  console.log(`  ${pct(us, busy)}  ${g}`);
}
console.log(`\ntop ${top} functions by self time:`);
for (const [key, us] of [...functions]
  .filter(([k]) => !k.startsWith('(idle)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top)) {
  console.log(`  ${pct(us, busy)}  ${key}`);
}
console.log(`\ntop ${top} functions of lib/ and node:dgram by inclusive time (callees included):`);
for (const [key, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`  ${pct(us, busy)}  ${key}`);
}
