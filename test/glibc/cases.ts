/**
 * The cases of the glibc differential suite (see case.ts for the fields). Names are
 * `topic: what`. The servers hold a root zone: every name not listed is NXDOMAIN, and
 * the ancestors of a listed name exist without data (NODATA).
 */
import type { GlibcCase } from './case.js';

const NS = 'nameserver 127.0.0.1';
const SEARCH = `${NS}\nsearch s1.test s2.test`;
/** One try of one second: timeout cases stay short for both resolvers. */
const FAST = 'options timeout:1 attempts:1';
const BOTH_AT_S1: GlibcCase['records'] = [
  ['h.s1.test', 'A', '192.0.2.1'],
  ['h.s1.test', 'AAAA', '2001:db8::1'],
];
const DUAL = ['192.0.2.100/24', '2001:db8::100/64'];
const DUAL_RECORDS: GlibcCase['records'] = [
  ['d.test', 'A', '192.0.2.1'],
  ['d.test', 'AAAA', '2001:db8::1'],
];
const LONG_LABEL = 'l'.repeat(63);

const searchCases: GlibcCase[] = [
  { name: 'search: the first candidate answers', resolvConf: SEARCH, records: BOTH_AT_S1, ask: { host: 'h' } },
  {
    name: 'search: A at one candidate, AAAA at the next',
    resolvConf: SEARCH,
    records: [
      ['h.s1.test', 'A', '192.0.2.1'],
      ['h.s2.test', 'AAAA', '2001:db8::2'],
    ],
    ask: { host: 'h' },
  },
  {
    name: 'search: AAAA at one candidate, A at the next',
    resolvConf: SEARCH,
    records: [
      ['h.s1.test', 'AAAA', '2001:db8::1'],
      ['h.s2.test', 'A', '192.0.2.2'],
    ],
    ask: { host: 'h' },
  },
  { name: 'search: IPv4-only name at the second candidate', resolvConf: SEARCH, records: [['h.s2.test', 'A', '192.0.2.2']], ask: { host: 'h' } },
  {
    name: 'search: NODATA at the first candidate goes on',
    resolvConf: SEARCH,
    records: [['h.s2.test', 'A', '192.0.2.2']],
    behaviours: [{ name: 'h.s1.test', type: '*', behaviour: { rcode: 'NODATA' } }],
    ask: { host: 'h' },
  },
  { name: 'search: every candidate NXDOMAIN', resolvConf: SEARCH, ask: { host: 'h' } },
  {
    name: 'search: NODATA at one candidate, NXDOMAIN at the others',
    resolvConf: SEARCH,
    behaviours: [{ name: 'h.s2.test', type: '*', behaviour: { rcode: 'NODATA' } }],
    ask: { host: 'h' },
  },
  { name: 'search: the bare name answers last', resolvConf: SEARCH, records: [['h', 'A', '192.0.2.9']], ask: { host: 'h' } },
  {
    name: 'search: SERVFAIL on the first candidate goes on',
    resolvConf: SEARCH,
    records: [['h.s2.test', 'A', '192.0.2.2']],
    behaviours: [{ name: 'h.s1.test', type: '*', behaviour: { rcode: 'SERVFAIL' } }],
    ask: { host: 'h' },
  },
  {
    name: 'search: SERVFAIL everywhere',
    resolvConf: SEARCH,
    behaviours: [{ name: '*', type: '*', behaviour: { rcode: 'SERVFAIL' } }],
    ask: { host: 'h' },
  },
  {
    name: 'search: SERVFAIL for A, AAAA answers at the same candidate',
    resolvConf: SEARCH,
    records: [
      ['h.s1.test', 'AAAA', '2001:db8::1'],
      ['h.s2.test', 'A', '192.0.2.2'],
    ],
    behaviours: [{ name: 'h.s1.test', type: 'A', behaviour: { rcode: 'SERVFAIL' } }],
    ask: { host: 'h' },
  },
  {
    name: 'search: SERVFAIL for A, AAAA NXDOMAIN at the same candidate',
    resolvConf: SEARCH,
    records: [['h.s2.test', 'A', '192.0.2.2']],
    behaviours: [{ name: 'h.s1.test', type: 'A', behaviour: { rcode: 'SERVFAIL' } }],
    ask: { host: 'h' },
  },
  {
    name: 'search: REFUSED ends the list, the bare name is asked',
    resolvConf: SEARCH,
    records: [
      ['h.s2.test', 'A', '192.0.2.2'],
      ['h', 'A', '192.0.2.9'],
    ],
    behaviours: [{ name: 'h.s1.test', type: '*', behaviour: { rcode: 'REFUSED' } }],
    ask: { host: 'h' },
  },
  {
    name: 'search: REFUSED everywhere',
    resolvConf: SEARCH,
    behaviours: [{ name: '*', type: '*', behaviour: { rcode: 'REFUSED' } }],
    ask: { host: 'h' },
  },
  {
    name: 'search: a timeout ends the list, the bare name is asked',
    resolvConf: `${SEARCH}\n${FAST}`,
    records: [
      ['h.s2.test', 'A', '192.0.2.2'],
      ['h', 'A', '192.0.2.9'],
    ],
    behaviours: [{ name: 'h.s1.test', type: '*', behaviour: { drop: 'all' } }],
    ask: { host: 'h' },
  },
  {
    name: 'search: timeouts everywhere',
    resolvConf: `${SEARCH}\n${FAST}`,
    behaviours: [{ name: '*', type: '*', behaviour: { drop: 'all' } }],
    ask: { host: 'h' },
  },
  {
    name: 'search: a garbage reply is no reply: the list ends, the bare name is asked',
    resolvConf: `${SEARCH}\n${FAST}`,
    records: [
      ['h.s2.test', 'A', '192.0.2.2'],
      ['h', 'A', '192.0.2.9'],
    ],
    behaviours: [{ name: 'h.s1.test', type: '*', behaviour: { garbage: true } }],
    ask: { host: 'h' },
  },
  { name: 'search: nobody listening', resolvConf: `nameserver 127.0.0.9\nsearch s1.test s2.test\n${FAST}`, ask: { host: 'h' } },
  {
    name: 'search: FORMERR on the first candidate',
    resolvConf: SEARCH,
    records: [
      ['h.s2.test', 'A', '192.0.2.2'],
      ['h', 'A', '192.0.2.9'],
    ],
    behaviours: [{ name: 'h.s1.test', type: '*', behaviour: { rcode: 'FORMERR' } }],
    ask: { host: 'h' },
  },
  {
    name: 'search: NOTIMP for AAAA, A answers',
    resolvConf: SEARCH,
    records: [['h.s1.test', 'A', '192.0.2.1']],
    behaviours: [{ name: 'h.s1.test', type: 'AAAA', behaviour: { rcode: 'NOTIMP' } }],
    ask: { host: 'h' },
  },
  {
    name: 'search: a CNAME at the first candidate',
    resolvConf: SEARCH,
    records: [
      ['h.s1.test', 'CNAME', 'target.test'],
      ['target.test', 'A', '192.0.2.7'],
      ['target.test', 'AAAA', '2001:db8::7'],
    ],
    ask: { host: 'h' },
  },
  {
    name: 'search: family 4 walks with A only',
    resolvConf: SEARCH,
    records: [['h.s2.test', 'A', '192.0.2.2']],
    ask: { host: 'h', family: 4 },
  },
  {
    name: 'search: family 6 walks with AAAA only',
    resolvConf: SEARCH,
    records: [
      ['h.s1.test', 'A', '192.0.2.1'],
      ['h.s2.test', 'AAAA', '2001:db8::2'],
    ],
    ask: { host: 'h', family: 6 },
  },
  {
    name: 'search: a candidate too long for the wire ends the list',
    resolvConf: `${NS}\nsearch ${LONG_LABEL}.test s2.test`,
    records: [[`${LONG_LABEL}.${LONG_LABEL}.${LONG_LABEL}.s2.test`, 'A', '192.0.2.2']],
    ask: { host: `${LONG_LABEL}.${LONG_LABEL}.${LONG_LABEL}` },
  },
  {
    name: 'search: the root domain in the list',
    resolvConf: `${NS}\nsearch s1.test .`,
    records: [['h', 'A', '192.0.2.9']],
    ask: { host: 'h' },
  },
  { name: 'search: the root domain first, a dotted name', resolvConf: `${NS}\nsearch . s1.test`, ask: { host: 'a.b' } },
  {
    name: 'search: the answer at the fourth domain',
    resolvConf: `${NS}\nsearch s1.test s2.test s3.test s4.test`,
    records: [['h.s4.test', 'AAAA', '2001:db8::4']],
    ask: { host: 'h' },
  },
  {
    name: 'search: an invalid domain in the list',
    resolvConf: `${NS}\nsearch bad..test s2.test`,
    records: [['h.s2.test', 'A', '192.0.2.2']],
    ask: { host: 'h' },
  },
];

