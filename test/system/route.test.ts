import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseNsswitch, type NssHosts } from '../../lib/system/nsswitch.js';
import { parseResolverFile, type SplitDomain } from '../../lib/system/resolver-dir.js';
import { hostRoute, nssStatusOf, planRoutes, type RouteConfig } from '../../lib/system/route.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../../fixtures/nsswitch/${name}`, import.meta.url)), 'utf8');

const nss = (text: string, mdnsAllow = false): NssHosts => ({ ...parseNsswitch(text), mdnsAllow });
const line = (hosts: string, mdnsAllow = false): NssHosts => nss(`hosts: ${hosts}\n`, mdnsAllow);

function config(over: Partial<RouteConfig> = {}): RouteConfig {
  return {
    backend: 'auto',
    platform: 'linux',
    serversGiven: false,
    nss: line('files dns'),
    hostname: 'box.example.org',
    resolvedStub: false,
    splitDomains: new Map(),
    ...over,
  };
}

/** `backend/reason` (plus `+all` for one family-0 lookup, `+fallback:statuses`) per name. */
function where(c: RouteConfig, names: string[]): Record<string, string> {
  const plan = planRoutes(c);
  return Object.fromEntries(
    names.map((name) => {
      const r = hostRoute(plan, name);
      const extra = (r.allFamilies ? '+all' : '') + (r.fallback ? `+fallback:${[...r.fallback].join(',')}` : '') + (r.split ? `@${r.split.domain}` : '');
      return [name, `${r.backend}/${r.reason}${extra}`];
    }),
  );
}

const NAMES = ['www.example.com', 'printer.local', 'box.example.org', '_gateway', '_outbound', 'nas'];

t.test('files dns (and no nsswitch at all): user-space DNS for every name', async (t) => {
  const all = (r: string) => Object.fromEntries(NAMES.map((n) => [n, r]));
  t.same(where(config(), NAMES), all('dns/files-dns'));
  t.same(where(config({ nss: undefined }), NAMES), all('dns/files-dns'), 'nsswitch: false');
  t.same(where(config({ nss: nss('passwd: files\n') }), NAMES), all('dns/files-dns'), 'no hosts line: files dns, as Go and musl');
  t.same(where(config({ nss: line('files [UNAVAIL=continue] dns [NOTFOUND=return]') }), NAMES), all('dns/files-dns'), 'actions equal to the defaults');
});

t.test('Debian with nss-mdns and nss-myhostname', async (t) => {
  t.same(
    where(config({ nss: nss(fixture('debian-mdns.conf')) }), [
      ...NAMES,
      'Box.Example.Org',
      'box.example.org.',
      'Printer.LOCAL.',
      'local',
      'a.b.local',
      'localish.com',
    ]),
    {
      'www.example.com': 'dns/files-dns',
      // RFC 6762: .local is mDNS; one family-0 lookup (mdns4_minimal has no AF_INET6 answer).
      'printer.local': 'system/mdns+all',
      'box.example.org': 'system/myhostname',
      _gateway: 'system/myhostname',
      _outbound: 'system/myhostname',
      nas: 'dns/files-dns',
      'Box.Example.Org': 'system/myhostname', // case and a trailing dot do not matter
      'box.example.org.': 'system/myhostname',
      'Printer.LOCAL.': 'system/mdns+all',
      local: 'system/mdns+all',
      'a.b.local': 'system/mdns+all',
      'localish.com': 'dns/files-dns',
    },
  );
});

t.test('the full mdns modules: .local only, unless mdns.allow widens them to any name', async (t) => {
  t.same(where(config({ nss: line('files mdns4 dns') }), ['printer.local', 'www.example.com']), {
    'printer.local': 'system/mdns+all',
    'www.example.com': 'dns/files-dns',
  });
  t.same(where(config({ nss: line('files mdns4 dns', true) }), ['printer.local', 'www.example.com']), {
    'printer.local': 'system/mdns+all',
    'www.example.com': 'system/source:mdns4',
  });
  t.same(
    where(config({ nss: line('files mdns4_minimal dns', true) }), ['www.example.com']),
    { 'www.example.com': 'dns/files-dns' },
    'minimal modules ignore mdns.allow',
  );
});

