// A coalescing wake-up: any number of `fire()` calls release the current waiters once; it carries no payload.

/** Lets loops sleep until there is work; a fire with nobody waiting is remembered until the next wait. */
export class Wakeup {
  private waiters = new Set<() => void>();
  private fired = false;

  /** Wakes every waiter, or the next one to wait when none waits now. */
  fire(): void {
    if (this.waiters.size === 0) {
      this.fired = true;
      return;
    }
    const ws = this.waiters;
    this.waiters = new Set();
    for (const w of ws) w();
  }

  /** Resolves at the next fire (at once if one is pending) or when `signal` aborts. */
  wait(signal: AbortSignal): Promise<void> {
    if (this.fired || signal.aborted) {
      this.fired = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', onAbort);
        this.waiters.delete(done);
        resolve();
      };
      const onAbort = (): void => {
        done();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