const serverCases: GlibcCase[] = [
  {
    name: 'servers: SERVFAIL from the first, the second answers',
    resolvConf: `${NS}\nnameserver 127.0.0.2\nsearch s1.test s2.test`,
    servers: ['127.0.0.1', '127.0.0.2'],
    records: BOTH_AT_S1,
    behaviours: [{ server: 0, name: '*', type: '*', behaviour: { rcode: 'SERVFAIL' } }],
    ask: { host: 'h' },
  },
  {
    name: 'servers: REFUSED from the first, the second answers',
    resolvConf: `${NS}\nnameserver 127.0.0.2\nsearch s1.test s2.test`,
    servers: ['127.0.0.1', '127.0.0.2'],
    records: [['h.s2.test', 'A', '192.0.2.2']],
    behaviours: [{ server: 0, name: '*', type: '*', behaviour: { rcode: 'REFUSED' } }],
    ask: { host: 'h' },
  },
  {
    name: 'servers: the first not listening, the second answers',
    resolvConf: `nameserver 127.0.0.9\nnameserver 127.0.0.2\nsearch s1.test s2.test\n${FAST}`,
    servers: ['127.0.0.2'],
    records: [['h.s2.test', 'A', '192.0.2.2']],
    ask: { host: 'h' },
  },
  {
    name: 'servers: SERVFAIL from the first, NXDOMAIN from the second, per candidate',
    resolvConf: `${NS}\nnameserver 127.0.0.2\nsearch s1.test s2.test`,
    servers: ['127.0.0.1', '127.0.0.2'],
    records: [['h.s2.test', 'AAAA', '2001:db8::2']],
    behaviours: [{ server: 0, name: 'h.s1.test', type: '*', behaviour: { rcode: 'SERVFAIL' } }],
    ask: { host: 'h' },
  },
  {
    name: 'servers: rotate over two',
    resolvConf: `${NS}\nnameserver 127.0.0.2\noptions rotate`,
    servers: ['127.0.0.1', '127.0.0.2'],
    records: DUAL_RECORDS,
    ask: { host: 'd.test' },
  },
  {
    name: 'servers: an IPv4-mapped nameserver',
    resolvConf: 'nameserver ::ffff:127.0.0.1',
    records: DUAL_RECORDS,
    ask: { host: 'd.test' },
  },
  { name: 'servers: an IPv6 loopback nameserver', resolvConf: 'nameserver ::1', servers: ['::1'], records: DUAL_RECORDS, ask: { host: 'd.test' } },
  {
    name: 'servers: a fourth nameserver is never asked',
    resolvConf: `nameserver 127.0.0.9\nnameserver 127.0.0.10\nnameserver 127.0.0.11\n${NS}\n${FAST}`,
    records: DUAL_RECORDS,
    ask: { host: 'd.test' },
  },
  {
    name: 'servers: truncated over UDP, asked again over TCP',
    resolvConf: NS,
    records: DUAL_RECORDS,
    behaviours: [{ name: 'd.test', type: '*', behaviour: { truncate: 'empty' } }],
    ask: { host: 'd.test' },
  },
];

