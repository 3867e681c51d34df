// RenewalTimer: wakes an issuing controller when its certificates are due for renewal, through the runtime's outside
// event source (plain controllers have no requeue-after), on the injected clock.
import type { Clock } from '../../runtime/index.js';

/**
 * The longest single sleep: Node's timers take at most 2^31-1 ms (24.8 days) and fire at once beyond it, while
 * certificates are renewed months ahead. Longer waits sleep again.
 */
const MAX_SLEEP_MS = 86_400_000;

/** Resolves once `signal` aborts (at once when it has already). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else
      signal.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      );
  });
}

/**
 * One pending deadline. The reconcile pass sets it (`set`) after it issued or checked its certificates; `run`, the
 * controller's `watchOutside`, signals a pass when the deadline passes. Setting a new deadline replaces the old one.
 */
export class RenewalTimer {
  private due: number | undefined;
  private kick: AbortController | undefined;

  constructor(private readonly clock: Clock) {}

  /** The pending deadline (ms since the epoch), if any. */
  get deadline(): number | undefined {
    return this.due;
  }

  /** Sets the deadline (ms since the epoch) of the next pass; undefined cancels it. */
  set(at: number | undefined): void {
    if (at === this.due) return;
    this.due = at;
    this.kick?.abort();
  }

  /** Runs until `signal` aborts, calling `changed()` each time the deadline passes; never rejects. */
  async run(signal: AbortSignal, changed: () => void): Promise<void> {
    while (!signal.aborted) {
      const kick = new AbortController();
      this.kick = kick;
      const onAbort = (): void => {
        kick.abort();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const due = this.due;
      try {
        if (due === undefined) await aborted(kick.signal);
        else await this.clock.sleep(Math.min(MAX_SLEEP_MS, Math.max(0, due - this.clock.now())), kick.signal);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
      // A new deadline (kick), the end (signal) or a partial sleep: go round; only a deadline that passed untouched
      // signals a pass.
      if (kick.signal.aborted || this.due !== due || due === undefined || this.clock.now() < due) continue;
      this.due = undefined;
      changed();
    }
  }
}
