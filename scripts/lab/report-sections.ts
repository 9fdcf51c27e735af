/**
 * Sections that other lab runs add to docs/lab-report.md (the NAT64 lab, the history run),
 * each between `<!-- section:NAME -->` and `<!-- /section:NAME -->`: a run replaces its own
 * section, and bench-lab.ts keeps them when it rewrites the report's main part.
 */
const pattern = (name: string): RegExp => new RegExp(`\\n*<!-- section:${name} -->[\\s\\S]*?<!-- /section:${name} -->\\n?`);

/** `text` with section `name` set to `body` (replaced where it was, else appended). */
export function spliceSection(text: string, name: string, body: string): string {
  const block = `\n\n<!-- section:${name} -->\n${body.trim()}\n<!-- /section:${name} -->\n`;
  return pattern(name).test(text) ? text.replace(pattern(name), block) : `${text.trimEnd()}${block}`;
}

/** Every marked section of `text`, in order, ready to append to a rewritten report. */
export function sectionsOf(text: string): string {
  const found = text.match(/<!-- section:([\w-]+) -->[\s\S]*?<!-- \/section:\1 -->/g) ?? [];
  return found.map((s) => `\n${s}\n`).join('');
}
