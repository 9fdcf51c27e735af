import t from 'tap';
import { isSpecialUseName } from '../../lib/dns/special-use.js';

t.test('.invalid (RFC 6761 §6.4) and .onion (RFC 7686 §2), and the bare labels', async (t) => {
  for (const name of ['invalid', 'x.invalid', 'A.B.INVALID.', 'onion', 'abc.onion', 'x.Onion.']) t.ok(isSpecialUseName(name), name);
  for (const name of ['invalid.test', 'xinvalid', 'onion.example', 'myonion', 'localhost', 'example.test']) t.notOk(isSpecialUseName(name), name);
});