const ndotsCases: GlibcCase[] = [
  { name: 'ndots: a dotted name is asked as is first', resolvConf: SEARCH, records: [['a.b', 'A', '192.0.2.3']], ask: { host: 'a.b' } },
  {
    name: 'ndots: as is NXDOMAIN, then the search list',
    resolvConf: SEARCH,
    records: [['a.b.s2.test', 'A', '192.0.2.3']],
    ask: { host: 'a.b' },
  },
  { name: 'ndots: as is NODATA, nothing else: its NODATA is the error', resolvConf: SEARCH, records: [['x.a.b', 'A', '192.0.2.3']], ask: { host: 'a.b' } },
  {
    name: 'ndots: as is SERVFAIL, then the search list',
    resolvConf: SEARCH,
    records: [['a.b.s1.test', 'A', '192.0.2.3']],
    behaviours: [{ name: 'a.b', type: '*', behaviour: { rcode: 'SERVFAIL' } }],
    ask: { host: 'a.b' },
  },
  {
    name: 'ndots: as is timeout, then the search list',
    resolvConf: `${SEARCH}\n${FAST}`,
    records: [['a.b.s1.test', 'A', '192.0.2.3']],
    behaviours: [{ name: 'a.b', type: '*', behaviour: { drop: 'all' } }],
    ask: { host: 'a.b' },
  },
  {
    name: 'ndots: as is REFUSED, then the search list',
    resolvConf: SEARCH,
    records: [['a.b.s1.test', 'A', '192.0.2.3']],
    behaviours: [{ name: 'a.b', type: '*', behaviour: { rcode: 'REFUSED' } }],
    ask: { host: 'a.b' },
  },
  { name: 'ndots:2 searches a one-dot name first', resolvConf: `${SEARCH}\noptions ndots:2`, records: [['a.b', 'A', '192.0.2.3']], ask: { host: 'a.b' } },
  { name: 'ndots:0 asks a bare label as is first', resolvConf: `${SEARCH}\noptions ndots:0`, records: [['h.s1.test', 'A', '192.0.2.1']], ask: { host: 'h' } },
  {
    name: 'ndots:20 is capped at 15 (15 dots: as is first)',
    resolvConf: `${SEARCH}\noptions ndots:20`,
    records: [['a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p', 'A', '192.0.2.4']],
    ask: { host: 'a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p' },
  },
  {
    name: 'ndots:20 is capped at 15 (14 dots: search first)',
    resolvConf: `${SEARCH}\noptions ndots:20`,
    records: [['a.b.c.d.e.f.g.h.i.j.k.l.m.n.o', 'A', '192.0.2.4']],
    ask: { host: 'a.b.c.d.e.f.g.h.i.j.k.l.m.n.o' },
  },
  { name: 'trailing dot: a bare label is asked alone', resolvConf: SEARCH, records: [['h', 'A', '192.0.2.9']], ask: { host: 'h.' } },
  { name: 'trailing dot: NXDOMAIN ends it', resolvConf: SEARCH, records: BOTH_AT_S1, ask: { host: 'h.' } },
  { name: 'trailing dot: a dotted name', resolvConf: SEARCH, records: DUAL_RECORDS, ask: { host: 'd.test.' } },
  { name: 'no search list: a bare label is asked as is', resolvConf: NS, records: [['h', 'A', '192.0.2.9']], ask: { host: 'h' } },
];

