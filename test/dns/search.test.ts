import t from 'tap';
import { searchCandidates } from '../../lib/dns/search.js';

const cases: Array<{ name: string; search: string[]; ndots: number; want: string[] }> = [
  { name: 'www', search: ['a.test', 'b.test'], ndots: 1, want: ['www.a.test', 'www.b.test', 'www'] },
  { name: 'www.example', search: ['a.test'], ndots: 1, want: ['www.example', 'www.example.a.test'] },
  { name: 'www.example', search: ['a.test'], ndots: 2, want: ['www.example.a.test', 'www.example'] },
  { name: 'www.example.', search: ['a.test'], ndots: 5, want: ['www.example'] },
  { name: 'host', search: [], ndots: 1, want: ['host'] },
  { name: 'host', search: ['dotted.test.'], ndots: 1, want: ['host.dotted.test', 'host'] },
];

for (const c of cases) {
  t.test(`${c.name} ndots:${c.ndots} search:${c.search.join(',') || '-'}`, async (t) => {
    t.same(searchCandidates(c.name, { search: c.search, ndots: c.ndots }), c.want);
  });
}
