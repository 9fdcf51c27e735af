/** An AbortSignal that no AbortController of this realm made (as a polyfill's or another realm's). */
export function foreignController(): { signal: AbortSignal; abort(): void } {
  const target = Object.assign(new EventTarget(), { aborted: false, reason: undefined as unknown });
  return {
    signal: target as unknown as AbortSignal,
    abort: () => {
      target.aborted = true;
      target.reason = new Error('aborted');
      target.dispatchEvent(new Event('abort'));
    },
  };
}