const optionCases: GlibcCase[] = [
  { name: 'no-tld-query: the bare label is not asked', resolvConf: `${SEARCH}\noptions no-tld-query`, records: [['h', 'A', '192.0.2.9']], ask: { host: 'h' } },
  {
    name: 'no-tld-query: a dotted name still is',
    resolvConf: `${SEARCH}\noptions no-tld-query`,
    records: [['a.b.s2.test', 'A', '192.0.2.3']],
    ask: { host: 'a.b' },
  },
  { name: 'no-aaaa: family 0 asks A only', resolvConf: `${NS}\noptions no-aaaa`, records: DUAL_RECORDS, ask: { host: 'd.test' } },
  { name: 'no-aaaa: family 6', resolvConf: `${NS}\noptions no-aaaa`, records: DUAL_RECORDS, ask: { host: 'd.test', family: 6 } },
  {
    name: 'no-aaaa: with a search list',
    resolvConf: `${SEARCH}\noptions no-aaaa`,
    records: [
      ['h.s1.test', 'AAAA', '2001:db8::1'],
      ['h.s2.test', 'A', '192.0.2.2'],
    ],
    ask: { host: 'h' },
  },
  { name: 'use-vc: every query over TCP', resolvConf: `${NS}\noptions use-vc`, records: DUAL_RECORDS, ask: { host: 'd.test' } },
  { name: 'edns0 is accepted', resolvConf: `${NS}\noptions edns0`, records: DUAL_RECORDS, ask: { host: 'd.test' } },
  { name: 'trust-ad is accepted', resolvConf: `${NS}\noptions trust-ad`, records: DUAL_RECORDS, ask: { host: 'd.test' } },
  { name: 'single-request is accepted', resolvConf: `${SEARCH}\noptions single-request`, records: [['h.s2.test', 'A', '192.0.2.2']], ask: { host: 'h' } },
  { name: 'single-request-reopen is accepted', resolvConf: `${NS}\noptions single-request-reopen`, records: DUAL_RECORDS, ask: { host: 'd.test' } },
  { name: 'inet6 has no effect', resolvConf: `${NS}\noptions inet6`, records: [['d.test', 'A', '192.0.2.1']], ask: { host: 'd.test' } },
  { name: 'timeout:0 still asks', resolvConf: `${NS}\noptions timeout:0`, records: DUAL_RECORDS, ask: { host: 'd.test' } },
  {
    name: 'attempts:0',
    resolvConf: `${NS}\noptions attempts:0`,
    records: DUAL_RECORDS,
    ask: { host: 'd.test' },
    deliberate: 'attempts:0 asks once',
  },
  {
    name: 'an option value that is not a number',
    resolvConf: `${SEARCH}\noptions ndots:x`,
    records: [['h.s1.test', 'A', '192.0.2.1']],
    ask: { host: 'h' },
  },
  {
    name: 'an option name with more after it',
    resolvConf: `${NS}\noptions use-vcx`,
    records: DUAL_RECORDS,
    ask: { host: 'd.test' },
  },
  { name: 'use-vc with a search list', resolvConf: `${SEARCH}\noptions use-vc`, records: [['h.s2.test', 'A', '192.0.2.2']], ask: { host: 'h' } },
  { name: 'rotate with one server', resolvConf: `${NS}\noptions rotate`, records: DUAL_RECORDS, ask: { host: 'd.test' } },
  { name: 'domain line sets the search list', resolvConf: `${NS}\ndomain s2.test`, records: [['h.s2.test', 'A', '192.0.2.2']], ask: { host: 'h' } },
  {
    name: 'the last of search and domain wins',
    resolvConf: `${NS}\nsearch s1.test\ndomain s2.test`,
    records: [['h.s1.test', 'A', '192.0.2.1']],
    ask: { host: 'h' },
  },
  {
    name: 'LOCALDOMAIN replaces the search list',
    resolvConf: SEARCH,
    env: { LOCALDOMAIN: 'l1.test' },
    records: [['h.l1.test', 'A', '192.0.2.8']],
    ask: { host: 'h' },
  },
  { name: 'LOCALDOMAIN empty: no search list', resolvConf: SEARCH, env: { LOCALDOMAIN: '' }, records: BOTH_AT_S1, ask: { host: 'h' } },
  { name: 'LOCALDOMAIN empty, a dotted name', resolvConf: SEARCH, env: { LOCALDOMAIN: '' }, ask: { host: 'a.b' } },
  {
    name: 'no-aaaa: family 6 with V4MAPPED',
    resolvConf: `${NS}\noptions no-aaaa`,
    records: DUAL_RECORDS,
    ask: { host: 'd.test', family: 6, flags: ['V4MAPPED'] },
  },
  {
    name: 'RES_OPTIONS sets ndots',
    resolvConf: SEARCH,
    env: { RES_OPTIONS: 'ndots:2' },
    records: [
      ['a.b.s1.test', 'A', '192.0.2.3'],
      ['a.b', 'A', '192.0.2.4'],
    ],
    ask: { host: 'a.b' },
  },
  { name: 'RES_OPTIONS no-aaaa', resolvConf: NS, env: { RES_OPTIONS: 'no-aaaa' }, records: DUAL_RECORDS, ask: { host: 'd.test' } },
];

