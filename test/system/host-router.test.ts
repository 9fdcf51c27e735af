import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostRouter } from '../../lib/system/host-router.js';
import { NsswitchFile } from '../../lib/system/nsswitch.js';
import { ManualClock } from '../helpers/manual-clock.js';

t.test('HostRouter: no route at once before the first check; the host name re-read at most once a second', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'he-i14-router-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'nsswitch.conf');
  writeFileSync(path, 'hosts: files myhostname dns\n');
  const clock = new ManualClock();
  let name = 'Alpha';
  let reads = 0;
  const router = new HostRouter({
    backend: 'auto', platform: 'linux', serversGiven: false, resolvedStub: false, splitDomains: new Map(), clock,
    nsswitch: new NsswitchFile({ path, clock }),
    hostname: () => (reads++, name),
  });
  t.equal(router.peek('alpha'), null, 'not checked yet: the caller takes the slow path');
  t.equal((await router.route('ALPHA.')).reason, 'myhostname', 'the host name, canonical');
  t.equal(router.peek('alpha')?.reason, 'myhostname');
  name = 'beta';
  t.equal((await router.route('beta')).reason, 'files-dns', 'within the second: the old name');
  t.equal(reads, 1);
  clock.advance(1000);
  t.equal((await router.route('beta')).reason, 'myhostname');
  t.equal(router.peek('alpha')?.reason, 'files-dns');
  t.equal(reads, 2);
});

t.test('HostRouter without nsswitch.conf: os.hostname by default, the plan of the options', async (t) => {
  const router = new HostRouter({
    backend: 'system', platform: 'linux', serversGiven: false, resolvedStub: false, splitDomains: new Map(), clock: new ManualClock(), nsswitch: undefined,
  });
  t.equal((await router.route('www.example.com')).backend, 'system');
  t.equal(router.peek('www.example.com')?.reason, 'backend');
});
