/**
 * Real NSS modules from Debian answer through the system backend exactly as getaddrinfo
 * does, and the names they own are never sent to the unicast DNS server (RFC 6762 §22
 * for `.local`). Each run is a child in private network/mount/UTS namespaces with the
 * test's nsswitch.conf (test/helpers/nss-namespace.ts).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { NS_HOSTNAME, runNssChild } from '../helpers/nss-namespace.js';
import { unmet } from '../helpers/requirements.js';

const namespaces = ['root', 'unshare', 'iproute2', 'ipv6'] as const;

t.test(
  'nss-myhostname (hosts: files myhostname dns): the host name and _gateway as getaddrinfo gives them, no DNS query',
  { skip: unmet([...namespaces, 'nssMyhostname']) },
  async (t) => {
    const r = await runNssChild(t, { scenario: 'myhostname', hosts: 'files myhostname dns', timeoutMs: 60_000 });
    t.equal(r.hostname, NS_HOSTNAME);
    const self = r[NS_HOSTNAME] as { gai: string[]; ours: string[] };
    t.ok(
      Array.isArray(self.gai) && self.gai.includes('4 198.18.0.2') && self.gai.includes('6 2001:db8:14::2'),
      'getaddrinfo: the interface addresses (nss-myhostname)',
    );
    t.same(self.ours, self.gai, 'lookup(os.hostname()) gives what getaddrinfo gives');
    const gateway = r._gateway as { gai: string[]; ours: string[] };
    t.same(gateway.gai, ['4 198.18.0.1', '6 2001:db8:14::1'], "getaddrinfo: the default routes' gateways");
    t.same(gateway.ours, gateway.gai, 'lookup(_gateway) gives what getaddrinfo gives');
    t.same(r.askedOfDns, [], 'the fake upstream server saw no query for them');
    t.same(r.askedAfterControl, ['www.he.test A', 'www.he.test AAAA'], 'an ordinary name still goes to user-space DNS, to that same server');
    t.same(r.control, ['4 192.0.2.80']);
    t.same(r.stats, { systemQueries: 4 }, 'two names, two families each');
    t.equal(r.dnsOnly, 'EREFUSED', "backend 'dns' for contrast: DNS does not know the host name");
  },
);

t.test(
  'nss-mdns with avahi (hosts: files mdns4_minimal [NOTFOUND=return] dns): .local answered by the system, never asked of the unicast server',
  { skip: unmet([...namespaces, 'nssMdns', 'avahi']) },
  async (t) => {
    const r = await runNssChild(t, {
      scenario: 'mdns',
      hosts: 'files mdns4_minimal [NOTFOUND=return] dns',
      avahiHosts: '198.18.0.7 printer.local\n',
      timeoutMs: 90_000,
    });
    t.equal(r.ready, true, 'avahi-daemon answered in the namespace');
    t.same(r.printer, { gai: ['4 198.18.0.7'], ours: ['4 198.18.0.7'] }, 'a name avahi publishes');
    t.same(r.self, { gai: ['4 198.18.0.2'], ours: ['4 198.18.0.2'] }, `${NS_HOSTNAME}.local, avahi's own name`);
    t.equal(r.missing, 'ENOTFOUND', 'a .local name nobody has: mDNS says no, and that is the answer');
    // nss-mdns itself asks unicast DNS for a `local` SOA (its check for a unicast .local zone): getaddrinfo does that too.
    const leaked = (r.askedAfterControl as string[]).filter((q) => q !== 'local SOA' && / /.test(q) && q.split(' ')[0]!.endsWith('.local'));
    t.same(leaked, [], 'no .local name was asked of the unicast server');
    t.same(
      (r.askedAfterControl as string[]).filter((q) => q.startsWith('www.')),
      ['www.he.test A', 'www.he.test AAAA'],
      'ordinary names still go to user-space DNS',
    );
    t.same(r.stats, { systemQueries: 6 }, 'three .local names, both types each, one family-0 lookup per name');
    t.same(r.askedByV6Lookup, ['printer.local AAAA'], 'why one family-0 lookup: an AF_INET6 getaddrinfo passes mdns4_minimal by and leaks the name to DNS');
  },
);

t.test("the namespace child refuses to call getaddrinfo anywhere but in the test's namespace", async (t) => {
  const child = fileURLToPath(new URL('../helpers/nss-child.js', import.meta.url));
  const run = (resolvConf: string) =>
    spawnSync(process.execPath, [child], {
      env: { ...process.env, HE_NSS_CHILD: JSON.stringify({ scenario: 'myhostname', resolvConf }) },
      encoding: 'utf8',
      timeout: 20_000,
    });
  const foreign = run('nameserver 127.0.0.1\n');
  t.not(foreign.status, 0);
  t.match(foreign.stderr, /is not the test's: refusing/);
  // The machine's own resolv.conf matches, but this is the machine's network: still refused.
  const here = run(readFileSync('/etc/resolv.conf', 'utf8'));
  t.not(here.status, 0);
  t.match(here.stderr, /not in the test's network namespace: refusing/);
});

t.test('a namespace child that ends without a report fails the test with its output', { skip: unmet(namespaces) }, async (t) => {
  await t.rejects(runNssChild(t, { scenario: 'nonesuch' as never, hosts: 'files dns', timeoutMs: 30_000 }), /gave no report \(exit 1\)/);
});