const HOSTS = '127.0.0.1 localhost\n::1 localhost ip6-localhost\n';
const hostsCases: GlibcCase[] = [
  {
    name: 'hosts: an IPv4 entry, family 6 asks DNS',
    resolvConf: NS,
    hosts: `${HOSTS}192.0.2.5 v4.test\n`,
    records: [['v4.test', 'AAAA', '2001:db8::5']],
    ask: { host: 'v4.test', family: 6 },
  },
  {
    name: 'hosts: an IPv6 entry, family 4 asks DNS',
    resolvConf: NS,
    hosts: `${HOSTS}2001:db8::5 only6.test\n`,
    records: [['only6.test', 'A', '192.0.2.5']],
    ask: { host: 'only6.test', family: 4 },
  },
  {
    name: 'hosts: an IPv6 entry, family 0 answers alone',
    resolvConf: NS,
    hosts: `${HOSTS}2001:db8::5 only6.test\n`,
    records: [['only6.test', 'A', '192.0.2.5']],
    ask: { host: 'only6.test' },
  },
  {
    name: 'hosts: an IPv4 entry, family 0 answers alone',
    resolvConf: NS,
    hosts: `${HOSTS}192.0.2.5 v4.test\n`,
    records: [['v4.test', 'AAAA', '2001:db8::5']],
    ask: { host: 'v4.test' },
  },
  { name: 'hosts: ::1 answers family 4', resolvConf: NS, hosts: `${HOSTS}::1 v6loop.test\n`, ask: { host: 'v6loop.test', family: 4 } },
  { name: 'hosts: ::1 answers family 0', resolvConf: NS, hosts: `${HOSTS}::1 v6loop.test\n`, ask: { host: 'v6loop.test' } },
  { name: 'hosts: ::ffff:a.b.c.d answers family 4', resolvConf: NS, hosts: `${HOSTS}::ffff:192.0.2.7 mapped.test\n`, ask: { host: 'mapped.test', family: 4 } },
  { name: 'hosts: ::ffff:a.b.c.d, family 0', resolvConf: NS, hosts: `${HOSTS}::ffff:192.0.2.7 mapped.test\n`, ask: { host: 'mapped.test' } },
  { name: 'hosts: ::ffff:a.b.c.d, family 6', resolvConf: NS, hosts: `${HOSTS}::ffff:192.0.2.7 mapped.test\n`, ask: { host: 'mapped.test', family: 6 } },
  { name: 'hosts: an alias', resolvConf: NS, hosts: `${HOSTS}192.0.2.6 canon.test alias.test\n`, ask: { host: 'alias.test' } },
  { name: 'hosts: any case', resolvConf: NS, hosts: `${HOSTS}192.0.2.6 Mixed.Test\n`, ask: { host: 'mIXED.tEST' } },
  { name: 'hosts: asked with a trailing dot', resolvConf: NS, hosts: `${HOSTS}192.0.2.6 dot.test\n`, ask: { host: 'dot.test.' } },
  { name: 'hosts: listed and asked with a trailing dot', resolvConf: NS, hosts: `${HOSTS}192.0.2.6 dotted.test.\n`, ask: { host: 'dotted.test.' } },
  {
    name: 'hosts: several lines for one name',
    resolvConf: NS,
    hosts: `${HOSTS}192.0.2.6 multi.test\n2001:db8::6 multi.test\n192.0.2.16 multi.test\n`,
    ask: { host: 'multi.test' },
  },
  {
    name: 'hosts: the same address twice',
    resolvConf: NS,
    hosts: `${HOSTS}192.0.2.6 twice.test\n192.0.2.6 twice.test\n`,
    ask: { host: 'twice.test', family: 4 },
  },
  {
    name: 'hosts: wins over DNS',
    resolvConf: NS,
    hosts: `${HOSTS}192.0.2.6 both.test\n`,
    records: [['both.test', 'A', '192.0.2.99']],
    ask: { host: 'both.test', family: 4 },
  },
  {
    name: 'hosts: a short name is matched before the search list',
    resolvConf: SEARCH,
    hosts: `${HOSTS}192.0.2.6 h\n`,
    records: BOTH_AT_S1,
    ask: { host: 'h' },
  },
  { name: 'hosts: the search list is not applied to the file', resolvConf: SEARCH, hosts: `${HOSTS}192.0.2.6 h.s2.test\n`, ask: { host: 'h' } },
  {
    name: 'hosts: comments',
    resolvConf: NS,
    hosts: `${HOSTS}# 192.0.2.1 commented.test\n192.0.2.6 kept.test # commented.test\n`,
    ask: { host: 'commented.test', family: 4 },
  },
  {
    name: 'hosts: family 6 with V4MAPPED and an IPv4 entry',
    resolvConf: NS,
    hosts: `${HOSTS}192.0.2.5 v4.test\n`,
    ask: { host: 'v4.test', family: 6, flags: ['V4MAPPED'] },
  },
  { name: 'localhost from the file', resolvConf: NS, ask: { host: 'localhost' } },
];

