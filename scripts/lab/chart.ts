/**
 * docs/lab-chart.svg, hand-written SVG: per scenario a group of bars, one per peer
 * (median, with a p25–p75 whisker), the physical limit as a dashed line across the group.
 * Two panels: time to connected socket, time to TLS done. Log scale: the scenarios span
 * 40 ms to over a second.
 */
import type { Mode } from './peer-clients.js';
import { PEERS } from './peer-clients.js';
import { key, type LabResults } from './results.js';

const COLORS: Record<(typeof PEERS)[number], string> = { 'happy-eyeballs': '#1b7837', node: '#2166ac', python: '#e08214', curl: '#762a83' };
const W = 980;
const PANEL_H = 300;
const LEFT = 56;
const RIGHT = 12;
const TOP = 44;
const BOTTOM = 46;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** 1-2-5 ticks between lo and hi. */
function ticks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let decade = 10 ** Math.floor(Math.log10(lo)); decade <= hi; decade *= 10) {
    for (const m of [1, 2, 5]) if (m * decade >= lo && m * decade <= hi) out.push(m * decade);
  }
  return out;
}

function panel(results: LabResults, mode: Mode, y0: number, lo: number, hi: number): string[] {
  const plotW = W - LEFT - RIGHT;
  const plotH = PANEL_H - BOTTOM - 28;
  const top = y0 + 28;
  const y = (v: number): number => top + plotH - ((Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * plotH;
  const out: string[] = [];
  out.push(
    `<text x="${LEFT}" y="${y0 + 16}" class="title">${mode === 'tcp' ? 'Time to connected socket' : 'Time to TLS done'} (median ms, log scale; whiskers p25–p75; dashed: physical limit)</text>`,
  );
  for (const t of ticks(lo, hi)) {
    out.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" class="grid"/>`);
    out.push(`<text x="${LEFT - 6}" y="${(y(t) + 4).toFixed(1)}" class="tick">${t}</text>`);
  }
  const groupW = plotW / results.scenarios.length;
  const barW = (groupW * 0.8) / PEERS.length;
  results.scenarios.forEach((r, g) => {
    const gx = LEFT + g * groupW + groupW * 0.1;
    const limit = mode === 'tcp' ? r.limit.tcp : r.limit.tls;
    PEERS.forEach((peer, i) => {
      const s = r.spread[key(peer, mode)];
      if (!s || !Number.isFinite(s.median)) return;
      const x = gx + i * barW;
      const h = top + plotH - y(Math.max(s.median, lo));
      out.push(
        `<rect x="${(x + 1).toFixed(1)}" y="${y(Math.max(s.median, lo)).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[peer]}"><title>${esc(`${peer}, ${r.scenario.short.replace(/ \/ /g, ' ')}: median ${fmt(s.median)} ms, p25–p75 ${fmt(s.p25)}–${fmt(s.p75)}`)}</title></rect>`,
      );
      const cx = (x + barW / 2).toFixed(1);
      out.push(`<line x1="${cx}" x2="${cx}" y1="${y(Math.max(s.p25, lo)).toFixed(1)}" y2="${y(Math.min(s.p75, hi)).toFixed(1)}" class="whisker"/>`);
      out.push(`<text x="${cx}" y="${(y(Math.min(s.p75, hi)) - 3).toFixed(1)}" class="value">${fmt(s.median)}</text>`);
    });
    const ly = y(limit).toFixed(1);
    out.push(
      `<line x1="${(gx - 3).toFixed(1)}" x2="${(gx + groupW * 0.8 + 3).toFixed(1)}" y1="${ly}" y2="${ly}" class="limit"><title>physical limit ${limit} ms</title></line>`,
    );
    const label = r.scenario.short.split(' / ');
    label.forEach((line, k) =>
      out.push(`<text x="${(gx + groupW * 0.4).toFixed(1)}" y="${(top + plotH + 16 + k * 13).toFixed(1)}" class="label">${esc(line)}</text>`),
    );
  });
  return out;
}

export function renderChart(results: LabResults): string {
  const values = results.scenarios
    .flatMap((r) => [
      r.limit.tcp,
      r.limit.tls,
      ...PEERS.flatMap((p) =>
        (['tcp', 'tls'] as const).flatMap((m) => {
          const s = r.spread[key(p, m)];
          return s ? [s.p25, s.p75] : [];
        }),
      ),
    ])
    .filter((v) => Number.isFinite(v) && v > 0);
  // The largest 1-2-5 value under the smallest figure, so no panel starts far below its bars.
  const floor = Math.min(...values) / 1.15;
  const lo = ticks(10 ** Math.floor(Math.log10(floor)), floor).at(-1) ?? 10 ** Math.floor(Math.log10(floor));
  const hi = Math.max(...values) * 1.25;
  const H = TOP + 2 * PANEL_H;
  const legend = PEERS.map(
    (p, i) =>
      `<rect x="${LEFT + i * 150}" y="14" width="12" height="12" fill="${COLORS[p]}"/><text x="${LEFT + i * 150 + 17}" y="24" class="legend">${p}</text>`,
  ).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">
<style>
.title{font-size:13px;font-weight:600;fill:#222}.tick{font-size:11px;fill:#555;text-anchor:end}.label{font-size:11px;fill:#222;text-anchor:middle}
.value{font-size:9px;fill:#333;text-anchor:middle}.legend{font-size:12px;fill:#222}.grid{stroke:#ddd;stroke-width:1}
.whisker{stroke:#000;stroke-width:1.2;opacity:.55}.limit{stroke:#c00;stroke-width:1.5;stroke-dasharray:5 3}
</style>
<rect width="100%" height="100%" fill="#fff"/>
${legend}<line x1="${LEFT + 600}" x2="${LEFT + 630}" y1="20" y2="20" class="limit"/><text x="${LEFT + 636}" y="24" class="legend">physical limit</text>
${panel(results, 'tcp', TOP, lo, hi).join('\n')}
${panel(results, 'tls', TOP + PANEL_H, lo, hi).join('\n')}
</svg>
`;
}
