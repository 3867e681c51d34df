// Turns pull-based watch cursors into the RxJS Observables of the State's watch surface.
import { Observable } from 'rxjs';
import type { WatchCursor, WatchEvent } from './state.js';

/**
 * An Observable that opens a cursor per subscriber and drains it as fast as the subscriber takes events.
 * Unsubscribing closes the cursor; a failure to open it is the Observable's error.
 */
export function observeBatches(open: () => Promise<WatchCursor>): Observable<readonly WatchEvent[]> {
  return new Observable<readonly WatchEvent[]>((subscriber) => {
    const ac = new AbortController();
    let cursor: WatchCursor | undefined;
    const run = async (): Promise<void> => {
      cursor = await open();
      if (ac.signal.aborted) {
        cursor.close();
        return;
      }
      for (;;) {
        // Unsubscribing closes the cursor, which ends a pending next(); passing the signal here would cost an
        // add/removeEventListener on every wait (a quarter of the CPU with 10 watchers).
        const batch = await cursor.next();
        if (batch === null) break;
        subscriber.next(batch);
        if (batch.some((e) => e.type === 'errored')) break;
      }
      subscriber.complete();
    };
    run().catch((e: unknown) => {
      subscriber.error(e);
    });
    return () => {
      ac.abort();
      cursor?.close();
    };
  });
}

/** Like {@link observeBatches}, one event at a time. */
export function observeEvents(open: () => Promise<WatchCursor>): Observable<WatchEvent> {
  return new Observable<WatchEvent>((subscriber) =>
    observeBatches(open).subscribe({
      next: (batch) => {
        for (const e of batch) {
          if (subscriber.closed) return;
          subscriber.next(e);
        }
      },
      error: (e: unknown) => {
        subscriber.error(e);
      },
      complete: () => {
        subscriber.complete();
      },
    }),
  );
}
