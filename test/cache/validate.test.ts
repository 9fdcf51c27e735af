/** validate.ts: the argument checks of DnsCache's calls. */
import t from 'tap';
import { checkQuery, checkType, normalizeName } from '../../lib/cache/validate.js';
import { InvalidArgumentError } from '../../lib/errors.js';

t.test('normalizeName: lowercase (RFC 4343), no root dot; not empty, a string', async (t) => {
  t.equal(normalizeName('WWW.Example.TEST.'), 'www.example.test');
  t.equal(normalizeName('a'), 'a');
  for (const bad of ['', '.', 5, null]) t.throws(() => normalizeName(bad), { name: 'InvalidArgumentError', option: 'name' }, String(bad));
});

t.test('checkType and checkQuery: A or AAAA, a fetch function, options with an optional signal', async (t) => {
  t.doesNotThrow(() => checkType('AAAA'));
  t.throws(() => checkType('MX'), InvalidArgumentError);
  const fetch = async () => undefined;
  t.equal(checkQuery('A', fetch, undefined), undefined);
  t.equal(checkQuery('A', fetch, {}), undefined);
  const signal = new AbortController().signal;
  t.equal(checkQuery('A', fetch, { signal }), signal);
  t.throws(() => checkQuery('A', 'fetch', undefined), { name: 'InvalidArgumentError', option: 'fetch' } as unknown as Error);
  t.throws(() => checkQuery('A', fetch, null as never), { name: 'InvalidArgumentError', option: 'options' } as unknown as Error);
  t.throws(() => checkQuery('A', fetch, { signal: {} as AbortSignal }), { name: 'InvalidArgumentError', option: 'signal' } as unknown as Error);
});
