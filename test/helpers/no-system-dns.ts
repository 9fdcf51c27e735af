/**
 * Makes the system resolver (`dns.lookup`, `dns.promises.lookup`, which ask the
 * nameserver in /etc/resolv.conf) fail for the rest of the test file, so a client that
 * resolves a name behind our back fails its test instead of sending a query off the
 * machine. Node's net, tls and http read `dns.lookup` at call time, so they see it too.
 */
import dns from 'node:dns';
import net from 'node:net';
import type { Test } from 'tap';

export function forbidSystemDns(t: Pick<Test, 'fail' | 'teardown'>): void {
  const { lookup } = dns;
  const promisesLookup = dns.promises.lookup;
  const refuse = (hostname: unknown): Error => {
    t.fail(`the system resolver was asked for ${String(hostname)}`);
    return Object.assign(new Error(`system DNS is off in this test (${String(hostname)})`), { code: 'ESYSTEMDNS' });
  };
  // An IP literal is answered without a query; Node's net asks for one now and then.
  dns.lookup = ((hostname: string, ...rest: unknown[]) => {
    if (net.isIP(hostname)) return (lookup as (...a: unknown[]) => void)(hostname, ...rest);
    const callback = rest.at(-1) as (err: Error) => void;
    process.nextTick(callback, refuse(hostname));
  }) as typeof dns.lookup;
  dns.promises.lookup = ((hostname: string, ...rest: unknown[]) =>
    net.isIP(hostname) ? (promisesLookup as (...a: unknown[]) => unknown)(hostname, ...rest) : Promise.reject(refuse(hostname))) as typeof dns.promises.lookup;
  t.teardown(() => {
    dns.lookup = lookup;
    dns.promises.lookup = promisesLookup;
  });
}