t.test('systemd-resolved: counts as DNS behind its stub, except the names only it answers', async (t) => {
  const fedora = nss(fixture('fedora-resolved.conf'));
  t.same(where(config({ nss: fedora, resolvedStub: true }), [...NAMES, '_localdnsstub', '_localdnsproxy', 'host.corp']), {
    'www.example.com': 'dns/files-dns',
    'printer.local': 'system/mdns+all',
    'box.example.org': 'system/myhostname',
    _gateway: 'system/myhostname',
    _outbound: 'system/myhostname',
    // Single-label names: LLMNR through nss-resolve only (RFC 4795 §5.4: never for a DNS query).
    nas: 'system/resolved',
    _localdnsstub: 'system/resolved',
    _localdnsproxy: 'system/resolved',
    'host.corp': 'dns/files-dns',
  });
  t.same(
    where(config({ nss: line('files resolve [!UNAVAIL=return] dns'), resolvedStub: true }), ['box.example.org', 'printer.local']),
    {
      'box.example.org': 'system/resolved',
      'printer.local': 'system/mdns+all',
    },
    'resolve alone synthesizes the host name and may do mDNS',
  );
  t.same(
    where(config({ nss: fedora, resolvedStub: false }), ['www.example.com', 'nas']),
    {
      'www.example.com': 'system/source:resolve',
      nas: 'system/source:resolve',
    },
    'without the stub in resolv.conf, resolved asks servers we do not know',
  );
});

t.test('sources only getaddrinfo can ask', async (t) => {
  t.same(where(config({ nss: nss(fixture('sssd-ldap.conf')) }), ['www.example.com', 'printer.local']), {
    'www.example.com': 'system/source:sss',
    'printer.local': 'system/source:sss',
  });
  for (const hosts of ['ldap files dns', 'files nis dns', 'files libvirt dns', 'files mymachines dns', 'files wins dns', 'files dns_over_magic dns']) {
    const name = hosts.split(' ').find((s) => s !== 'files' && s !== 'dns');
    t.same(where(config({ nss: line(hosts) }), ['www.example.com']), { 'www.example.com': `system/source:${name}` }, hosts);
  }
  t.same(where(config({ nss: line('files') }), ['www.example.com']), { 'www.example.com': 'system/no-dns' }, 'no DNS at all');
  t.same(where(config({ nss: line('files myhostname') }), ['www.example.com']), { 'www.example.com': 'system/no-dns' });
  t.same(where(config({ nss: line('') }), ['www.example.com']), { 'www.example.com': 'system/no-dns' }, 'an empty hosts line');
});

t.test('a source after dns: DNS first, the system when DNS fails with a status that goes on', async (t) => {
  t.same(where(config({ nss: nss(fixture('samba-wins.conf')) }), ['fileserver']), {
    fileserver: 'dns/fallback:wins+fallback:notfound,unavail,tryagain',
  });
  t.same(where(config({ nss: line('files dns [NOTFOUND=return] wins') }), ['fileserver']), {
    fileserver: 'dns/fallback:wins+fallback:unavail,tryagain',
  });
  t.same(where(config({ nss: line('files dns [!SUCCESS=return] wins') }), ['fileserver']), { fileserver: 'dns/files-dns' }, 'never reached');
  t.same(where(config({ nss: line('files dns mdns4_minimal [UNAVAIL=return] wins') }), ['fileserver']), { fileserver: 'dns/files-dns' }, 'stopped in between');
  t.same(
    where(config({ nss: line('files dns myhostname ldap') }), ['fileserver']),
    {
      fileserver: 'dns/fallback:ldap+fallback:notfound,unavail,tryagain',
    },
    'a source that does not know the name is passed over',
  );
});

t.test('orders and actions our client does not follow go to the system', async (t) => {
  const cases: Array<[string, string]> = [
    ['dns files', 'system/nsswitch-order'],
    ['dns', 'system/nsswitch-order'],
    ['files files dns', 'system/nsswitch-order'],
    ['files dns files', 'system/nsswitch-order'],
    ['files [NOTFOUND=return] dns', 'system/nsswitch-actions'],
    ['files [SUCCESS=continue] dns', 'system/nsswitch-actions'],
    ['files [SUCCESS=merge] dns', 'system/nsswitch-actions'],
    ['files [UNAVAIL=return] dns', 'system/nsswitch-actions'],
    ['files [TRYAGAIN=return] dns', 'system/nsswitch-actions'],
    ['files dns [SUCCESS=continue]', 'system/nsswitch-actions'],
    ['files mdns4_minimal [UNAVAIL=return] dns', 'system/nsswitch-actions'],
    ['files myhostname [NOTFOUND=return] dns', 'system/nsswitch-actions'],
    ['files [NOTFOUND=return dns', 'system/nsswitch-malformed'],
    ['files mdns4_minimal [NOTFOUND=return] dns', 'dns/files-dns'],
    ['files resolve [!UNAVAIL=return] dns', 'system/source:resolve'],
  ];
  for (const [hosts, want] of cases) t.same(where(config({ nss: line(hosts) }), ['www.example.com']), { 'www.example.com': want }, hosts);
  t.same(
    where(config({ nss: line('files resolve [!UNAVAIL=return] dns'), resolvedStub: true }), ['www.example.com']),
    { 'www.example.com': 'dns/files-dns' },
    'resolve then dns: the same servers twice',
  );
});

