import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostRouter } from '../../lib/system/host-router.js';
import { NsswitchFile } from '../../lib/system/nsswitch.js';
import { ManualClock } from '../helpers/manual-clock.js';

t.test('HostRouter: nsswitch.conf and the host name checked at most once a second, on route()', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'he-i14-router-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'nsswitch.conf');
  writeFileSync(path, 'hosts: files myhostname dns\n');
  const clock = new ManualClock();
  let name = 'Alpha';
  let reads = 0;
  const router = new HostRouter({
    backend: 'auto',
    platform: 'linux',
    serversGiven: false,
    resolvedStub: false,
    splitDomains: new Map(),
    clock,
    nsswitch: new NsswitchFile({ path, clock }),
    hostname: () => (reads++, name),
  });
  t.equal(router.peek('alpha').reason, 'files-dns', 'before start: files then DNS');
  await router.start();
  t.equal(reads, 1);
  const sync = router.route('ALPHA.');
  t.notOk(sync instanceof Promise, 'no check due: the route at once');
  t.equal((sync as Awaited<typeof sync>).reason, 'myhostname', 'the host name, canonical');
  t.equal(router.peek('alpha').reason, 'myhostname');
  name = 'beta';
  writeFileSync(path, 'hosts: files myhostname mdns4_minimal dns\n');
  t.equal((await router.route('beta')).reason, 'files-dns', 'within the second: the old name');
  t.equal(reads, 1);
  clock.advance(1000);
  const checks = [router.route('beta'), router.route('x.local')];
  t.ok(
    checks.every((c) => c instanceof Promise),
    'a check is due: both wait for it',
  );
  t.same(
    (await Promise.all(checks)).map((r) => r.reason),
    ['myhostname', 'mdns'],
  );
  t.equal(router.peek('alpha').reason, 'files-dns');
  t.equal(reads, 2, 'one check for both');
  clock.advance(1000);
  t.equal((await router.route('beta')).reason, 'myhostname', 'nothing changed: the same plan');
  t.equal(reads, 3);
});

t.test('HostRouter without nsswitch.conf: os.hostname by default, the plan of the options', async (t) => {
  const router = new HostRouter({
    backend: 'system',
    platform: 'linux',
    serversGiven: false,
    resolvedStub: false,
    splitDomains: new Map(),
    clock: new ManualClock(),
    nsswitch: undefined,
  });
  t.equal((await router.route('www.example.com')).backend, 'system');
  t.equal(router.peek('www.example.com').reason, 'backend');
});
