/** cancel.ts: one query's cancellation, with one listener slot for the round trip under way. */
import t from 'tap';
import { CancelScope } from '../../lib/dns/cancel.js';

t.test('cancel() tells the listener once, keeps the first reason, and forgets the listener', async (t) => {
  const scope = new CancelScope();
  const heard: Error[] = [];
  scope.on({ cancelled: (reason) => heard.push(reason) });
  const first = new Error('first');
  scope.cancel(first);
  scope.cancel(new Error('second'));
  t.same(heard, [first]);
  t.equal(scope.reason, first);
  scope.on({ cancelled: () => heard.push(new Error('late')) });
  t.equal(heard.length, 1, 'a listener added after the cancel is not called by it');
});

t.test('off() lets go of that listener only; a second listener while one listens is a bug', async (t) => {
  const scope = new CancelScope();
  const a = { cancelled: () => t.fail('a was taken off') };
  const b = { cancelled: () => t.pass('b told') };
  scope.on(a);
  t.throws(() => scope.on(b), /already listening/);
  scope.off(b);
  scope.off(a);
  scope.on(b);
  t.equal(scope.reason, undefined);
  scope.cancel(new Error('stop'));
});
