/**
 * The promise `connect()` returns. Building a PCancelable costs about 11 µs here (more than
 * the rest of a race's start, docs/benchmarks.md), so the next one is built ahead, on the
 * loop turn after a race ended, and taken by the next call; it is used once, never shared.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import PCancelable from 'p-cancelable';

export interface PendingConnect {
  promise: PCancelable<net.Socket | tls.TLSSocket>;
  resolve(socket: net.Socket | tls.TLSSocket): void;
  reject(error: unknown): void;
  /** Registers what `cancel()` runs (the race's own cancel, which rejects with its CancelError). */
  onCancel(handler: () => void): void;
}

let spare: PendingConnect | undefined;

function build(): PendingConnect {
  let parts: Omit<PendingConnect, 'promise'> | undefined;
  const promise = new PCancelable<net.Socket | tls.TLSSocket>((resolve, reject, onCancel) => {
    // cancel() rejects with the race's CancelError, which has a code, not with p-cancelable's own.
    onCancel.shouldReject = false;
    parts = { resolve, reject, onCancel };
  });
  return { promise, ...parts! };
}

/** The promise built ahead, else a new one. */
export function takePendingConnect(): PendingConnect {
  const pending = spare ?? build();
  spare = undefined;
  return pending;
}

/** Builds the next call's promise now, unless one is waiting. */
export function preparePendingConnect(): void {
  spare ??= build();
}