const familyCases: GlibcCase[] = [
  {
    name: 'family 6 with V4MAPPED: an IPv4-only name',
    resolvConf: NS,
    records: [['v4.test', 'A', '192.0.2.5']],
    ask: { host: 'v4.test', family: 6, flags: ['V4MAPPED'] },
  },
  { name: 'family 6 with V4MAPPED and ALL', resolvConf: NS, records: DUAL_RECORDS, ask: { host: 'd.test', family: 6, flags: ['V4MAPPED', 'ALL'] } },
  { name: 'family 6: an IPv4-only name', resolvConf: NS, records: [['v4.test', 'A', '192.0.2.5']], ask: { host: 'v4.test', family: 6 } },
  { name: 'family 4: an IPv6-only name', resolvConf: NS, records: [['v6.test', 'AAAA', '2001:db8::5']], ask: { host: 'v6.test', family: 4 } },
  { name: 'family 0: a name without addresses', resolvConf: NS, records: [['sub.e.test', 'A', '192.0.2.5']], ask: { host: 'e.test' } },
  { name: 'family 0: NXDOMAIN', resolvConf: NS, ask: { host: 'nx.test' } },
  {
    name: 'family 0: several addresses of each family',
    resolvConf: NS,
    records: [
      ['m.test', 'A', ['192.0.2.1', '192.0.2.2']],
      ['m.test', 'AAAA', ['2001:db8::1', '2001:db8::2']],
    ],
    ask: { host: 'm.test' },
  },
];

