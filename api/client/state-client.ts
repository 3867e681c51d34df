// The node's resource store over gRPC as a State: reads and watches go to the node, writes are refused.
import { status } from '@grpc/grpc-js';
import type { Observable } from 'rxjs';
import { ApiError, labelQueriesToPb, resourceFromPb } from '../codec/index.js';
import {
  isNotFound,
  observeBatches,
  observeEvents,
  type CallOptions,
  type Kind,
  type ListOptions,
  type Pointer,
  type Resource,
  type State,
  type WatchCursor,
  type WatchEvent,
  type WatchOptions,
} from '../../resources/index.js';
import type { NodeConnection } from './connection.js';
import { STATE_METHODS } from './methods.js';
import { RemoteCursor } from './remote-cursor.js';
import type { RemoteWatchRequest, WatchStatus } from './watch-support.js';

/** What nodes answer to writes, said by the client before asking. */
export const WRITE_REFUSED =
  "write access is not allowed: a node's resources change only through its config and machine operations";

/** Options of a {@link StateClient}. */
export interface StateClientOptions {
  /** Events a cursor holds for a consumer that is not reading before its stream is paused (default 256). */
  readonly readAhead?: number;
  /** Told when a watch loses its connection, resumes, or re-bootstraps. */
  readonly onWatchStatus?: (s: WatchStatus) => void;
}

/**
 * One node's State over the resource API. Watches survive broken connections: they resume from the last bookmark,
 * and a watch with bootstrap contents re-bootstraps on its own when the node lost the history (it restarted).
 */
export class StateClient implements State {
  private open = 0;
  private readonly opening = new Set<Promise<unknown>>();

  constructor(
    private readonly conn: NodeConnection,
    private readonly o: StateClientOptions = {},
  ) {}

  /** The node this client reads from, as the user named it. */
  get node(): string {
    return this.conn.node;
  }

  /** Watch cursors and subscriptions currently open. */
  openWatches(): number {
    return this.open;
  }

  /** Resolves once every watch started so far is established on the node (or failed): later writes reach it. */
  async ready(): Promise<void> {
    while (this.opening.size > 0) await Promise.allSettled([...this.opening]);
  }

  /** {@inheritDoc State.get} */
  async get(ptr: Pointer, opts: CallOptions = {}): Promise<Resource> {
    const res = await this.conn.unary(STATE_METHODS.Get, { ...ptr }, { signal: opts.signal });
    if (res.resource === null)
      throw new ApiError(status.INTERNAL, `${this.conn.address} answered Get without a resource`);
    return resourceFromPb(res.resource);
  }

  /** {@inheritDoc State.find} */
  async find(ptr: Pointer, opts: CallOptions = {}): Promise<Resource | undefined> {
    try {
      return await this.get(ptr, opts);
    } catch (e) {
      // The node names an unknown type in the message; a missing resource of a known type is just absent.
      if (isNotFound(e) && !/type "/.test(e.message)) return undefined;
      throw e;
    }
  }

  /** {@inheritDoc State.list} */
  async list(kind: Kind, opts: ListOptions = {}): Promise<Resource[]> {
    const options = {
      labelQuery: labelQueriesToPb(opts.labelQueries),
      idQuery: opts.idQuery === undefined ? null : { regexp: opts.idQuery.regexp },
    };
    const msgs = await this.conn.collect(
      STATE_METHODS.List,
      { namespace: kind.namespace, type: kind.type, options },
      { signal: opts.signal },
    );
    return msgs.flatMap((m) => (m.resource === null ? [] : [resourceFromPb(m.resource)]));
  }

  /** Refused: nodes take no writes through the resource API. */
  create(): Promise<never> {
    return refused();
  }

  /** Refused: nodes take no writes through the resource API. */
  update(): Promise<never> {
    return refused();
  }

  /** Refused: nodes take no writes through the resource API. */
  teardown(): Promise<never> {
    return refused();
  }

  /** Refused: nodes take no writes through the resource API. */
  destroy(): Promise<never> {
    return refused();
  }

  /** Refused: nodes take no writes through the resource API. */
  addFinalizer(): Promise<never> {
    return refused();
  }

  /** Refused: nodes take no writes through the resource API. */
  removeFinalizer(): Promise<never> {
    return refused();
  }

  /** {@inheritDoc State.watch} */
  watch(ptr: Pointer, opts: WatchOptions = {}): Observable<WatchEvent> {
    const bootstrapContents = opts.tailEvents === undefined && opts.startFromBookmark === undefined;
    const { id, ...kind } = ptr;
    return observeEvents(() =>
      this.openCursor({ kind, id, options: { ...opts, bootstrapContents }, aggregated: false }),
    );
  }

  /** {@inheritDoc State.watchKind} */
  watchKind(kind: Kind, opts: WatchOptions = {}): Observable<WatchEvent> {
    return observeEvents(() => this.openCursor({ kind, options: opts, aggregated: false }));
  }

  /** {@inheritDoc State.watchKindAggregated} */
  watchKindAggregated(kind: Kind, opts: WatchOptions = {}): Observable<readonly WatchEvent[]> {
    return observeBatches(() => this.openCursor({ kind, options: opts, aggregated: true }));
  }

  /** {@inheritDoc State.cursor} */
  cursor(kind: Kind, opts: WatchOptions = {}): Promise<WatchCursor> {
    return this.openCursor({ kind, options: opts, aggregated: false });
  }

  private openCursor(req: RemoteWatchRequest): Promise<WatchCursor> {
    this.open++;
    let counted = true;
    const onClose = (): void => {
      if (counted) this.open--;
      counted = false;
    };
    const opened = RemoteCursor.open(this.conn, req, {
      readAhead: this.o.readAhead,
      onStatus: this.o.onWatchStatus,
      onClose,
    });
    this.opening.add(opened);
    const settled = (): void => {
      this.opening.delete(opened);
    };
    opened.then(settled, settled);
    return opened;
  }
}

function refused(): Promise<never> {
  return Promise.reject(new ApiError(status.PERMISSION_DENIED, WRITE_REFUSED));
}
