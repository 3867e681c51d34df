// One kernel event source shared by every consumer. Each source (a netlink multicast socket, a poll on /proc) blocks a
// libuv worker thread while it waits; with one source per controller, a handful of controllers would hold every thread
// of the pool (4 by default) and starve file I/O. A SharedStream opens the source on the first subscription, fans its
// items out to all subscribers, and closes it when the last one leaves.

interface Subscriber<T> {
  readonly queue: T[];
  wake: (() => void) | undefined;
  failed: Error | undefined;
  ended: boolean;
}

/** Options of a {@link SharedStream}. */
export interface SharedStreamOptions<T> {
  /** An item every new subscriber gets first, once the source is open (e.g. "re-read now"). */
  readonly greeting?: { readonly value: T };
}

/** A source opened once and shared; see the file comment. */
export class SharedStream<T> {
  private readonly subscribers = new Set<Subscriber<T>>();
  private source: AbortController | undefined;

  /** `open` must be subscribed to the source when it returns, and end when its signal aborts. */
  constructor(
    private readonly open: (signal: AbortSignal) => AsyncIterable<T>,
    private readonly o: SharedStreamOptions<T> = {},
  ) {}

  /** Number of subscriptions open now. */
  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Items from now on (the source is subscribed when this returns) until `signal` aborts; a failure of the source ends
   * every subscription with that error, and the next subscription opens the source again.
   */
  subscribe(signal: AbortSignal): AsyncIterable<T> {
    signal.throwIfAborted();
    const sub: Subscriber<T> = { queue: [], wake: undefined, failed: undefined, ended: false };
    if (this.o.greeting !== undefined) sub.queue.push(this.o.greeting.value);
    this.subscribers.add(sub);
    this.ensureOpen();
    const leave = (): void => {
      sub.ended = true;
      sub.wake?.();
      this.leave(sub);
    };
    signal.addEventListener('abort', leave, { once: true });
    return {
      [Symbol.asyncIterator]: async function* () {
        try {
          for (;;) {
            if (sub.queue.length > 0) {
              // Items may themselves be undefined (a bare "something changed"): test the length, not the item.
              yield sub.queue.shift() as T;
              continue;
            }
            if (sub.failed !== undefined) throw sub.failed;
            if (sub.ended) return;
            await new Promise<void>((resolve) => (sub.wake = resolve));
            sub.wake = undefined;
          }
        } finally {
          signal.removeEventListener('abort', leave);
          leave();
        }
      },
    };
  }

  private ensureOpen(): void {
    if (this.source !== undefined) return;
    const ac = new AbortController();
    this.source = ac;
    const items = this.open(ac.signal);
    void this.pump(items, ac);
  }

  private async pump(items: AsyncIterable<T>, ac: AbortController): Promise<void> {
    let failure: Error | undefined;
    try {
      for await (const item of items) {
        for (const s of this.subscribers) {
          s.queue.push(item);
          s.wake?.();
        }
      }
    } catch (e: unknown) {
      failure = e instanceof Error ? e : new Error(String(e));
    }
    if (this.source !== ac) return; // closed because everyone left: nothing to tell
    this.source = undefined;
    for (const s of [...this.subscribers]) {
      this.subscribers.delete(s);
      s.failed = failure ?? new Error('the event source ended');
      s.wake?.();
    }
  }

  private leave(sub: Subscriber<T>): void {
    if (!this.subscribers.delete(sub)) return;
    if (this.subscribers.size === 0 && this.source !== undefined) {
      const ac = this.source;
      this.source = undefined;
      ac.abort();
    }
  }
}
