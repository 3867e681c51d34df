// A watch cursor over gRPC: pulls with backpressure, resumes from its bookmark after a break, re-bootstraps on its own.
import type { ClientReadableStream } from '@grpc/grpc-js';
import { fromStatus, isServiceError, watchOptionsToPb } from '../codec/index.js';
import {
  isInvalidBookmark,
  type Bookmark,
  type Resource,
  type WatchCursor,
  type WatchEvent,
  type WatchOptions,
} from '../../resources/index.js';
import type { PbWatchOptions } from '../proto/types.js';
import type { NodeConnection } from './connection.js';
import { STATE_METHODS } from './methods.js';
import {
  isStreamBreak,
  reconcileBootstrap,
  type RemoteCursorOptions,
  type RemoteWatchRequest,
} from './watch-support.js';

/** A pull-based watch of one node; open it with {@link RemoteCursor.open}. */
export class RemoteCursor implements WatchCursor {
  private queue: WatchEvent[] = [];
  private waiter: ((batch: readonly WatchEvent[] | null) => void) | undefined;
  private call: ClientReadableStream<WatchEvent[]> | undefined;
  private paused = false;
  private closed = false;
  private ended = false;
  private failed: Error | undefined;
  private lastBookmark: Bookmark | undefined;
  private bootstrapDone = false;
  /** Resources the consumer knows of (bootstrap watches only): what a re-bootstrap reconciles against. */
  private readonly known = new Map<string, Resource>();
  /** The fresh bootstrap while re-bootstrapping, delivered whole once its marker arrives. */
  private resync: WatchEvent[] | undefined;
  private retry: NodeJS.Timeout | undefined;
  private attempt = 0;
  private readonly bootstrap: boolean;
  private readonly readAhead: number;

  private constructor(
    private readonly conn: NodeConnection,
    private readonly req: RemoteWatchRequest,
    private readonly o: RemoteCursorOptions,
  ) {
    this.bootstrap = req.options.bootstrapContents === true;
    this.readAhead = o.readAhead ?? 256;
    this.lastBookmark = req.options.startFromBookmark;
  }

  /** Opens the watch and resolves once the node has accepted it (its first, empty "ready" response). */
  static async open(conn: NodeConnection, req: RemoteWatchRequest, o: RemoteCursorOptions = {}): Promise<RemoteCursor> {
    const c = new RemoteCursor(conn, req, o);
    const first: WatchOptions = c.bootstrap ? { ...req.options, bootstrapBookmark: true } : req.options;
    try {
      await c.openCall(watchOptionsToPb(first, req.aggregated));
    } catch (e: unknown) {
      c.close();
      throw await conn.failure(e, STATE_METHODS.Watch);
    }
    return c;
  }

  /** The next events (all that are queued), waiting for some; null once closed, ended or `signal` aborts. */
  async next(signal?: AbortSignal): Promise<readonly WatchEvent[] | null> {
    if (this.closed) return null;
    if (this.queue.length > 0) return this.take();
    if (this.failed !== undefined) {
      const e = this.failed;
      this.close();
      throw e;
    }
    if (this.ended || signal?.aborted === true) {
      this.close();
      return null;
    }
    const onAbort = (): void => {
      this.close();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const batch = await new Promise<readonly WatchEvent[] | null>((resolve) => {
        this.waiter = resolve;
      });
      // Woken empty by close(), end() or fail(): the next call says which (null, or the failure thrown).
      return batch ?? (await this.next());
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Frees the cursor and its call; pending and later `next` calls return null. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retry);
    this.dropCall();
    this.queue = [];
    this.wake(null);
    this.o.onClose?.();
  }

  /** Read through a call so that the compiler does not keep a narrowing of `closed` across an await. */
  private isClosed(): boolean {
    return this.closed;
  }

  private take(): WatchEvent[] {
    const out = this.queue;
    this.queue = [];
    if (this.paused) {
      this.paused = false;
      this.call?.resume();
    }
    return out;
  }

