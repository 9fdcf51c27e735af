import t from 'tap';
import { searchCandidates, searchPlan } from '../../lib/dns/search.js';

const cases: Array<{ name: string; search: string[]; ndots: number; noTldQuery?: boolean; want: string[] }> = [
  { name: 'www', search: ['a.test', 'b.test'], ndots: 1, want: ['www.a.test', 'www.b.test', 'www'] },
  { name: 'www.example', search: ['a.test'], ndots: 1, want: ['www.example', 'www.example.a.test'] },
  { name: 'www.example', search: ['a.test'], ndots: 2, want: ['www.example.a.test', 'www.example'] },
  { name: 'www.example.', search: ['a.test'], ndots: 5, want: ['www.example'] },
  { name: 'host', search: [], ndots: 1, want: ['host'] },
  { name: 'host', search: ['dotted.test.'], ndots: 1, want: ['host.dotted.test', 'host'] },
  // The root: the name itself at its place, not again at the end (glibc root_on_list).
  { name: 'host', search: ['.', 'a.test'], ndots: 1, want: ['host', 'host.a.test'] },
  { name: 'host', search: ['a.test', '.'], ndots: 1, want: ['host.a.test', 'host'] },
  // As is first, then the root asks it again: glibc does.
  { name: 'a.b', search: ['.'], ndots: 1, want: ['a.b', 'a.b'] },
  // no-tld-query: a dotless name is not asked as is, unless there is no search list.
  { name: 'host', search: ['a.test'], ndots: 1, noTldQuery: true, want: ['host.a.test'] },
  { name: 'host', search: [], ndots: 1, noTldQuery: true, want: ['host'] },
  { name: 'a.b', search: ['a.test'], ndots: 2, noTldQuery: true, want: ['a.b.a.test', 'a.b'] },
];

for (const c of cases) {
  t.test(`${c.name} ndots:${c.ndots} search:${c.search.join(',') || '-'}`, async (t) => {
    t.same(searchCandidates(c.name, { search: c.search, ndots: c.ndots, noTldQuery: c.noTldQuery }), c.want);
  });
}

t.test('searchPlan: the three parts', async (t) => {
  t.same(searchPlan('x.', { search: ['a.test'], ndots: 1 }), { first: 'x', domains: [], last: undefined, absolute: true });
  t.same(searchPlan('x.y', { search: ['a.test'], ndots: 1 }), { first: 'x.y', domains: ['x.y.a.test'], last: undefined, absolute: false });
  t.same(searchPlan('x', { search: ['a.test'], ndots: 1 }), { first: undefined, domains: ['x.a.test'], last: 'x', absolute: false });
});
