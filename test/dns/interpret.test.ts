import dnsPacket from 'dns-packet';
import t from 'tap';
import { MAX_CNAME_LINKS, interpret, sameName, soaNegativeTtl, type Outcome } from '../../lib/dns/interpret.js';
import { decodeReply } from '../../lib/dns/reply.js';
import type { AddressRecordType } from '../../lib/dns/types.js';

type Rr = dnsPacket.Answer;
const RCODES = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

const a = (name: string, data: string, ttl = 300, klass: 'IN' | 'CH' = 'IN'): Rr => ({ name, type: 'A', class: klass, ttl, data });
const aaaa = (name: string, data: string, ttl = 300): Rr => ({ name, type: 'AAAA', class: 'IN', ttl, data });
const cname = (name: string, data: string, ttl = 300): Rr => ({ name, type: 'CNAME', class: 'IN', ttl, data });
const soa = (name: string, ttl: number, minimum: number): Rr => ({
  name,
  type: 'SOA',
  class: 'IN',
  ttl,
  // (For the root, 'ns.' not 'ns..': dns-packet writes an empty label as a stray zero byte.)
  data: { mname: `ns.${name}`.replace(/\.\.$/, '.'), rname: `host.${name}`.replace(/\.\.$/, '.'), serial: 1, refresh: 1, retry: 1, expire: 1, minimum },
});

interface Case {
  what: string;
  name?: string;
  type?: AddressRecordType;
  rcode?: keyof typeof RCODES;
  answers?: Rr[];
  authorities?: Rr[];
  extendedRcode?: number;
  links?: number;
  visited?: string[];
  want: Outcome;
}

const N = 'host.example.test';

