import t from 'tap';
import { abortQueries, prepareAbortController, takeAbortController } from '../../lib/racer/abort-spare.js';

t.test('a controller made ahead is handed out once, then new ones', async (t) => {
  prepareAbortController();
  prepareAbortController(); // one waits already: no second
  const first = takeAbortController();
  const second = takeAbortController();
  t.not(first, second);
  t.equal(first.signal.aborted, false);
  t.equal(second.signal.aborted, false);
});

t.test('R16: a won race aborts its pending queries on the next turn, any other end at once', async (t) => {
  const now = takeAbortController();
  abortQueries(now, false);
  t.equal(now.signal.aborted, true, 'at once');
  const later = takeAbortController();
  abortQueries(later, true);
  await Promise.resolve();
  t.equal(later.signal.aborted, false, 'not within the turn: the caller gets the socket first');
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(later.signal.aborted, true, 'on the next turn');
});
