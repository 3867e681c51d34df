// Where a new watch cursor starts: validates the watch options and builds the bootstrap prelude.
import { InvalidArgumentError, InvalidBookmarkError } from '../errors.js';
import { compileSelector } from '../query.js';
import type { BookmarkCodec } from './bookmark.js';
import type { Collection, CursorStart } from './collection.js';
import type { WatchEvent, WatchOptions } from './state.js';

/** The start of a cursor on `col` for `opts`; throws InvalidArgument / InvalidBookmark on options it cannot serve. */
export function cursorStart(col: Collection, bookmarks: BookmarkCodec, opts: WatchOptions): CursorStart {
  const filter = compileSelector(opts);
  const modes = [opts.bootstrapContents === true, opts.tailEvents !== undefined, opts.startFromBookmark !== undefined];
  if (modes.filter(Boolean).length > 1) {
    throw new InvalidArgumentError(
      'watch options bootstrapContents, tailEvents and startFromBookmark exclude each other: pick one',
    );
  }
  if (opts.startFromBookmark !== undefined) {
    const pos = bookmarks.decode(col.number, opts.startFromBookmark);
    if (pos + 1 < col.oldest || pos >= col.writePos) {
      throw new InvalidBookmarkError(
        `bookmark position ${pos} is outside the history [${col.oldest - 1}, ${col.writePos - 1}]: re-bootstrap the watch`,
      );
    }
    return { position: pos + 1, prelude: [], filter };
  }
  if (opts.tailEvents !== undefined) {
    if (!Number.isInteger(opts.tailEvents) || opts.tailEvents < 0) {
      throw new InvalidArgumentError(`watch option tailEvents must be a whole number >= 0, got ${opts.tailEvents}`);
    }
    return { position: Math.max(col.oldest, col.writePos - opts.tailEvents), prelude: [], filter };
  }
  if (opts.bootstrapContents !== true) return { position: col.writePos, prelude: [], filter };
  const prelude: WatchEvent[] = [];
  const here = bookmarks.encode(col.number, col.writePos - 1);
  const ids = [...col.items.keys()].sort();
  for (const id of ids) {
    const r = col.items.get(id);
    if (r !== undefined && (filter === undefined || filter(r.metadata))) {
      prelude.push({ type: 'created', resource: r, bookmark: here });
    }
  }
  prelude.push(opts.bootstrapBookmark === true ? { type: 'bootstrapped', bookmark: here } : { type: 'bootstrapped' });
  return { position: col.writePos, prelude, filter };
}
