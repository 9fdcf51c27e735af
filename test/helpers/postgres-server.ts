/**
 * A real PostgreSQL server (Debian package "postgresql") for the interop tests: one
 * cluster made by initdb in a temp dir (trust authentication, TLS with the test
 * certificate, no fsync), then started as the `serve` of a TCP world on its addresses
 * and port. PostgreSQL refuses to run as root: as root it runs as the user "postgres".
 * Tests skip with `unmet(['postgres'])` when it is not installed.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { postgresBinDir } from './requirements.js';
import { startProcess, stopChild, untilAccepting } from './server-process.js';
import type { Serve } from './tcp-world.js';

const fixture = (name: string): URL => new URL(`../../../fixtures/tls/${name}`, import.meta.url);

/** uid and gid to run PostgreSQL as: "postgres" when we are root, else ourselves. */
function runAs(): { uid: number; gid: number } | undefined {
  /* c8 ignore next -- the suite runs as root here and in CI */
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Makes a cluster (removed when `t` ends) and gives the `serve` that starts it. */
export function postgresCluster(t: Test): Serve {
  const bin = postgresBinDir()!;
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'he-i16-pg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  if (user) chownSync(dir, user.uid, user.gid);
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '--auth=trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'], { ...user, encoding: 'utf8' });
  /* c8 ignore next */
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  for (const [from, to] of [
    ['server.pem', 'server.crt'],
    ['server-key.pem', 'server.key'],
  ] as const) {
    copyFileSync(fixture(from), join(data, to));
    chmodSync(join(data, to), 0o600);
    if (user) chownSync(join(data, to), user.uid, user.gid);
  }
  appendFileSync(
    join(data, 'postgresql.conf'),
    `\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nunix_socket_directories = '${dir}'\nfsync = off\nlog_min_messages = warning\n`,
  );
  return async (hosts, port) => {
    const args = ['-D', data, '-p', String(port), '-c', `listen_addresses=${hosts.join(',')}`];
    const child = startProcess(join(bin, 'postgres'), args, { ...user });
    // PostgreSQL starts on the addresses it could bind and only warns about the others.
    let bindFailed = '';
    child.stderr!.on('data', (chunk: Buffer) => (bindFailed ||= /could not bind/.test(String(chunk)) ? String(chunk) : ''));
    try {
      await untilAccepting(child, hosts, port, 'postgres', /ready to accept connections/);
      /* c8 ignore next */
      if (bindFailed) throw new Error(bindFailed);
    } catch (err) {
      await stopChild(child, 'SIGINT');
      throw err;
    }
    return () => stopChild(child, 'SIGINT');
  };
}
