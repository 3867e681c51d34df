// The State interface: what every store (in-memory, persistent, over gRPC) offers, and its watch events.
import type { Observable } from 'rxjs';
import type { Selector } from '../query.js';
import type { Kind, Phase, Pointer, Resource, ResourceInput } from '../resource.js';

/** An opaque position in a collection's event history; valid only in the process that issued it. */
export type Bookmark = Uint8Array;

/** A change to one resource. `old` is the previous version on updates. */
export interface ResourceEvent {
  readonly type: 'created' | 'updated' | 'destroyed';
  readonly resource: Resource;
  readonly old?: Resource;
  readonly bookmark: Bookmark;
}

/** Marks the end of the bootstrap contents; carries a bookmark when `bootstrapBookmark` was asked for. */
export interface BootstrappedEvent {
  readonly type: 'bootstrapped';
  readonly bookmark?: Bookmark;
}

/** The last event of a stream that could not go on (the watcher fell behind the history): re-bootstrap to recover. */
export interface ErroredEvent {
  readonly type: 'errored';
  readonly error: Error;
}

/** Everything a watch delivers. */
export type WatchEvent = ResourceEvent | BootstrappedEvent | ErroredEvent;

/** Options of every call; an aborted signal ends the call cleanly. */
export interface CallOptions {
  readonly signal?: AbortSignal;
}

/** Options of list. */
export interface ListOptions extends CallOptions, Selector {}

/** Options of watches. `bootstrapContents` and `tailEvents` exclude each other, and so do they and `startFromBookmark`. */
export interface WatchOptions extends Selector {
  /** Deliver every current resource as `created`, then a `bootstrapped` marker, then changes. */
  readonly bootstrapContents?: boolean;
  /** Give the `bootstrapped` marker a bookmark to resume from later. */
  readonly bootstrapBookmark?: boolean;
  /** Replay up to this many past events before live ones. */
  readonly tailEvents?: number;
  /** Resume right after the event that carried this bookmark. */
  readonly startFromBookmark?: Bookmark;
}

/** Options of writes: `owner` is stamped on created resources and must match on update/destroy. */
export interface WriteOptions extends CallOptions {
  readonly owner?: string;
}

/** Options of update: by default only a `running` resource may be updated. */
export interface UpdateOptions extends WriteOptions {
  readonly expectedPhase?: Phase | 'any';
}

/** A pull-based watch: the consumer sets the pace; a consumer that falls behind the history gets one `errored` event. */
export interface WatchCursor {
  /** The next batch (waits until there is one); null once the cursor is closed or `signal` aborts. */
  next(signal?: AbortSignal): Promise<readonly WatchEvent[] | null>;
  /** Frees the cursor; pending and later `next` calls return null. */
  close(): void;
}

/** The typed resource store. */
export interface State {
  /** One resource; NotFound if it (or its type) does not exist. */
  get(ptr: Pointer, opts?: CallOptions): Promise<Resource>;
  /** One resource, or undefined when it does not exist (an unknown type is still NotFound). Cheaper than a get that fails. */
  find(ptr: Pointer, opts?: CallOptions): Promise<Resource | undefined>;
  /** The resources of a kind, sorted by id, filtered by the selector. */
  list(kind: Kind, opts?: ListOptions): Promise<Resource[]>;
  /** Stores a new resource with version 1; Conflict(exists) if the id is taken. */
  create<S>(r: ResourceInput<S>, opts?: WriteOptions): Promise<Resource<S>>;
  /** Compare-and-swap on `r.metadata.version`; no-op writes return the stored resource unchanged. */
  update<S>(r: ResourceInput<S>, opts?: UpdateOptions): Promise<Resource<S>>;
  /** Starts the two-phase delete; returns true when no finalizers remain (ready to destroy). */
  teardown(ptr: Pointer, opts?: WriteOptions): Promise<boolean>;
  /** Removes a resource; Conflict(finalizers) while finalizers remain. */
  destroy(ptr: Pointer, opts?: WriteOptions): Promise<void>;
  /** Adds finalizers (any owner may); refused on a resource that is tearing down. */
  addFinalizer(ptr: Pointer, finalizers: readonly string[], opts?: CallOptions): Promise<Resource>;
  /** Removes finalizers (any owner may). */
  removeFinalizer(ptr: Pointer, finalizers: readonly string[], opts?: CallOptions): Promise<Resource>;
  /** Changes of one resource (bootstrap contents by default). */
  watch(ptr: Pointer, opts?: WatchOptions): Observable<WatchEvent>;
  /** Changes of a kind, one event at a time. Unsubscribing frees the cursor. */
  watchKind(kind: Kind, opts?: WatchOptions): Observable<WatchEvent>;
  /** Changes of a kind in batches, as they were available when the watcher read. */
  watchKindAggregated(kind: Kind, opts?: WatchOptions): Observable<readonly WatchEvent[]>;
  /** A pull-based watch of a kind; validates the options at once (throws on bad ones). */
  cursor(kind: Kind, opts?: WatchOptions): Promise<WatchCursor>;
}
