import t from 'tap';
import type { SeenQuery } from '../../lib/lab/dns-server.js';
import { glibcOutcome, ourOutcome, steps } from './compare.js';

t.test('outcome classes: EAI_* and Node codes side by side', async (t) => {
  t.same(['EAI_NONAME', 'EAI_NODATA', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_SYSTEM', undefined].map(glibcOutcome), [
    'noname',
    'nodata',
    'again',
    'fail',
    'EAI_SYSTEM',
    'ok',
  ]);
  t.same(['ENOTFOUND', 'ENODATA', 'ETIMEOUT', 'ESERVFAIL', 'EREFUSED', 'ECONNREFUSED', 'EBADRESP', 'EBADNAME', 'ECANCELLED', undefined].map(ourOutcome), [
    'noname',
    'nodata',
    'again',
    'again',
    'again',
    'again',
    'again',
    'fail',
    'ECANCELLED',
    'ok',
  ]);
});

t.test('steps: runs of one name with the set of types asked, and TCP when used', async (t) => {
  const q = (name: string, type: string, at: number, transport: 'udp' | 'tcp' = 'udp'): SeenQuery => ({ name, type, transport, at, id: 0, port: 0 });
  t.same(steps([q('b', 'A', 3), q('a', 'AAAA', 2), q('a', 'A', 1), q('a', 'A', 1.5), q('b', 'AAAA', 4, 'tcp'), q('c', 'A', 5, 'tcp'), q('a', 'A', 6)]), [
    'a:A,AAAA',
    'b:A,AAAA/tcp,udp',
    'c:A/tcp',
    'a:A',
  ]);
  t.same(steps([]), []);
});
