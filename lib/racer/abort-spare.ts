/**
 * The AbortController a race's DNS queries share. Node builds an AbortSignal by changing
 * an EventTarget's prototype, which costs about as much as the rest of a race's start
 * (docs/benchmarks.md), so one is made ahead for the next race, on the loop turn after a
 * race ended (connect() calls `prepareAbortController()` then).
 */
let spare: AbortController | undefined;

/** The prepared controller, else a new one; never the same one twice. */
export function takeAbortController(): AbortController {
  const controller = spare ?? new AbortController();
  spare = undefined;
  return controller;
}

/** Makes the next race's controller and its signal now, unless one is waiting. */
export function prepareAbortController(): void {
  if (spare !== undefined) return;
  spare = new AbortController();
  // The signal is made on first access: that is the costly part.
  void spare.signal;
}

/**
 * Aborts `controller` now, or (`later`) on the next turn of the event loop: a race that
 * was won hands its socket over first, then releases the queries still out (building the
 * abort's reason and dispatching it costs more than the rest of the hand-over).
 */
export function abortQueries(controller: AbortController, later: boolean): void {
  if (later) setImmediate(() => controller.abort());
  else controller.abort();
}
