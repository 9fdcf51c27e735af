import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_NAMESERVERS, MAX_SEARCH_DOMAINS, defaultResolvConf, loadResolvConf, parseResolvConf, type ResolvConf } from '../../lib/system/resolv-conf.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/resolv/${name}`, import.meta.url));
const v4 = (address: string) => ({ address, port: 53, family: 4 as const });
const v6 = (address: string) => ({ address, port: 53, family: 6 as const });
const conf = (overrides: Partial<ResolvConf>): ResolvConf => ({ ...defaultResolvConf(), ...overrides });

t.test('defaults are glibc defaults', async (t) => {
  t.same(defaultResolvConf(), {
    nameservers: [],
    search: [],
    ndots: 1,
    timeout: 5000,
    attempts: 2,
    rotate: false,
    noTldQuery: false,
    noAaaa: false,
    useVc: false,
    noReload: false,
    edns0: false,
    trustAd: false,
    singleRequest: false,
    singleRequestReopen: false,
    inet6: false,
  });
  t.same(DEFAULT_NAMESERVERS, [v4('127.0.0.1')]);
  t.ok(Object.isFrozen(DEFAULT_NAMESERVERS) && Object.isFrozen(DEFAULT_NAMESERVERS[0]));
});

const fixtures: Array<{ file: string; want: ResolvConf }> = [
  { file: 'empty.conf', want: conf({}) },
  // `search .` keeps the root: the name itself is asked there (and not again at the end).
  { file: 'systemd-resolved-stub.conf', want: conf({ nameservers: [v4('127.0.0.53')], search: ['.'], edns0: true, trustAd: true }) },
  { file: 'docker.conf', want: conf({ nameservers: [v4('127.0.0.11')], search: ['lab.example.internal'], ndots: 0, edns0: true, trustAd: true }) },
  {
    file: 'kubernetes-pod.conf',
    want: conf({
      nameservers: [v4('10.96.0.10')],
      search: [
        'default.svc.cluster.local',
        'svc.cluster.local',
        'cluster.local',
        'us-central1-a.c.my-project.internal',
        'c.my-project.internal',
        'google.internal',
      ],
      ndots: 5,
    }),
  },
  {
    // MAXNS = 3: the fourth nameserver is ignored; zone id kept; trailing dot dropped.
    file: 'ipv6-zones.conf',
    want: conf({
      nameservers: [v6('fe80::1%eth0'), v6('2001:db8::53'), v6('::ffff:192.0.2.53')],
      search: ['corp.example'],
      timeout: 2000,
      attempts: 3,
      rotate: true,
    }),
  },
  {
    // Indented, capitalised, bracketed, ported and invalid servers skipped; caps applied;
    // option values read as atoi reads them (`ndots:x` is 0, `timeout:-1` is the 1 s
    // floor, `attempts:` is 0, then 1 here); `rotate:1` is `rotate` (a prefix, as glibc);
    // CRLF lines and inline comments handled.
    file: 'junk.conf',
    want: conf({
      nameservers: [v4('192.0.2.1'), v4('192.0.2.2')],
      search: ['second.example', 'third.example'],
      ndots: 0,
      timeout: 1000,
      attempts: 1,
      rotate: true,
      edns0: true,
    }),
  },
  { file: 'domain-last.conf', want: conf({ nameservers: [v6('2001:db8::1')], search: ['three.example'] }) },
];

for (const c of fixtures) {
  t.test(`fixture ${c.file}`, async (t) => {
    t.same(parseResolvConf(readFileSync(fixture(c.file), 'utf8')), c.want);
    t.same(await loadResolvConf(fixture(c.file), {}), c.want);
  });
}

const texts: Array<{ name: string; text: string; want: Partial<ResolvConf> }> = [
  { name: 'search after domain wins', text: 'domain a.example\nsearch b.example c.example\n', want: { search: ['b.example', 'c.example'] } },
  { name: 'empty search line keeps the earlier list', text: 'search a.example\nsearch \n', want: { search: ['a.example'] } },
  { name: 'timeout:0 is 1 s, attempts:0 is 1', text: 'options timeout:0 attempts:0\n', want: { timeout: 1000, attempts: 1 } },
  { name: 'ndots:0 is kept', text: 'options ndots:0\n', want: { ndots: 0 } },
  { name: 'later options override earlier', text: 'options ndots:3\noptions ndots:2 timeout:1\n', want: { ndots: 2, timeout: 1000 } },
  {
    name: 'huge values are capped (atoi cuts them to an int first)',
    text: 'options ndots:99999999999 timeout:99999999999\n',
    want: { ndots: 15, timeout: 30_000 },
  },
  {
    name: 'a value cut to a negative int is 0 (ndots) or the floor',
    text: 'options ndots:123456789012 timeout:123456789012\n',
    want: { ndots: 0, timeout: 1000 },
  },
  { name: 'values beyond a long are clamped first', text: 'options ndots:99999999999999999999\n', want: { ndots: 0 } },
  { name: 'and below one too', text: 'options ndots:-99999999999999999999 timeout:-5\n', want: { ndots: 0, timeout: 1000 } },
  { name: 'atoi reads leading digits', text: 'options ndots:3x timeout:+2 attempts:4.5\n', want: { ndots: 3, timeout: 2000, attempts: 4 } },
  { name: 'flags match as prefixes, as in glibc', text: 'options rotatex no-rotate use-vc\n', want: { rotate: true, useVc: true } },
  {
    name: 'every flag glibc 2.36 reads',
    text: 'options no-tld-query no-aaaa use-vc no-reload edns0 trust-ad single-request inet6\noptions no_tld_query single-request-reopen\n',
    want: {
      noTldQuery: true,
      noAaaa: true,
      useVc: true,
      noReload: true,
      edns0: true,
      trustAd: true,
      singleRequest: true,
      singleRequestReopen: true,
      inet6: true,
    },
  },
  { name: 'single-request-reopen is not single-request', text: 'options single-request-reopen\n', want: { singleRequestReopen: true } },
  { name: 'a flag needs no more than its name', text: 'options ndots rotate: debug\n', want: { rotate: true } },
  { name: 'tab after keyword', text: 'options\tndots:4\nsearch\tt.example\n', want: { ndots: 4, search: ['t.example'] } },
  { name: 'keyword glued to value is no keyword', text: 'optionsndots:4\nsearcha.example\n', want: {} },
  { name: 'nameserver takes only the first address', text: 'nameserver 192.0.2.1 192.0.2.2\n', want: { nameservers: [v4('192.0.2.1')] } },
  {
    name: 'duplicates are kept, up to three',
    text: 'nameserver ::1\nnameserver ::1\nnameserver 127.0.0.1\nnameserver 127.0.0.2\n',
    want: { nameservers: [v6('::1'), v6('::1'), v4('127.0.0.1')] },
  },
  {
    // glibc keeps them too: asking one fails, which ends the search there.
    name: 'search domains are kept as written, one leading dot dropped',
    text: 'search good.example bad..example a_b.example bücher.example .lead.example ..x. . ' + 'd'.repeat(300) + '\n',
    want: { search: ['good.example', 'bad..example', 'a_b.example', 'bücher.example', 'lead.example', '.x', '.'] },
  },
  { name: 'a comment-only search line is ignored', text: 'search a.example\nsearch # nothing\n', want: { search: ['a.example'] } },
];

