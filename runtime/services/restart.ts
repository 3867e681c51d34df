// Restart decisions: whether a service's policy restarts it after an exit, and how long to wait before doing so.
import type { ExitInfo } from './runner.js';
import type { RestartPolicy } from './service.js';

/** Options of {@link RestartBackoff}. */
export interface RestartBackoffOptions {
  /** The longest delay between automatic restarts (default 30000 ms; never below the service's own delay). */
  readonly maxDelayMs: number;
  /** A run at least this long resets the backoff: the next delay is the base again (default 10000 ms). */
  readonly stableRunMs: number;
}

/** A 30 s cap; a run of 10 s or more resets the backoff. */
export const DEFAULT_RESTART_BACKOFF: RestartBackoffOptions = { maxDelayMs: 30_000, stableRunMs: 10_000 };

/**
 * The delay before each automatic restart of one service: the base after a stable run, doubled for each fast
 * failure in a row (a start that failed counts as a run of 0 ms), capped, so a missing binary retries at the cap
 * instead of spinning.
 */
export class RestartBackoff {
  private fast = 0;

  constructor(
    private readonly baseMs: number,
    private readonly o: RestartBackoffOptions,
  ) {}

  /** Runs in a row that were shorter than the stable time. */
  get fastFailures(): number {
    return this.fast;
  }

  /** The delay before the next start, given how long the last run lasted. */
  next(ranMs: number): number {
    if (ranMs >= this.o.stableRunMs) this.fast = 0;
    const cap = Math.max(this.baseMs, this.o.maxDelayMs);
    const delay = Math.min(cap, this.baseMs * 2 ** Math.min(this.fast, 30));
    this.fast++;
    return delay;
  }
}

/** True when `policy` starts the service again after a run that ended with `exit` (undefined: it never started). */
export function restartsAfter(policy: RestartPolicy, exit: ExitInfo | undefined): boolean {
  switch (policy) {
    case 'Forever':
      return true;
    case 'UntilSuccess':
      return exit?.code !== 0;
    case 'Once':
      return false;
  }
}

/** A delay for people: `250ms`, `5s`, `1.5s`. */
export function formatDelay(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${Number((ms / 1000).toFixed(1))}s`;
}
