/**
 * Says once what this machine lacks for the tests that need real servers or root, and
 * how to get it; those tests are skipped meanwhile. Under HE_REQUIRE_ALL=1 (set by
 * .ci/run, which installs everything) a missing requirement fails here and in the tests
 * that need it.
 */
import t from 'tap';
import { findProgram } from '../scripts/harness/find-program.js';
import { requireAll, requirements, unmet, type Requirement } from './helpers/requirements.js';

t.test('what this machine lacks, and how to get it', async (t) => {
  const missing = Object.values(requirements as Record<string, Requirement>).filter((r) => !r.present());
  if (missing.length > 0) {
    t.comment(`Tests needing these are skipped: ${missing.map((r) => r.what).join(', ')}.`);
    const packages = missing.filter((r) => r.install.startsWith('apt-get install ')).map((r) => r.install.slice('apt-get install '.length));
    const other = missing.filter((r) => !r.install.startsWith('apt-get install ')).map((r) => r.install);
    const how = [...(packages.length > 0 ? [`apt-get install ${[...new Set(packages)].join(' ')}`] : []), ...new Set(other)];
    t.comment(`Get them: ${how.join('; ')} (or run .ci/run as root, which installs them all).`);
  }
  t.equal(requireAll() ? missing.length : 0, 0, requireAll() ? 'HE_REQUIRE_ALL=1: every requirement is met' : 'missing requirements only skip tests');
});

t.test('unmet: false when met, a reason when not, a failure under HE_REQUIRE_ALL=1', async (t) => {
  const table: Record<string, Requirement> = {
    here: { what: 'here', install: 'nothing', present: () => true },
    gone: { what: 'gone (Debian package "gone")', install: 'apt-get install gone', present: () => false },
  };
  type Id = Parameters<typeof unmet>[0][number];
  t.equal(unmet(['here'] as unknown as Id[], table, {}), false);
  t.equal(unmet(['here', 'gone'] as unknown as Id[], table, {}), 'needs gone (Debian package "gone"); see test/requirements.test.ts');
  t.throws(() => unmet(['gone'] as unknown as Id[], table, { HE_REQUIRE_ALL: '1' }), /HE_REQUIRE_ALL=1 but missing: gone .*apt-get install gone/);
  t.equal(requireAll({ HE_REQUIRE_ALL: '1' }), true);
  t.equal(requireAll({}), false);
});

t.test('findProgram searches absolute directories only', async (t) => {
  t.equal(findProgram('node', [process.execPath.replace(/\/node$/, '')]), process.execPath);
  t.equal(findProgram('node', ['relative/bin', '/nonexistent']), undefined);
  t.type(findProgram('sh'), 'string', 'PATH and the sbin directories are searched by default');
});
