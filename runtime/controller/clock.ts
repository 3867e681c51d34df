// Injected time for the controller runtime: the current time and abortable sleeps, with a real default.

/** The runtime's view of time; tests inject their own to record or shorten delays. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds, or as soon as `signal` aborts (it never rejects: callers check `signal.aborted`). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The real clock: `Date.now` and `setTimeout`, whose timer is cleared on abort so that nothing is left pending. */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    }),
};

/** Reads `signal.aborted` afresh: TypeScript keeps a narrowing of the property across awaits, this call does not. */
export function aborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