for (const c of texts) {
  t.test(c.name, async (t) => {
    t.same(parseResolvConf(c.text), conf(c.want));
  });
}

t.test(`search list is bounded to ${MAX_SEARCH_DOMAINS} domains`, async (t) => {
  const domains = Array.from({ length: MAX_SEARCH_DOMAINS + 5 }, (_, i) => `d${i}.example`);
  t.same(parseResolvConf(`search ${domains.join(' ')}\n`).search, domains.slice(0, MAX_SEARCH_DOMAINS));
});

const envCases: Array<{ name: string; text: string; env?: Record<string, string | undefined>; hostname?: string; want: Partial<ResolvConf> }> = [
  {
    name: 'LOCALDOMAIN replaces the file search list',
    text: 'search file.example\n',
    env: { LOCALDOMAIN: 'a.example  b.example\tc.example' },
    want: { search: ['a.example', 'b.example', 'c.example'] },
  },
  { name: 'LOCALDOMAIN stops at a newline', text: '', env: { LOCALDOMAIN: 'a.example\nb.example' }, want: { search: ['a.example'] } },
  {
    name: 'empty LOCALDOMAIN is the root alone, no hostname domain',
    text: 'domain file.example\n',
    env: { LOCALDOMAIN: '' },
    hostname: 'h.host.example',
    want: { search: ['.'] },
  },
  { name: 'a LOCALDOMAIN starting with a blank starts with the root', text: '', env: { LOCALDOMAIN: ' a.example' }, want: { search: ['.', 'a.example'] } },
  {
    name: 'RES_OPTIONS applies after the file',
    text: 'options ndots:2 attempts:4\n',
    env: { RES_OPTIONS: ' ndots:7  rotate timeout:3' },
    want: { ndots: 7, attempts: 4, rotate: true, timeout: 3000 },
  },
  {
    name: 'unset variables change nothing',
    text: 'search f.example\n',
    env: { LOCALDOMAIN: undefined, RES_OPTIONS: undefined },
    want: { search: ['f.example'] },
  },
  {
    name: 'hostname domain when nothing sets a search list',
    text: 'nameserver 192.0.2.1\n',
    hostname: 'build-1.ci.example',
    want: { nameservers: [v4('192.0.2.1')], search: ['ci.example'] },
  },
  { name: 'hostname without a dot gives no domain', text: '', hostname: 'build-1', want: {} },
  { name: 'search . still counts as set (no hostname domain)', text: 'search .\n', hostname: 'h.host.example', want: { search: ['.'] } },
  { name: 'file search list beats the hostname', text: 'search f.example\n', hostname: 'h.host.example', want: { search: ['f.example'] } },
];

for (const c of envCases) {
  t.test(c.name, async (t) => {
    t.same(parseResolvConf(c.text, { env: c.env, hostname: c.hostname }), conf(c.want));
  });
}

t.test('loadResolvConf: a missing file gives the defaults', async (t) => {
  t.same(await loadResolvConf(fixture('does-not-exist.conf'), {}), defaultResolvConf());
});

t.test('loadResolvConf: a directory (unreadable as a file) gives the defaults', async (t) => {
  t.same(await loadResolvConf(fixture(''), {}), defaultResolvConf());
});

t.test('loadResolvConf reads LOCALDOMAIN and RES_OPTIONS from process.env by default', async (t) => {
  const saved = { LOCALDOMAIN: process.env['LOCALDOMAIN'], RES_OPTIONS: process.env['RES_OPTIONS'] };
  t.teardown(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  process.env['LOCALDOMAIN'] = 'env.example';
  process.env['RES_OPTIONS'] = 'ndots:3';
  const loaded = await loadResolvConf(fixture('kubernetes-pod.conf'));
  t.same(loaded.search, ['env.example']);
  t.equal(loaded.ndots, 3);
  t.same(loaded.nameservers, [v4('10.96.0.10')]);
});
