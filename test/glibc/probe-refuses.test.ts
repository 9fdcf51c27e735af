/**
 * Outside its private namespace getaddrinfo would ask the machine's real nameserver, and
 * the runner's bind mounts would cover the machine's own files: both refuse to start.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { unmet } from '../helpers/requirements.js';

const PROBE = fileURLToPath(new URL('../../../test/glibc/probe.py', import.meta.url));
const RUNNER = fileURLToPath(new URL('./namespace-run.js', import.meta.url));
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const here = `${readlinkSync('/proc/self/ns/mnt')} ${readlinkSync('/proc/self/ns/net')}`;

const skip = unmet(['python3']);
t.test('the probe refuses outside its namespace, before any lookup', { skip }, async (t) => {
  for (const env of [{}, { HE_OUTER_NS: here }]) {
    const run = spawnSync(PYTHON, [PROBE, JSON.stringify([{ host: 'localhost' }])], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    t.equal(run.status, 3, JSON.stringify(env));
    t.match(JSON.parse(run.stdout), { refused: /sentinel/ });
  }
});

t.test('the runner refuses unless its mount and network namespaces are new', async (t) => {
  for (const env of [{}, { HE_OUTER_NS: here }]) {
    // A bare environment: no coverage or loader flags (the runner is a harness, not under test).
    const run = spawnSync(process.execPath, [RUNNER, 'no case'], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    t.not(run.status, 0, JSON.stringify(env));
    t.match(run.stderr, /refusing to run: the mnt namespace is not a private one/);
    t.equal(run.stdout, '', 'no case ran');
  }
});
