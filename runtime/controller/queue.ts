// Queue controllers: per-key reconciles fed by input changes mapped to keys, and the requeue request they may return.
import type { Pointer } from '../../resources/index.js';
import type { ControllerContext } from './context.js';
import type { ControllerDeclaration } from './declaration.js';

/** Returned by `reconcileKey` to have the key reconciled again after `ms` milliseconds (sooner if an input changes). */
export interface Requeue {
  readonly requeueAfterMs: number;
}

/** A requeue request for `reconcileKey` to return. */
export function requeueAfter(ms: number): Requeue {
  return Object.freeze({ requeueAfterMs: Math.max(0, ms) });
}

/** True when `v` is a requeue request. */
export function isRequeue(v: unknown): v is Requeue {
  return typeof v === 'object' && v !== null && typeof (v as Partial<Requeue>).requeueAfterMs === 'number';
}

/**
 * A controller reconciled per key. The runtime hands every changed input resource (bootstrap contents included) to
 * `mapInput`, queues the keys it returns (deduplicated), and runs `reconcileKey` on up to `concurrency` keys at a time,
 * never the same key twice at once: a key signalled while in flight runs again after it finishes. A key whose reconcile
 * throws is retried with its own backoff while the others go on; returning {@link requeueAfter} schedules it again.
 */
export interface QueueController extends ControllerDeclaration {
  /** Keys reconciled at once (default 1). */
  readonly concurrency?: number;
  /** The keys to reconcile when the input at `ptr` changed; `ptr` may name a resource that is gone. */
  mapInput(ptr: Pointer): Pointer[] | Promise<Pointer[]>;
  /** Brings the world in line for one key; re-reads what it needs through `ctx`. */
  // `void` lets an async reconcile that returns nothing implement this; the rule knows no such case.
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type
  reconcileKey(ctx: ControllerContext, key: Pointer): Promise<Requeue | undefined | void>;
}
