import assert from 'node:assert';

/** What `fn` throws (an assertion fails when it does not): for checking an error's fields. */
export function caught(fn: () => unknown): unknown {
  let error: unknown;
  assert.throws(fn, (err: unknown) => ((error = err), true));
  return error;
}
