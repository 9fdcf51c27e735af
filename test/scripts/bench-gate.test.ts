/** The benchmark gate (scripts/bench-lib/gate.ts, metrics.ts): targets met or missed, regressions against a baseline. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { collect, gate, readBaseline, saveBaseline, suspects } from '../../scripts/bench-lib/gate.js';
import { meetsTarget, readMetrics, regression, targetMetrics, writeMetrics } from '../../scripts/bench-lib/metrics.js';

t.test('targets: met and MISSED in both directions; metrics without a target only when they regressed', async (t) => {
  const all = collect([
    {
      name: 'lookup',
      results: {
        metrics: [
          { name: 'ratio', value: 1.3, unit: 'x', better: 'higher', target: 1.2 },
          { name: 'rate', value: 100, unit: 'lookups/s', better: 'higher' },
        ],
      },
    },
    { name: 'import', results: { metrics: [{ name: 'import-ms', value: 30, unit: 'ms', better: 'lower', target: 25 }] } },
    { name: 'old', results: { targets: [] } },
    { name: 'failed' },
  ]);
  t.same(
    all.map((b) => b.bench),
    ['lookup', 'import'],
    'only benchmarks that wrote metrics',
  );
  const none = gate(all, {}, 'quick');
  t.same([none.missed, none.regressed], [1, 0]);
  t.match(none.lines.join('\n'), /met {4}lookup: ratio 1\.300×; target >= 1\.200×\n {2}MISSED import: import-ms 30\.0 ms; target <= 25\.0 ms$/);
  const baseline = { quick: { date: '', node: '', benchmarks: { lookup: { rate: { value: 120, unit: 'lookups/s', better: 'higher' as const } } } } };
  const worse = gate(all, baseline, 'quick');
  t.equal(worse.regressed, 1, '100 vs 120 lookups/s is 17 % worse');
  t.match(worse.lines.join('\n'), /lookup: rate 100 lookups\/s; baseline 120 lookups\/s; REGRESSION: 17 % worse/);
  t.equal(gate(all, baseline, 'full').regressed, 0, 'another mode has its own baseline');
  const within = { quick: { date: '', node: '', benchmarks: { lookup: { rate: { value: 110, unit: 'lookups/s', better: 'higher' as const } } } } };
  t.equal(gate(all, within, 'quick').regressed, 0, '9 % worse is within the limit');
});

t.test('a metric past the limit is a regression only if the rerun of its benchmark is past it too', async (t) => {
  const run = (rate: number, ratio = 1.3) =>
    collect([
      {
        name: 'lookup',
        results: {
          metrics: [
            { name: 'ratio', value: ratio, unit: 'x', better: 'higher', target: 1.2 },
            { name: 'rate', value: rate, unit: 'lookups/s', better: 'higher' },
          ],
        },
      },
      { name: 'import', results: { metrics: [{ name: 'import-ms', value: 30, unit: 'ms', better: 'lower' }] } },
    ]);
  const baseline = {
    quick: {
      date: '',
      node: '',
      benchmarks: {
        lookup: { rate: { value: 120, unit: 'lookups/s', better: 'higher' as const } },
        import: { 'import-ms': { value: 29, unit: 'ms', better: 'lower' as const } },
      },
    },
  };
  t.same(suspects(run(100), baseline, 'quick'), ['lookup'], 'only the benchmark past the limit is run again');
  t.same(suspects(run(115), baseline, 'quick'), [], 'none past it: no rerun');
  t.same(suspects(run(100), baseline, 'full'), [], 'no baseline for the mode: nothing to compare, no rerun');
  t.same(
    suspects(collect([{ name: 'new', results: { metrics: [{ name: 'rate', value: 1, unit: 'x', better: 'higher' }] } }]), baseline, 'quick'),
    [],
    'a benchmark the baseline does not know',
  );
  const noise = gate(run(100), baseline, 'quick', run(118));
  t.equal(noise.regressed, 0, '17 % worse, then 2 %: noise');
  t.match(noise.lines.join('\n'), /lookup: rate 100 lookups\/s; baseline 120 lookups\/s; 17 % worse than the baseline, 2 % in the rerun: not reproduced/);
  const real = gate(run(100), baseline, 'quick', run(96));
  t.equal(real.regressed, 1, 'worse in both runs');
  t.match(real.lines.join('\n'), /REGRESSION: 17 % worse than the baseline, 20 % in the rerun/);
  const without = collect([{ name: 'lookup', results: { metrics: [{ name: 'ratio', value: 1.3, unit: 'x', better: 'higher' }] } }]);
  const lost = gate(run(100), baseline, 'quick', without);
  t.equal(lost.regressed, 0, 'a rerun that no longer writes the metric does not confirm it');
  t.match(lost.lines.join('\n'), /not measured by the rerun: not reproduced/);
  const failed = gate(run(100), baseline, 'quick', collect([{ name: 'lookup' }]));
  t.equal(failed.regressed, 1, 'a rerun that failed (no metrics at all) cannot clear it');
  t.equal(gate(run(100), baseline, 'quick', run(118, 1.1)).missed, 0, 'targets are judged on the first run (the rerun would miss this one)');
});

t.test('regression and meetsTarget', async (t) => {
  t.equal(regression({ name: 'a', value: 90, unit: 'x', better: 'higher' }, 100).toFixed(2), '0.10');
  t.equal(regression({ name: 'a', value: 110, unit: 'ms', better: 'lower' }, 100).toFixed(2), '0.10');
  t.equal(regression({ name: 'a', value: 120, unit: 'x', better: 'higher' }, 100), 0, 'better is no regression');
  t.equal(regression({ name: 'a', value: 1, unit: 'x', better: 'higher' }, 0), 0, 'no baseline value');
  t.equal(meetsTarget({ name: 'a', value: 1, unit: 'x', better: 'higher' }), undefined);
  t.equal(meetsTarget({ name: 'a', value: 1.2, unit: 'x', better: 'higher', target: 1.2 }), true);
  t.equal(meetsTarget({ name: 'a', value: 1.2, unit: 'x', better: 'lower', target: 1.15 }), false);
});

t.test('readMetrics drops malformed entries; targetMetrics reads goals from fields or text', async (t) => {
  t.same(readMetrics(undefined), []);
  t.same(readMetrics({ metrics: 'no' }), []);
  t.same(readMetrics({ metrics: [{ name: 'a', value: '1', unit: 'x', better: 'higher' }, null, { name: 'b', value: 1, unit: 'x', better: 'up' }] }), []);
  t.same(targetMetrics('connect', [{ what: 'both healthy: ours / net.connect IP, target ≤ 1.15×', value: 1.3 }]), [
    { name: 'connect: both healthy: ours / net.connect IP', value: 1.3, unit: 'x', better: 'lower', target: 1.15 },
  ]);
  t.same(targetMetrics('connect', [{ what: 'slow AAAA: node / ours, target ≥ 10×', value: 12 }])[0], {
    name: 'connect: slow AAAA: node / ours',
    value: 12,
    unit: 'x',
    better: 'higher',
    target: 10,
  });
  t.same(targetMetrics('lab', [{ scenario: 'healthy', what: 'tcp: ours / best peer', value: 0.9, goal: 1, direction: 'max' }])[0], {
    name: 'lab: healthy: tcp: ours / best peer',
    value: 0.9,
    unit: 'x',
    better: 'lower',
    target: 1,
  });
  t.notOk('target' in targetMetrics('x', [{ what: 'no goal', value: 1 }])[0]!, 'no goal stated: no target');
});

t.test('the baseline file: written per mode, read back, other benchmarks kept', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'he-gate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'baseline.json');
  t.same(readBaseline(file), {}, 'none yet');
  saveBaseline(file, 'quick', 'v20', [{ bench: 'lookup', metrics: [{ name: 'rate', value: 1, unit: 'lookups/s', better: 'higher' }] }]);
  saveBaseline(file, 'quick', 'v20', [{ bench: 'import', metrics: [{ name: 'import-ms', value: 2, unit: 'ms', better: 'lower' }] }]);
  const saved = readBaseline(file);
  t.same(Object.keys(saved.quick!.benchmarks).sort(), ['import', 'lookup']);
  t.same(saved.quick!.benchmarks.import, { 'import-ms': { value: 2, unit: 'ms', better: 'lower' } });
  const out = join(dir, 'metrics.json');
  writeMetrics(
    out,
    [
      { name: 'a', value: Number.NaN, unit: 'x', better: 'higher' },
      { name: 'b', value: 1, unit: 'x', better: 'higher' },
    ],
    { benchmark: 'x' },
  );
  t.same(JSON.parse(readFileSync(out, 'utf8')), { benchmark: 'x', metrics: [{ name: 'b', value: 1, unit: 'x', better: 'higher' }] }, 'NaN dropped');
});
