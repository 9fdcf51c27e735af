/**
 * glibc's getaddrinfo and our Resolver side by side (issue 13): every case of cases.ts
 * runs inside `unshare --mount --net`, where namespace-run.ts bind-mounts its own
 * resolv.conf, hosts, nsswitch.conf (`hosts: files dns`) and gai.conf over /etc and
 * starts logging DNS servers on loopback port 53. glibc is asked through probe.py
 * (Python's socket.getaddrinfo), we through `resolver.lookup` on the same files and
 * servers. Compared (compare.ts): the outcome class, the set of addresses (their order
 * too for the ordering cases), and the names asked in order with the types asked for each.
 *
 * A case marked `deliberate` must differ, and its reason must be a row of the README's
 * "Differences from getaddrinfo"; every other case must agree.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { unmet } from '../helpers/requirements.js';
import type { CaseResult, GlibcCase, Observed } from './case.js';
import { glibcCases } from './cases.js';

const skip = unmet(['root', 'unshare', 'python3', 'iproute2']);
const RUNNER = fileURLToPath(new URL('./namespace-run.js', import.meta.url));
const README = fileURLToPath(new URL('../../../README.md', import.meta.url));

/** The README section deliberate cases point at. */
function differencesSection(): string {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf('## Differences from getaddrinfo');
  const end = text.indexOf('\n## ', start + 1);
  return start === -1 ? '' : text.slice(start, end === -1 ? undefined : end);
}

function runAll(): Promise<CaseResult[]> {
  const outer = `${readlinkSync('/proc/self/ns/mnt')} ${readlinkSync('/proc/self/ns/net')}`;
  return new Promise((resolve, reject) => {
    // No coverage or loader flags for the runner: it is a harness, measured by its results.
    const { NODE_V8_COVERAGE: _coverage, NODE_OPTIONS: _options, ...env } = process.env;
    const child = spawn('unshare', ['--mount', '--net', process.execPath, RUNNER], {
      env: { ...env, HE_OUTER_NS: outer },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`namespace runner exited with ${code}: ${err}`));
      resolve(
        out
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as CaseResult),
      );
    });
  });
}

const sameSet = (a: string[], b: string[]): boolean => JSON.stringify([...new Set(a)].sort()) === JSON.stringify([...new Set(b)].sort());

function agrees(c: GlibcCase, glibc: Observed, ours: Observed): boolean {
  const addresses = c.order ? JSON.stringify(glibc.addresses) === JSON.stringify(ours.addresses) : sameSet(glibc.addresses, ours.addresses);
  return glibc.outcome === ours.outcome && addresses && JSON.stringify(glibc.steps) === JSON.stringify(ours.steps);
}

if (skip) {
  t.plan(0, skip);
} else {
  t.setTimeout(20 * 60_000);
  t.test('glibc 2.36 getaddrinfo and Resolver.lookup agree, case by case', async (t) => {
    t.ok(glibcCases.length >= 60, `${glibcCases.length} cases`);
    const results = await runAll();
    t.equal(results.length, glibcCases.length, 'every case ran');
    const section = differencesSection();
    let agreeing = 0;
    for (const c of glibcCases) {
      const r = results.find((result) => result.name === c.name);
      if (!r || r.harnessError) {
        t.fail(`${c.name}: ${r?.harnessError ?? 'no result'}`);
        continue;
      }
      const same = agrees(c, r.glibc, r.ours);
      if (same) agreeing++;
      const detail = { glibc: r.glibc, ours: r.ours };
      if (c.deliberate === undefined) {
        t.ok(same, c.name, same ? {} : { diagnostic: true, ...detail });
      } else {
        t.notOk(same, `${c.name}: differs on purpose (${c.deliberate})`, same ? { diagnostic: true, ...detail } : {});
        t.ok(section.includes(c.deliberate), `README "Differences from getaddrinfo" names "${c.deliberate}"`);
      }
    }
    t.comment(`cases agreeing / cases run: ${agreeing} / ${results.length}`);
  });
}
