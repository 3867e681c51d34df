// The change feed of an in-memory host stand-in: a consumer is woken once at the start and again after changes.

/**
 * Yields once at once, then once after each change reported by calling the listener it adds to `listeners` (changes
 * while the consumer is busy coalesce into one wake), until `signal` aborts; the listener is removed when it ends.
 */
export function wakeups(listeners: Set<() => void>, signal: AbortSignal): AsyncIterable<void> {
  return {
    async *[Symbol.asyncIterator]() {
      let dirty = true;
      let wake: (() => void) | undefined;
      const listener = (): void => {
        dirty = true;
        wake?.();
      };
      const onAbort = (): void => wake?.();
      listeners.add(listener);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        while (!signal.aborted) {
          if (dirty) {
            dirty = false;
            yield;
            continue;
          }
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } finally {
        listeners.delete(listener);
        signal.removeEventListener('abort', onAbort);
      }
    },
  };
}