const addrconfigCases: GlibcCase[] = [
  { name: 'ADDRCONFIG: family 4, loopback only', resolvConf: NS, records: DUAL_RECORDS, ask: { host: 'd.test', family: 4, flags: ['ADDRCONFIG'] } },
  { name: 'ADDRCONFIG: family 6, loopback only', resolvConf: NS, records: DUAL_RECORDS, ask: { host: 'd.test', family: 6, flags: ['ADDRCONFIG'] } },
  { name: 'ADDRCONFIG: family 0, loopback only', resolvConf: NS, records: DUAL_RECORDS, ask: { host: 'd.test', flags: ['ADDRCONFIG'] } },
  {
    name: 'ADDRCONFIG: family 0, IPv4 and a link-local IPv6',
    resolvConf: NS,
    records: DUAL_RECORDS,
    interfaces: ['192.0.2.100/24', 'link-local'],
    ask: { host: 'd.test', flags: ['ADDRCONFIG'] },
  },
  {
    name: 'ADDRCONFIG: family 0, IPv4 only',
    resolvConf: NS,
    records: DUAL_RECORDS,
    interfaces: ['192.0.2.100/24'],
    ask: { host: 'd.test', flags: ['ADDRCONFIG'] },
  },
  {
    name: 'ADDRCONFIG: family 0, IPv6 only',
    resolvConf: NS,
    records: DUAL_RECORDS,
    interfaces: ['2001:db8::100/64'],
    ask: { host: 'd.test', flags: ['ADDRCONFIG'] },
  },
  {
    name: 'ADDRCONFIG: family 4 with IPv4',
    resolvConf: NS,
    records: DUAL_RECORDS,
    interfaces: ['192.0.2.100/24'],
    ask: { host: 'd.test', family: 4, flags: ['ADDRCONFIG'] },
  },
  {
    name: 'ADDRCONFIG: family 6 with IPv4 only',
    resolvConf: NS,
    records: DUAL_RECORDS,
    interfaces: ['192.0.2.100/24'],
    ask: { host: 'd.test', family: 6, flags: ['ADDRCONFIG'] },
  },
  {
    name: 'ADDRCONFIG: family 4, loopback only, a hosts entry',
    resolvConf: NS,
    hosts: `${HOSTS}192.0.2.6 h4.test\n`,
    ask: { host: 'h4.test', family: 4, flags: ['ADDRCONFIG'] },
  },
  {
    name: 'ADDRCONFIG: an IP literal, family 4, loopback only',
    resolvConf: NS,
    ask: { host: '192.0.2.1', family: 4, flags: ['ADDRCONFIG'] },
    deliberate: 'IP literals are answered as given',
  },
  {
    name: 'ADDRCONFIG: family 0 with a search list, IPv4 only',
    resolvConf: SEARCH,
    records: [
      ['h.s1.test', 'AAAA', '2001:db8::1'],
      ['h.s2.test', 'A', '192.0.2.2'],
    ],
    interfaces: ['192.0.2.100/24'],
    ask: { host: 'h', flags: ['ADDRCONFIG'] },
  },
];

