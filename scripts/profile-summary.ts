/**
 * A `.cpuprofile` (node --cpu-prof) as text: the functions with the most self time, and
 * (`--inclusive`) the most time with their callees, as shares of the sampled time. The
 * summaries in docs/profiles/ are made with it, so a profile can be read without a viewer.
 *
 *   node build/scripts/profile-summary.js FILE.cpuprofile [--top 40] [--inclusive] [--per N]
 *   (--per N: also milliseconds per operation, for a profile of N operations)
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

/** `name file:line`, the file shortened to where it is in this repository or in Node. */
function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^file:\/\//, '').replace(/^.*\/(build|node_modules)\//, '');
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

export function summarize(profile: Profile): { totalUs: number; self: Map<string, number>; inclusive: Map<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const perNode = new Map<number, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    perNode.set(id, (perNode.get(id) ?? 0) + dt);
    totalUs += dt;
  });
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of perNode) {
    const own = label(byId.get(id)!);
    self.set(own, (self.get(own) ?? 0) + us);
    // Each function once per stack, however deep its recursion.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = label(byId.get(at)!);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  return { totalUs, self, inclusive };
}

function main(argv: string[]): void {
  const file = argv.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
  if (!file) throw new Error('usage: profile-summary.js FILE.cpuprofile [--top 40] [--inclusive] [--per N]');
  const top = numberArg(argv, '--top', 40);
  const per = numberArg(argv, '--per', 0);
  const { totalUs, self, inclusive } = summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const show = (title: string, m: Map<string, number>): void => {
    console.log(`\n${title} (of ${(totalUs / 1000).toFixed(0)} ms sampled${per ? `, ${per} operations` : ''})`);
    for (const [name, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      const share = `${((100 * us) / totalUs).toFixed(1).padStart(5)}%`;
      console.log(per ? `${share} ${(us / per).toFixed(1).padStart(7)} µs/op  ${name}` : `${share}  ${name}`);
    }
  };
  show('self time', self);
  if (argv.includes('--inclusive')) show('inclusive time', inclusive);
}

main(process.argv.slice(2));