  private wake(batch: readonly WatchEvent[] | null): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.(batch);
  }

  private push(events: readonly WatchEvent[]): void {
    if (this.closed || events.length === 0) return;
    this.queue.push(...events);
    if (this.waiter !== undefined) {
      this.wake(this.take());
    } else if (this.queue.length >= this.readAhead && this.call !== undefined && !this.paused) {
      // Backpressure: stop reading; gRPC flow control then holds the node's sender, whose history bounds the lag.
      this.paused = true;
      this.call.pause();
    }
  }

  private dropCall(): void {
    const call = this.call;
    this.call = undefined;
    this.paused = false;
    call?.cancel();
  }

  /** Starts a Watch call; resolves at the node's ready response, rejects when the call fails before it. */
  private openCall(options: PbWatchOptions): Promise<void> {
    const { kind, id } = this.req;
    const call = this.conn.stream(STATE_METHODS.WatchEvents, {
      ...kind,
      ...(id === undefined ? {} : { id }),
      options,
      apiVersion: 1,
    });
    this.call = call;
    let ready = false;
    return new Promise<void>((resolve, reject) => {
      call.on('data', (events: WatchEvent[]) => {
        if (call !== this.call) return;
        if (!ready) {
          ready = true;
          this.attempt = 0;
          resolve();
        }
        this.receive(events);
      });
      call.on('error', (e: Error) => {
        if (call !== this.call) return;
        this.call = undefined;
        if (ready) this.broken(e);
        else reject(e);
      });
      call.on('end', () => {
        if (call !== this.call) return;
        this.call = undefined;
        // A node that ends a watch without an errored event is shutting down: resume elsewhere in time.
        if (ready) this.broken(undefined);
        else reject(new Error('the node ended the watch before it was ready'));
      });
    });
  }

  private receive(events: readonly WatchEvent[]): void {
    const out: WatchEvent[] = [];
    for (const e of events) {
      if (this.resync !== undefined) {
        if (e.type === 'errored') {
          this.rebootstrap(e.error.message);
          return;
        }
        if (e.type === 'bootstrapped') out.push(...this.finishResync(e.bookmark));
        else this.resync.push(e);
        continue;
      }
      if (e.type === 'errored') {
        // Events before the overrun are still true; a bootstrap watch then heals, any other watch ends.
        this.push(this.bootstrap ? out : [...out, e]);
        if (this.bootstrap) this.rebootstrap(e.error.message);
        else this.end();
        return;
      }
      if (e.type === 'bootstrapped') {
        this.bootstrapDone = true;
        if (e.bookmark !== undefined) this.lastBookmark = e.bookmark;
        out.push(this.req.options.bootstrapBookmark === true ? e : { type: 'bootstrapped' });
        continue;
      }
      if (e.bookmark.length > 0) this.lastBookmark = e.bookmark;
      if (this.bootstrap) {
        if (e.type === 'destroyed') this.known.delete(e.resource.metadata.id);
        else this.known.set(e.resource.metadata.id, e.resource);
      }
      out.push(e);
    }
    this.push(out);
  }

  /** The fresh bootstrap as the consumer gets it (see {@link reconcileBootstrap}); the watch then goes on from it. */
  private finishResync(bookmark: Bookmark | undefined): WatchEvent[] {
    const fresh = this.resync ?? [];
    this.resync = undefined;
    this.lastBookmark = bookmark;
    this.bootstrapDone = true;
    return reconcileBootstrap(this.known, fresh, bookmark, this.req.options.bootstrapBookmark === true);
  }

  private end(): void {
    this.ended = true;
    this.dropCall();
    if (this.queue.length === 0) this.wake(null);
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.failed = e;
    this.dropCall();
    this.wake(null);
  }

  /** The stream broke: come back after a short, growing pause (grpc-js redials the node meanwhile). */
  private broken(e: unknown): void {
    if (this.closed || this.ended) return;
    if (e === undefined) {
      this.retryLater('the node ended the stream');
      return;
    }
    // Each attempt fails fast while the node is away, so that a lasting cause (a node now serving another
    // certificate) is told to the person watching instead of being waited on in silence.
    void this.conn.failure(e, STATE_METHODS.Watch).then((err) => {
      if (isStreamBreak(e)) this.retryLater(err.message);
      else this.fail(err);
    });
  }

  private retryLater(reason: string): void {
    if (this.isClosed()) return;
    this.o.onStatus?.({ state: 'reconnecting', node: this.conn.node, reason });
    const delay = Math.min(3000, 100 * 2 ** this.attempt++) * (0.75 + Math.random() / 2);
    this.retry = setTimeout(() => {
      void this.reconnect();
    }, delay);
  }

  private async reconnect(): Promise<void> {
    if (this.closed) return;
    const selector = { labelQueries: this.req.options.labelQueries, idQuery: this.req.options.idQuery };
    const bookmark = this.lastBookmark;
    if (bookmark === undefined || this.resync !== undefined || (this.bootstrap && !this.bootstrapDone)) {
      if (this.bootstrap) {
        this.rebootstrap('the stream broke before a resume point');
      } else {
        this.push([
          { type: 'errored', error: new Error('the watch broke before any event: events may be lost; re-bootstrap') },
        ]);
        this.end();
      }
      return;
    }
    const resume: WatchOptions = { ...definedOnly(selector), startFromBookmark: bookmark };
    try {
      await this.openCall(watchOptionsToPb(resume, this.req.aggregated));
      this.o.onStatus?.({ state: 'resumed', node: this.conn.node });
    } catch (e: unknown) {
      if (this.isClosed()) return;
      if (!isServiceError(e) || !isInvalidBookmark(fromStatus(e))) {
        this.broken(e);
      } else if (this.bootstrap) {
        this.rebootstrap('the node no longer has our bookmark (it restarted)');
      } else {
        this.push([
          { type: 'errored', error: new Error('the node no longer has our bookmark (it restarted); re-bootstrap') },
        ]);
        this.end();
      }
    }
  }

  /** Starts over with a fresh bootstrap, reconciled against what the consumer knows once it is complete. */
  private rebootstrap(reason: string): void {
    this.dropCall();
    this.resync = [];
    const selector = { labelQueries: this.req.options.labelQueries, idQuery: this.req.options.idQuery };
    const opts: WatchOptions = { ...definedOnly(selector), bootstrapContents: true, bootstrapBookmark: true };
    this.openCall(watchOptionsToPb(opts, this.req.aggregated)).then(
      () => {
        this.o.onStatus?.({ state: 'rebootstrapped', node: this.conn.node, reason });
      },
      (e: unknown) => {
        if (!this.closed) this.broken(e);
      },
    );
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
