// Injected time for the controller runtime: the current time and abortable sleeps, with a real default.

/** The runtime's view of time; tests inject their own to record or shorten delays. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds, or as soon as `signal` aborts (it never rejects: callers check `signal.aborted`). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The longest delay setTimeout honours; a longer one fires after 1 ms (with a TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The real clock: `Date.now` and `setTimeout`, whose timer is cleared on abort so that nothing is left pending. A sleep
 * longer than setTimeout allows (a certificate renewal months away) is taken in steps.
 */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const end = Date.now() + ms;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const step = (): void => {
        const left = end - Date.now();
        if (left <= 0 || ms <= MAX_TIMER_MS) {
          signal.removeEventListener('abort', onAbort);
          resolve();
          return;
        }
        timer = setTimeout(step, Math.min(left, MAX_TIMER_MS));
      };
      timer = setTimeout(step, Math.min(ms, MAX_TIMER_MS));
      signal.addEventListener('abort', onAbort, { once: true });
    }),
};

/** Reads `signal.aborted` afresh: TypeScript keeps a narrowing of the property across awaits, this call does not. */
export function aborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
