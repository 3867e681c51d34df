// Jittered exponential backoff: the delay before a failed reconcile (of a controller or of one queue key) runs again.
import { InvariantError } from '../../resources/index.js';

/** Backoff parameters: delay n (from 0) is min(maxMs, baseMs * factor^n), then scaled by a random factor in [1-jitter, 1+jitter] and capped at maxMs. */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
}

/** 100 ms doubling up to 30 s, ±20%. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 100, maxMs: 30_000, factor: 2, jitter: 0.2 };

/** Fills in defaults and checks the values; a bad value is a bug in the caller (InvariantError naming it). */
export function backoffOptions(o: Partial<BackoffOptions> = {}): BackoffOptions {
  const b = { ...DEFAULT_BACKOFF, ...o };
  const bad = (field: string, want: string): never => {
    throw new InvariantError(`backoff option ${field}=${String(b[field as keyof BackoffOptions])}: need ${want}`);
  };
  if (!(b.baseMs > 0)) bad('baseMs', '> 0');
  if (!(b.maxMs >= b.baseMs)) bad('maxMs', `>= baseMs (${b.baseMs})`);
  if (!(b.factor >= 1)) bad('factor', '>= 1');
  if (!(b.jitter >= 0 && b.jitter < 1)) bad('jitter', 'in [0, 1)');
  return b;
}

/** The backoff state of one failing thing: each `next()` is longer than the last (up to the cap) until `reset()`. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly opts: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** Failures since the last reset. */
  get failures(): number {
    return this.attempt;
  }

  /** The delay before the next retry, in milliseconds; counts one more failure. */
  next(): number {
    const { baseMs, maxMs, factor, jitter } = this.opts;
    const raw = Math.min(maxMs, baseMs * factor ** this.attempt);
    this.attempt++;
    const scaled = raw * (1 + jitter * (2 * this.random() - 1));
    return Math.min(maxMs, Math.max(0, scaled));
  }

  /** Forgets past failures: the next delay is the base again. */
  reset(): void {
    this.attempt = 0;
  }
}
