// Waiting for a resource to reach a state, driven by its watch (never by polling or fixed sleeps).
import { NotFoundError } from '../errors.js';
import { pointerString, type Pointer, type Resource } from '../resource.js';
import type { State } from './state.js';

/** Options of {@link waitFor}. */
export interface WaitOptions {
  readonly signal?: AbortSignal;
  /** Give up after this many milliseconds (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * Resolves with the resource once `predicate` holds for it (`undefined` is passed while it does not exist);
 * rejects with a message naming the resource and its last seen version on timeout.
 */
export function waitFor(
  state: State,
  ptr: Pointer,
  predicate: (r: Resource | undefined) => boolean,
  opts: WaitOptions = {},
): Promise<Resource | undefined> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    let last: Resource | undefined;
    let bootstrapped = false;
    const finish = (err: Error | undefined, value?: Resource): void => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      sub.unsubscribe();
      if (err === undefined) resolve(value);
      else reject(err);
    };
    const onAbort = (): void => {
      finish(new Error(`waiting for ${pointerString(ptr)} was aborted`));
    };
    const timer = setTimeout(() => {
      const seen = last === undefined ? 'it does not exist' : `last seen at version ${last.metadata.version}`;
      finish(new Error(`timed out after ${timeoutMs} ms waiting for ${pointerString(ptr)}: ${seen}`));
    }, timeoutMs);
    const check = (): void => {
      if (predicate(last)) finish(undefined, last);
    };
    const sub = state.watch(ptr).subscribe({
      next: (e) => {
        if (e.type === 'created' || e.type === 'updated') last = e.resource;
        else if (e.type === 'destroyed') last = undefined;
        else if (e.type === 'errored') {
          finish(e.error);
          return;
        } else bootstrapped = true;
        if (bootstrapped) check();
      },
      error: (e: unknown) => {
        finish(e instanceof Error ? e : new NotFoundError(String(e)));
      },
    });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