const GAI_V4_FIRST = 'precedence ::ffff:0:0/96 100\n';
const orderCases: GlibcCase[] = [
  { name: 'order: IPv6 first by default', resolvConf: NS, records: DUAL_RECORDS, interfaces: DUAL, order: true, ask: { host: 'd.test' } },
  {
    name: 'gai.conf: precedence puts IPv4 first',
    resolvConf: NS,
    gaiConf: GAI_V4_FIRST,
    records: DUAL_RECORDS,
    interfaces: DUAL,
    order: true,
    ask: { host: 'd.test' },
  },
  {
    // Merged into RFC 6724's table (IPv4 35) or glibc's (IPv4 10), 37 would put IPv6 first;
    // replacing it leaves IPv4 to the added ::/0 entry, 40.
    name: 'gai.conf: one precedence line replaces the whole table',
    resolvConf: NS,
    gaiConf: 'precedence 2001:db8::/32 37\n',
    records: DUAL_RECORDS,
    interfaces: DUAL,
    order: true,
    ask: { host: 'd.test' },
  },
  {
    name: 'gai.conf: label lines replace the label table',
    resolvConf: NS,
    gaiConf: 'label ::/0 1\nlabel 2001:db8::/32 7\n',
    records: DUAL_RECORDS,
    interfaces: DUAL,
    order: true,
    ask: { host: 'd.test' },
  },
  {
    name: 'gai.conf: comments and unknown lines are ignored',
    resolvConf: NS,
    gaiConf: `# a comment\nreload no\n${GAI_V4_FIRST}`,
    records: DUAL_RECORDS,
    interfaces: DUAL,
    order: true,
    ask: { host: 'd.test' },
  },
];

const specialCases: GlibcCase[] = [
  {
    name: 'special: a .invalid name in DNS',
    resolvConf: NS,
    records: [['x.invalid', 'A', '192.0.2.10']],
    ask: { host: 'x.invalid' },
    deliberate: '.invalid and .onion',
  },
  {
    name: 'special: a .onion name in DNS',
    resolvConf: NS,
    records: [['x.onion', 'A', '192.0.2.10']],
    ask: { host: 'x.onion' },
    deliberate: '.invalid and .onion',
  },
  {
    name: 'special: the bare label invalid with a search list',
    resolvConf: SEARCH,
    records: [['invalid.s1.test', 'A', '192.0.2.10']],
    ask: { host: 'invalid' },
    deliberate: '.invalid and .onion',
  },
  { name: 'special: a .invalid name in the hosts file', resolvConf: NS, hosts: `${HOSTS}192.0.2.11 x.invalid\n`, ask: { host: 'x.invalid', family: 4 } },
  { name: 'special: a .localhost name not in the file', resolvConf: NS, ask: { host: 'a.localhost', family: 4 }, deliberate: 'localhost' },
  { name: 'special: localhost with a trailing dot', resolvConf: NS, ask: { host: 'localhost.', family: 4 }, deliberate: 'localhost' },
];

export const glibcCases: GlibcCase[] = [
  ...searchCases,
  ...serverCases,
  ...ndotsCases,
  ...optionCases,
  ...hostsCases,
  ...familyCases,
  ...addrconfigCases,
  ...orderCases,
  ...specialCases,
];
