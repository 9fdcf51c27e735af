import t from 'tap';
import { nodeInternal } from '../../lib/adapters/handle-adoption.js';

t.test('a Node without one of the socket fields createConnection needs: an error that says so and what still works', async (t) => {
  t.throws(() => nodeInternal({}, 'no such field'), {
    message:
      /has no socket field "no such field"; createConnection\(\) cannot hand over the connection \(connect\(\), the agents and connector\(\) still work\)/,
  });
  const key = Symbol('kPresent');
  t.equal(nodeInternal({ [key]: 1 }, 'kPresent'), key, 'found by its description');
  t.equal(nodeInternal({}, 'kPresent'), key, 'then remembered');
});
