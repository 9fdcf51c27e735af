/** What `fn` throws, or undefined: for asserting on a thrown error's fields. */
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}
