// A store cursor as a stream of WatchResponse messages: the empty "ready" message first, then events pulled only as
// fast as the client reads them, ending after an ERRORED event (the watcher fell behind) or when the call ends.
import type { WatchCursor, WatchEvent } from '../../resources/index.js';
import { eventToPb } from '../codec/index.js';
import type { PbEvent, PbWatchResponse } from '../proto/types.js';

/**
 * Largest aggregated response we build, well under the 4 MiB a gRPC client accepts by default: a bigger batch is split
 * at event boundaries (each part still holds whole events, in order).
 */
export const MAX_AGGREGATED_BYTES = 1024 * 1024;

/** A rough encoded size of an event: its resources' YAML plus room for metadata. */
function approxBytes(e: PbEvent): number {
  return 256 + (e.resource?.spec?.yamlSpec.length ?? 0) + (e.old?.spec?.yamlSpec.length ?? 0);
}

/** `events` in runs of at most MAX_AGGREGATED_BYTES (a single larger event travels alone). */
export function* splitBySize(events: readonly PbEvent[]): Generator<PbEvent[]> {
  let part: PbEvent[] = [];
  let bytes = 0;
  for (const e of events) {
    const n = approxBytes(e);
    if (part.length > 0 && bytes + n > MAX_AGGREGATED_BYTES) {
      yield part;
      part = [];
      bytes = 0;
    }
    part.push(e);
    bytes += n;
  }
  if (part.length > 0) yield part;
}

const singles = new WeakMap<WatchEvent, PbWatchResponse>();

/**
 * Where an aggregated response keeps the one-event responses it is made of. A repeated field's encoding is the
 * concatenation of its elements' encodings, so the serializer (server.ts) joins their shared bytes instead of encoding
 * every event again for every watcher.
 */
export const PARTS = Symbol('watch response parts');

/** An aggregated response built from shared one-event responses. */
export interface AggregatedResponse extends PbWatchResponse {
  readonly [PARTS]: readonly PbWatchResponse[];
}

function* aggregate(events: readonly WatchEvent[]): Generator<AggregatedResponse> {
  let from = 0;
  for (const part of splitBySize(events.map(eventToPb))) {
    const to = from + part.length;
    yield { event: part, [PARTS]: events.slice(from, to).map(single) };
    from = to;
  }
}

/** The one-event response for `e`, shared by every watcher that sends it, so its bytes are encoded once (see server.ts). */
function single(e: WatchEvent): PbWatchResponse {
  let r = singles.get(e);
  if (r === undefined) {
    r = Object.freeze({ event: [eventToPb(e)] });
    singles.set(e, r);
  }
  return r;
}

/**
 * The responses of one watch. The cursor is closed when the generator ends for any reason, and at once when `signal`
 * aborts (a client that went away frees its cursor even while its stream waits for the transport to drain).
 */
export async function* watchResponses(
  cursor: WatchCursor,
  aggregated: boolean,
  signal: AbortSignal,
): AsyncGenerator<PbWatchResponse> {
  const close = (): void => {
    cursor.close();
  };
  signal.addEventListener('abort', close, { once: true });
  try {
    yield { event: [] };
    for (;;) {
      // The abort listener above closes the cursor, which ends a pending next(); no per-wait signal needed.
      const batch = await cursor.next();
      if (batch === null) return;
      if (aggregated) {
        yield* aggregate(batch);
      } else {
        for (const e of batch) yield single(e);
      }
      if (batch.some((e) => e.type === 'errored')) return;
    }
  } finally {
    signal.removeEventListener('abort', close);
    cursor.close();
  }
}
