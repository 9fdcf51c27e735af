import t from 'tap';
import PCancelable from 'p-cancelable';
import { preparePendingConnect, takePendingConnect } from '../lib/connect-promise.js';

t.test('the promise made ahead is a PCancelable, used once; cancel runs the handler and nothing else', async (t) => {
  preparePendingConnect();
  preparePendingConnect(); // one waits already
  const prepared = takePendingConnect();
  const fresh = takePendingConnect();
  t.not(prepared.promise, fresh.promise, 'never shared');
  t.type(prepared.promise, PCancelable);
  let cancelled = 0;
  prepared.onCancel(() => void cancelled++);
  prepared.promise.cancel();
  t.equal(cancelled, 1);
  // shouldReject is off: the race's own CancelError is what rejects.
  prepared.reject(new Error('from the race'));
  await t.rejects(prepared.promise, { message: 'from the race' });
  const socket = {} as never;
  fresh.resolve(socket);
  t.equal(await fresh.promise, socket);
});