const cases: Case[] = [
  {
    what: 'an A RRset',
    answers: [a(N, '192.0.2.1', 300), a(N, '192.0.2.2', 200)],
    want: {
      kind: 'records',
      records: [
        { address: '192.0.2.1', ttl: 300 },
        { address: '192.0.2.2', ttl: 200 },
      ],
      ttl: 200,
      cnames: [],
    },
  },
  {
    what: 'an AAAA RRset',
    type: 'AAAA',
    answers: [aaaa(N, '2001:db8::1', 60)],
    want: { kind: 'records', records: [{ address: '2001:db8::1', ttl: 60 }], ttl: 60, cnames: [] },
  },
  {
    what: 'records of another type, class or owner are ignored',
    answers: [aaaa(N, '2001:db8::1'), a(N, '192.0.2.9', 300, 'CH'), a('other.example.test', '192.0.2.8'), a(N, '192.0.2.1', 30)],
    want: { kind: 'records', records: [{ address: '192.0.2.1', ttl: 30 }], ttl: 30, cnames: [] },
  },
  {
    what: 'owner matched without ASCII case (RFC 4343)',
    answers: [a('HOST.Example.TEST', '192.0.2.1')],
    want: { kind: 'records', records: [{ address: '192.0.2.1', ttl: 300 }], ttl: 300, cnames: [] },
  },
  {
    what: 'a TTL with the top bit set counts as 0 (RFC 2181 §8)',
    answers: [a(N, '192.0.2.1', 0x80000000)],
    want: { kind: 'records', records: [{ address: '192.0.2.1', ttl: 0 }], ttl: 0, cnames: [] },
  },
  {
    what: 'a CNAME chain in any order, any case; TTL is the smallest over chain and RRset',
    answers: [a('C.example.test', '192.0.2.3', 500), cname('b.example.test', 'c.example.test', 40), cname('HOST.example.test', 'B.example.test', 400)],
    want: { kind: 'records', records: [{ address: '192.0.2.3', ttl: 500 }], ttl: 40, cnames: ['B.example.test', 'c.example.test'] },
  },
  {
    what: 'records of the first name are ignored once a CNAME moves on',
    answers: [cname(N, 'c.example.test'), a(N, '192.0.2.66'), a('c.example.test', '192.0.2.3')],
    want: { kind: 'records', records: [{ address: '192.0.2.3', ttl: 300 }], ttl: 300, cnames: ['c.example.test'] },
  },
  {
    what: 'a chain that stops short without a SOA: ask the target',
    answers: [cname(N, 'www.other.test', 90)],
    want: { kind: 'follow', target: 'www.other.test', ttl: 90, cnames: ['www.other.test'] },
  },
  {
    what: 'a chain that stops short with a SOA: NODATA for the target',
    answers: [cname(N, 'c.example.test')],
    authorities: [soa('example.test', 120, 60)],
    want: { kind: 'negative', code: 'ENODATA', negativeTtl: 60, cnames: ['c.example.test'] },
  },
  {
    what: 'NXDOMAIN: negative TTL = SOA MINIMUM when smaller (RFC 2308 §5)',
    rcode: 'NXDOMAIN',
    authorities: [soa('example.test', 120, 60)],
    want: { kind: 'negative', code: 'ENOTFOUND', negativeTtl: 60, cnames: [] },
  },
  {
    what: 'NXDOMAIN: negative TTL = SOA TTL when smaller',
    rcode: 'NXDOMAIN',
    authorities: [soa('example.test', 30, 300)],
    want: { kind: 'negative', code: 'ENOTFOUND', negativeTtl: 30, cnames: [] },
  },
  {
    what: 'NXDOMAIN at the end of a chain (RFC 6604 §3)',
    rcode: 'NXDOMAIN',
    answers: [cname(N, 'gone.example.test')],
    authorities: [soa('example.test', 120, 60)],
    want: { kind: 'negative', code: 'ENOTFOUND', negativeTtl: 60, cnames: ['gone.example.test'] },
  },
  {
    what: 'NODATA without a SOA: no negative TTL',
    want: { kind: 'negative', code: 'ENODATA', negativeTtl: undefined, cnames: [] },
  },
  {
    what: 'a SOA of an unrelated zone is not used',
    authorities: [soa('other.test', 10, 10)],
    want: { kind: 'negative', code: 'ENODATA', negativeTtl: undefined, cnames: [] },
  },
  {
    what: 'a root SOA is an ancestor of every name',
    authorities: [soa('.', 10, 20)],
    want: { kind: 'negative', code: 'ENODATA', negativeTtl: 10, cnames: [] },
  },
  { what: 'SERVFAIL', rcode: 'SERVFAIL', want: { kind: 'failure', code: 'ESERVFAIL', reason: 'RCODE SERVFAIL' } },
  { what: 'REFUSED', rcode: 'REFUSED', want: { kind: 'failure', code: 'EREFUSED', reason: 'RCODE REFUSED' } },
  { what: 'FORMERR', rcode: 'FORMERR', want: { kind: 'failure', code: 'EBADRESP', reason: 'RCODE FORMERR' } },
  { what: 'NOTIMP', rcode: 'NOTIMP', want: { kind: 'failure', code: 'EBADRESP', reason: 'RCODE NOTIMP' } },
  {
    what: 'an extended RCODE in OPT (BADVERS)',
    extendedRcode: 1,
    answers: [a(N, '192.0.2.1')],
    want: { kind: 'failure', code: 'EBADRESP', reason: 'extended RCODE (RFC 6891 §6.1.3)' },
  },
  {
    what: 'a CNAME loop inside the answer',
    answers: [cname(N, 'b.example.test'), cname('b.example.test', 'host.EXAMPLE.test')],
    want: { kind: 'broken', code: 'ESERVFAIL', reason: 'CNAME loop at host.EXAMPLE.test' },
  },
  {
    what: 'a CNAME back to a name asked earlier in the chain',
    answers: [cname(N, 'first.example.test')],
    visited: ['first.example.test'],
    links: 1,
    want: { kind: 'broken', code: 'ESERVFAIL', reason: 'CNAME loop at first.example.test' },
  },
  {
    what: `a chain longer than ${MAX_CNAME_LINKS} links`,
    answers: Array.from({ length: MAX_CNAME_LINKS + 1 }, (_, i) => cname(i === 0 ? N : `c${i}.example.test`, `c${i + 1}.example.test`)),
    want: { kind: 'broken', code: 'ESERVFAIL', reason: `CNAME chain longer than ${MAX_CNAME_LINKS}` },
  },
  {
    what: `exactly ${MAX_CNAME_LINKS} links is allowed`,
    answers: [
      ...Array.from({ length: MAX_CNAME_LINKS }, (_, i) => cname(i === 0 ? N : `c${i}.example.test`, `c${i + 1}.example.test`)),
      a(`c${MAX_CNAME_LINKS}.example.test`, '192.0.2.8'),
    ],
    want: {
      kind: 'records',
      records: [{ address: '192.0.2.8', ttl: 300 }],
      ttl: 300,
      cnames: Array.from({ length: MAX_CNAME_LINKS }, (_, i) => `c${i + 1}.example.test`),
    },
  },
  {
    what: 'links from earlier queries count toward the limit',
    answers: [cname(N, 'next.example.test')],
    links: MAX_CNAME_LINKS,
    want: { kind: 'broken', code: 'ESERVFAIL', reason: `CNAME chain longer than ${MAX_CNAME_LINKS}` },
  },
];

for (const c of cases) {
  t.test(c.what, async (t) => {
    const packet = dnsPacket.encode({
      type: 'response',
      id: 1,
      flags: RCODES[c.rcode ?? 'NOERROR'],
      questions: [{ name: c.name ?? N, type: c.type ?? 'A' }],
      answers: c.answers ?? [],
      authorities: c.authorities ?? [],
      additionals: [
        { name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: c.extendedRcode ?? 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] },
      ],
    });
    const reply = decodeReply(packet)!;
    const visited = new Set(c.visited ?? []);
    t.same(interpret(reply, c.name ?? N, c.type ?? 'A', { visited, links: c.links ?? 0 }), c.want);
  });
}

t.test('sameName and soaNegativeTtl edge cases', async (t) => {
  t.ok(sameName('a.B', 'A.b'));
  t.notOk(sameName('a.b', 'a.bc'));
  t.notOk(sameName('straße', 'STRASSE'), 'only ASCII case folds');
  const reply = decodeReply(
    dnsPacket.encode({ type: 'response', id: 1, questions: [{ name: N, type: 'A' }], authorities: [soa('example.test', 0xffffffff, 0xfffffff0)] }),
  )!;
  t.equal(soaNegativeTtl(reply, N), 0, 'top-bit TTL and MINIMUM count as 0');
});
