/**
 * A real redis-server (Debian package "redis-server") as the `serve` of a TCP world:
 * started on the world's addresses and port, with nothing saved to disk; with `tls`, TLS
 * only, with the test certificate (clients are not asked for one). Tests skip with
 * `unmet(['redis'])` when it is not installed.
 */
import { fileURLToPath } from 'node:url';
import { findProgram } from '../../scripts/harness/find-program.js';
import { startProcess, stopChild, untilAccepting } from './server-process.js';
import type { Serve } from './tcp-world.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/tls/${name}`, import.meta.url));

export function redisServer(options: { tls?: boolean } = {}): Serve {
  return async (hosts, port) => {
    const ports = options.tls
      ? [
          '--port',
          '0',
          '--tls-port',
          String(port),
          '--tls-cert-file',
          fixture('server.pem'),
          '--tls-key-file',
          fixture('server-key.pem'),
          '--tls-ca-cert-file',
          fixture('ca.pem'),
          '--tls-auth-clients',
          'no',
        ]
      : ['--port', String(port)];
    const args = [...ports, '--bind', hosts.join(' '), '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'notice'];
    const child = startProcess(findProgram('redis-server')!, args);
    try {
      // Its own word, not just a connect: another process may hold the port.
      await untilAccepting(child, hosts, port, 'redis-server', /Ready to accept connections/);
    } catch (err) {
      await stopChild(child, 'SIGTERM');
      throw err;
    }
    return () => stopChild(child, 'SIGTERM');
  };
}
