/**
 * Classes whose Node parent is required by their first instance, not by importing the
 * library (the agents' node:http/node:https, the TLS socket's node:tls): each such class
 * extends Object, and its constructor makes the parent its own before `super()`, which
 * looks the parent up when it runs. Instances, subclasses, `super.method()` calls and
 * statics then see the parent as with `extends`.
 */

/** Makes `base` the parent of `derived` (class and prototype), once. */
export function inherit(derived: abstract new (...args: never[]) => unknown, base: abstract new (...args: never[]) => unknown): void {
  if (Object.getPrototypeOf(derived) === base) return;
  Object.setPrototypeOf(derived, base);
  Object.setPrototypeOf(derived.prototype, base.prototype);
}
