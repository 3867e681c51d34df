// A daemon's memory between bursts: now and then a full garbage collection (when node runs with --expose-gc), then the
// C heap trimmed. Go's runtime, which the established system's daemon uses, forces a collection every two minutes for
// the same reason: a process that allocates slowly would otherwise keep its garbage until the heap's next limit.
import { trimMalloc } from '../host/malloc-trim.js';

/** V8's gc() as --expose-gc gives it; the options form runs the marking concurrently instead of in one pause. */
type Gc = (options: { type: 'major'; execution: 'async' }) => Promise<void> | undefined;

/** What `collectPeriodically` runs; the defaults are the real ones. */
export interface CollectOptions {
  /** How often (ms). */
  readonly periodMs: number;
  /** The collector; default `globalThis.gc`, absent unless node runs with --expose-gc (then only the trim runs). */
  readonly gc?: Gc | undefined;
  /** Trims the C heap; false when it cannot (not glibc), which stops the trimming. */
  readonly trim?: () => boolean;
}

/** A running collector: stop it, or collect now (once start-up is done) as well as every period. */
export interface Collector {
  readonly collectNow: () => void;
  readonly stop: () => void;
}

/**
 * Every `periodMs`: a full collection, then a trim of the C heap (what the collection freed behind JS objects, TLS
 * sessions and buffers, goes back to the kernel). The timer never keeps the process alive; one collection runs at a
 * time.
 */
export function collectPeriodically(options: CollectOptions): Collector {
  const gc = 'gc' in options ? options.gc : (globalThis as { gc?: Gc }).gc;
  const trim = options.trim ?? trimMalloc;
  let trimming = true;
  let running = false;
  const collect = (): void => {
    if (running) return;
    running = true;
    Promise.resolve(gc?.({ type: 'major', execution: 'async' }))
      .then(() => {
        if (trimming) trimming = trim();
      })
      .catch(() => undefined)
      .finally(() => {
        running = false;
      });
  };
  const timer = setInterval(collect, options.periodMs);
  timer.unref();
  return {
    collectNow: collect,
    stop: () => {
      clearInterval(timer);
    },
  };
}
