// Waiting for a resource to reach a state, driven by its watch (never by polling or fixed sleeps).
import type { Observer } from 'rxjs';
import { pointerString, type Pointer, type Resource } from '../resource.js';
import type { State, WatchEvent } from './state.js';

/** Options of {@link waitFor}. */
export interface WaitOptions {
  readonly signal?: AbortSignal;
  /** Give up after this many milliseconds (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * Resolves with the resource once `predicate` holds for it (`undefined` is passed while it does not exist);
 * rejects with a message naming the resource and its last seen version on timeout. A watch that falls behind
 * the history is re-bootstrapped, as the store's contract asks of clients.
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
    let done = false;
    const finish = (err: Error | undefined, value?: Resource): void => {
      if (done) return;
      done = true;
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
    const observer: Partial<Observer<WatchEvent>> = {
      next: (e) => {
        if (e.type === 'errored') {
          // Fell behind the history: start over from the current contents.
          sub.unsubscribe();
          last = undefined;
          bootstrapped = false;
          sub = state.watch(ptr).subscribe(observer);
          return;
        }
        if (e.type === 'created' || e.type === 'updated') last = e.resource;
        else if (e.type === 'destroyed') last = undefined;
        else bootstrapped = true;
        if (bootstrapped && predicate(last)) finish(undefined, last);
      },
      error: (e: unknown) => {
        finish(e instanceof Error ? e : new Error(String(e)));
      },
    };
    let sub = state.watch(ptr).subscribe(observer);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted === true) onAbort();
  });
}
