// One (namespace, type) collection: the current resources, an append-only event ring buffer, and watch cursors over it.
import type { MetadataFilter } from '../query.js';
import type { Resource } from '../resource.js';
import type { BookmarkCodec } from './bookmark.js';
import type { Bookmark, ResourceEvent, WatchCursor, WatchEvent } from './state.js';

/** History sizes of each collection's ring buffer: it starts at `initial` and doubles as events come, never past `max`. */
export interface HistoryOptions {
  readonly initial: number;
  readonly max: number;
}

/** The defaults of the established system: 8 events, growing to 1024. */
export const DEFAULT_HISTORY: HistoryOptions = { initial: 8, max: 1024 };

const MAX_BATCH = 4096;

/** Where a new cursor starts and what it delivers before live events. */
export interface CursorStart {
  readonly position: number;
  readonly prelude: readonly WatchEvent[];
  readonly filter: MetadataFilter | undefined;
}

/** The current contents and the event history of one kind. */
export class Collection {
  readonly items = new Map<string, Resource>();
  private buf: (ResourceEvent | undefined)[];
  /** Absolute position of the next event appended (= events appended so far). */
  writePos = 0;
  private readonly cursors = new Set<Cursor>();
  /** Serializes journaled writes of this collection. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly number: number,
    private readonly history: HistoryOptions,
    private readonly bookmarks: BookmarkCodec,
  ) {
    this.buf = new Array<ResourceEvent | undefined>(Math.max(1, history.initial));
  }

  /** The oldest position still held in the history. */
  get oldest(): number {
    return Math.max(0, this.writePos - this.buf.length);
  }

  /** Number of open cursors. */
  get watchers(): number {
    return this.cursors.size;
  }

  /** Current capacity of the history. */
  get capacity(): number {
    return this.buf.length;
  }

  /** Records an event and wakes the waiting cursors. */
  append(type: ResourceEvent['type'], resource: Resource, old: Resource | undefined): void {
    const pos = this.writePos;
    // Grow until max whether or not anyone lags: a client that reconnects resumes from a bookmark only
    // if the history still holds the events it missed while it had no cursor.
    if (pos >= this.buf.length && this.buf.length < this.history.max) this.grow();
    const e =
      old === undefined ? new StoredEvent(type, resource, this, pos) : new StoredUpdate(resource, old, this, pos);
    this.buf[pos % this.buf.length] = Object.freeze(e);
    this.writePos = pos + 1;
    if (this.cursors.size > 0) this.cursors.forEach(wake);
  }

  /** The bookmark of the event at absolute position `pos`. */
  bookmarkAt(pos: number): Bookmark {
    return this.bookmarks.encode(this.number, pos);
  }

  /** The event at absolute `pos` (which must be within [oldest, writePos)). */
  at(pos: number): ResourceEvent {
    const e = this.buf[pos % this.buf.length];
    if (e === undefined) throw new Error(`history slot ${pos} is empty`);
    return e;
  }

  /** Opens a cursor. */
  open(start: CursorStart): WatchCursor {
    const c = new Cursor(this, start);
    this.cursors.add(c);
    return c;
  }

  /** Forgets a closed cursor. */
  release(c: Cursor): void {
    this.cursors.delete(c);
  }

  /** Runs `fn` after every earlier locked call of this collection has settled. */
  locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private grow(): void {
    const next = new Array<ResourceEvent | undefined>(Math.min(this.buf.length * 2, this.history.max));
    for (let p = this.oldest; p < this.writePos; p++) next[p % next.length] = this.at(p);
    this.buf = next;
  }
}

/**
 * A created or destroyed event as stored. Its bookmark is encoded when read: a store holds thousands of events and
 * almost none is asked for its bookmark (only by a watcher that will resume from it), so a buffer made per event
 * would mostly feed the collector. The source and position are private fields: an event shows only its own fields.
 */
class StoredEvent implements ResourceEvent {
  readonly #col: Collection;
  readonly #pos: number;

  constructor(
    readonly type: ResourceEvent['type'],
    readonly resource: Resource,
    col: Collection,
    pos: number,
  ) {
    this.#col = col;
    this.#pos = pos;
  }

  get bookmark(): Bookmark {
    return this.#col.bookmarkAt(this.#pos);
  }
}

/** An updated event as stored, with the previous version; its bookmark is encoded when read, as above. */
class StoredUpdate implements ResourceEvent {
  readonly type = 'updated';
  readonly #col: Collection;
  readonly #pos: number;

  constructor(
    readonly resource: Resource,
    readonly old: Resource,
    col: Collection,
    pos: number,
  ) {
    this.#col = col;
    this.#pos = pos;
  }

  get bookmark(): Bookmark {
    return this.#col.bookmarkAt(this.#pos);
  }
}

function wake(c: Cursor): void {
  c.wake();
}

/** Maps one stored event through a watcher's filter: moving into the filter is a creation, out of it a destruction. */
function filtered(e: ResourceEvent, f: MetadataFilter): ResourceEvent | undefined {
  const now = e.type !== 'destroyed' && f(e.resource.metadata);
  const before =
    e.type === 'created'
      ? false
      : e.type === 'destroyed'
        ? f(e.resource.metadata)
        : e.old !== undefined && f(e.old.metadata);
  if (e.type === 'destroyed') return before ? e : undefined;
  if (now && before) return e;
  if (now) return { type: 'created', resource: e.resource, bookmark: e.bookmark };
  if (before) return { type: 'destroyed', resource: e.resource, bookmark: e.bookmark };
  return undefined;
}

class Cursor implements WatchCursor {
  position: number;
  private prelude: readonly WatchEvent[];
  private readonly filter: MetadataFilter | undefined;
  private closed = false;
  private waiter: (() => void) | undefined;

  constructor(
    private readonly col: Collection,
    start: CursorStart,
  ) {
    this.position = start.position;
    this.prelude = start.prelude;
    this.filter = start.filter;
  }

  wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.col.release(this);
    this.wake();
  }

  async next(signal?: AbortSignal): Promise<readonly WatchEvent[] | null> {
    for (;;) {
      if (this.closed || signal?.aborted === true) {
        this.close();
        return null;
      }
      const batch = this.take();
      if (batch !== undefined) return batch;
      // Without a signal (the runtime's watches: they close the cursor to stop) the wait is one promise, no closures.
      await (signal === undefined ? new Promise<void>(this.park) : this.parkUntilAbort(signal));
    }
  }

  private readonly park = (resolve: () => void): void => {
    this.waiter = resolve;
  };

  private parkUntilAbort(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const onAbort = (): void => {
        this.wake();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
    });
  }

  /** What is ready now, or undefined when the cursor must wait. */
  private take(): readonly WatchEvent[] | undefined {
    if (this.prelude.length > 0) {
      const p = this.prelude;
      this.prelude = [];
      return p;
    }
    const col = this.col;
    if (this.position < col.oldest) {
      const behind = col.writePos - this.position;
      this.close();
      return [
        {
          type: 'errored',
          error: new Error(
            `buffer overrun: the watcher fell ${behind} events behind a history of ${col.capacity}; re-bootstrap the watch`,
          ),
        },
      ];
    }
    const end = Math.min(col.writePos, this.position + MAX_BATCH);
    if (this.position >= end) return undefined;
    const out: WatchEvent[] = [];
    for (let p = this.position; p < end; p++) {
      const e = col.at(p);
      const m = this.filter === undefined ? e : filtered(e, this.filter);
      if (m !== undefined) out.push(m);
    }
    this.position = end;
    return out.length > 0 ? out : undefined;
  }
}
