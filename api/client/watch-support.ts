// What a remote watch needs besides its cursor: the request, the status it reports, when a stream broke, and how a
// fresh bootstrap after a restart is reconciled with what the consumer already knows.
import { status } from '@grpc/grpc-js';
import { isServiceError } from '../codec/index.js';
import type { Bookmark, Kind, Resource, WatchEvent, WatchOptions } from '../../resources/index.js';

/** What a watch is doing about its connection, for people watching (`get --watch` prints it on stderr). */
export type WatchStatus =
  | { readonly state: 'reconnecting'; readonly node: string; readonly reason: string }
  | { readonly state: 'resumed'; readonly node: string }
  | { readonly state: 'rebootstrapped'; readonly node: string; readonly reason: string };

/** What to watch: a kind, or one resource of it. */
export interface RemoteWatchRequest {
  readonly kind: Kind;
  readonly id?: string | undefined;
  readonly options: WatchOptions;
  readonly aggregated: boolean;
}

/** Tuning and hooks of a remote cursor. */
export interface RemoteCursorOptions {
  /** Events held for a consumer that is not reading before the stream is paused (default 256). */
  readonly readAhead?: number | undefined;
  readonly onStatus?: ((s: WatchStatus) => void) | undefined;
  /** Called once when the cursor is freed. */
  readonly onClose?: (() => void) | undefined;
}

/** True when a stream ended because the connection broke (the node went away), not because the node refused. */
export function isStreamBreak(e: unknown): boolean {
  if (!isServiceError(e)) return false;
  if (e.code === status.UNAVAILABLE || e.code === status.CANCELLED) return true;
  return (
    (e.code === status.INTERNAL || e.code === status.UNKNOWN) &&
    /RST_STREAM|GOAWAY|Connection|ECONNRESET|Stream removed/i.test(e.details)
  );
}

/**
 * The events a consumer gets when its watch re-bootstraps: `destroyed` for each resource it knew that the fresh
 * bootstrap lacks (it vanished while the watch was away), then the fresh bootstrap itself and its marker. `known`
 * is updated to the fresh contents.
 */
export function reconcileBootstrap(
  known: Map<string, Resource>,
  fresh: readonly WatchEvent[],
  bookmark: Bookmark | undefined,
  markerBookmark: boolean,
): WatchEvent[] {
  const now = new Map<string, Resource>();
  for (const e of fresh) if (e.type === 'created') now.set(e.resource.metadata.id, e.resource);
  const out: WatchEvent[] = [];
  const mark = bookmark ?? new Uint8Array();
  for (const [id, r] of known) if (!now.has(id)) out.push({ type: 'destroyed', resource: r, bookmark: mark });
  known.clear();
  for (const [id, r] of now) known.set(id, r);
  out.push(
    ...fresh,
    markerBookmark && bookmark !== undefined ? { type: 'bootstrapped', bookmark } : { type: 'bootstrapped' },
  );
  return out;
}