t.test('servers given: the name-specific rules stay, the rest is theirs', async (t) => {
  t.same(where(config({ serversGiven: true, nss: nss(fixture('debian-mdns.conf')) }), ['www.example.com', 'printer.local', 'box.example.org']), {
    'www.example.com': 'dns/servers',
    'printer.local': 'system/mdns+all',
    'box.example.org': 'system/myhostname',
  });
  t.same(where(config({ serversGiven: true, nss: nss(fixture('sssd-ldap.conf')) }), ['www.example.com']), { 'www.example.com': 'dns/servers' });
  t.same(where(config({ serversGiven: true, nss: line('files [ dns') }), ['www.example.com']), { 'www.example.com': 'dns/servers' });
});

t.test("backend 'dns' and 'system' decide every name", async (t) => {
  const debian = nss(fixture('debian-mdns.conf'));
  const all = (r: string) => Object.fromEntries(NAMES.map((n) => [n, r]));
  t.same(where(config({ backend: 'dns', nss: debian }), NAMES), all('dns/files-dns'));
  t.same(where(config({ backend: 'system', nss: debian }), NAMES), all('system/backend'));
  t.same(where(config({ backend: 'system', platform: 'win32', serversGiven: true }), NAMES), all('system/backend'));
  t.same(where(config({ backend: 'dns', platform: 'win32' }), NAMES), all('dns/files-dns'));
});

t.test('Windows and Android: the system unless servers are given', async (t) => {
  for (const platform of ['win32', 'android'] as const) {
    t.same(
      where(config({ platform, nss: undefined }), ['www.example.com', 'printer.local']),
      {
        'www.example.com': 'system/platform',
        'printer.local': 'system/platform',
      },
      platform,
    );
    t.same(where(config({ platform, nss: undefined, serversGiven: true }), ['www.example.com']), { 'www.example.com': 'dns/servers' }, platform);
  }
});

t.test('macOS: .local to the system, /etc/resolver domains to their servers or the system', async (t) => {
  const files = [
    parseResolverFile('nameserver 10.8.0.1\nport 5353\n', '/etc/resolver/corp.example', 'corp.example'),
    parseResolverFile('nameserver 10.9.0.1\n', '/etc/resolver/dev.corp.example', 'dev.corp.example'),
    parseResolverFile('nameserver 10.10.0.1\noptions ndots:3\n', '/etc/resolver/vpn.test', 'vpn.test'),
  ] as SplitDomain[];
  const splitDomains = new Map(files.map((f) => [f.domain, f]));
  const names = ['www.example.com', 'printer.local', 'corp.example', 'a.corp.example', 'b.dev.corp.example', 'xcorp.example', 'host.vpn.test'];
  t.same(where(config({ platform: 'darwin', nss: undefined, splitDomains }), names), {
    'www.example.com': 'dns/files-dns',
    'printer.local': 'system/mdns+all',
    'corp.example': 'dns/resolver-file@corp.example',
    'a.corp.example': 'dns/resolver-file@corp.example',
    'b.dev.corp.example': 'dns/resolver-file@dev.corp.example', // the longest domain wins
    'xcorp.example': 'dns/files-dns', // a label boundary, not a string suffix
    'host.vpn.test': 'system/resolver-file', // `options` is not followed here
  });
  t.same(
    where(config({ platform: 'darwin', nss: undefined, splitDomains, backend: 'dns' }), ['printer.local', 'a.corp.example', 'host.vpn.test']),
    {
      'printer.local': 'dns/files-dns',
      'a.corp.example': 'dns/resolver-file@corp.example',
      'host.vpn.test': 'dns/files-dns',
    },
    "backend 'dns' never calls getaddrinfo",
  );
  t.same(
    where(config({ platform: 'darwin', nss: undefined, splitDomains, serversGiven: true }), ['a.corp.example', 'printer.local']),
    {
      'a.corp.example': 'dns/files-dns',
      'printer.local': 'system/mdns+all',
    },
    'servers given replace the system servers, per-domain ones too',
  );
});

t.test('nssStatusOf maps a DNS failure to the status nss_dns would end with', async (t) => {
  t.same(
    [
      'ENOTFOUND',
      'ENODATA',
      'ECONNREFUSED',
      'ETIMEOUT',
      'ESERVFAIL',
      'EREFUSED',
      'EBADRESP',
      'ECONNRESET',
      'ECANCELLED',
      'ABORT_ERR',
      'EBADNAME',
      undefined,
    ].map(nssStatusOf),
    ['notfound', 'notfound', 'unavail', 'tryagain', 'tryagain', 'tryagain', 'tryagain', 'tryagain', undefined, undefined, undefined, undefined],
  );
});
