import t from 'tap';
import { InvalidArgumentError } from '../../lib/errors.js';
import { interleave } from '../../lib/address/interleave.js';

/** 'a6' → { name: 'a', family: 6 }: short tables that still show the family of each entry. */
const list = (spec: string): Array<{ name: string; family: 4 | 6 }> =>
  spec === '' ? [] : spec.split(' ').map((s) => ({ name: s.slice(0, -1), family: Number(s.slice(-1)) as 4 | 6 }));
const names = (items: ReadonlyArray<{ name: string; family: 4 | 6 }>): string => items.map((i) => `${i.name}${i.family}`).join(' ');

const cases: Array<{ name: string; in: string; count?: number; want: string }> = [
  { name: 'empty', in: '', want: '' },
  { name: 'one address', in: 'a6', want: 'a6' },
  { name: 'single family keeps its order', in: 'a4 b4 c4', want: 'a4 b4 c4' },
  { name: 'single family, count 2', in: 'a6 b6 c6', count: 2, want: 'a6 b6 c6' },
  { name: 'count 1: alternate from the first', in: 'a6 b6 c6 d4 e4 f4', want: 'a6 d4 b6 e4 c6 f4' },
  { name: 'count 1: IPv4 sorted first leads', in: 'd4 e4 a6 b6', want: 'd4 a6 e4 b6' },
  { name: 'count 1: more of the first family', in: 'a6 b6 c6 d6 x4', want: 'a6 x4 b6 c6 d6' },
  { name: 'count 1: more of the other family', in: 'a6 x4 y4 z4', want: 'a6 x4 y4 z4' },
  { name: 'count 1: already mixed input, stable per family', in: 'a6 x4 b6 c6 y4 z4', want: 'a6 x4 b6 y4 c6 z4' },
  { name: 'count 2: two of the first family, then alternate', in: 'a6 b6 c6 d6 x4 y4 z4', count: 2, want: 'a6 b6 x4 c6 y4 d6 z4' },
  { name: 'count 2, IPv4 first', in: 'x4 y4 z4 a6', count: 2, want: 'x4 y4 a6 z4' },
  { name: 'count larger than the first family', in: 'a6 b6 x4 y4', count: 5, want: 'a6 b6 x4 y4' },
  { name: 'count equal to the first family', in: 'a6 b6 x4 y4', count: 2, want: 'a6 b6 x4 y4' },
];

t.test('R10 interleave', async (t) => {
  for (const c of cases) {
    const input = Object.freeze(list(c.in));
    const got = c.count === undefined ? interleave(input) : interleave(input, c.count);
    t.equal(names(got), c.want, c.name);
    t.equal(names(input), c.in, `${c.name}: input untouched`);
    if (input.length > 0) t.equal(got[0], input[0], `${c.name}: the same objects`);
  }
});

t.test('R10 firstAddressFamilyCount must be a positive integer', async (t) => {
  for (const bad of [0, -1, 1.5, NaN, Infinity, '2' as unknown as number]) {
    t.throws(() => interleave(list('a6 x4'), bad), InvalidArgumentError, String(bad));
    t.throws(() => interleave([], bad), { code: 'ERR_HE_INVALID_ARGUMENT', option: 'firstAddressFamilyCount' }, `${String(bad)}: names the option`);
  }
});
