// Watch bookmarks: the issuing process's epoch, the collection and the event position, as 24 opaque bytes.
import { randomBytes } from 'node:crypto';
import { InvalidBookmarkError } from '../errors.js';
import type { Bookmark } from './state.js';

const SIZE = 24;

/** Issues and checks bookmarks for one store instance: a bookmark from another process or store is refused. */
export class BookmarkCodec {
  private readonly epoch = randomBytes(8);

  /** A bookmark for event `position` of collection number `collection`. */
  encode(collection: number, position: number): Bookmark {
    const b = Buffer.allocUnsafe(SIZE);
    this.epoch.copy(b, 0);
    b.writeUInt32BE(collection, 8);
    b.writeUInt32BE(0, 12);
    b.writeDoubleBE(position, 16);
    return b;
  }

  /** The position in `collection` a bookmark points at; InvalidBookmark if it was not issued by this store for it. */
  decode(collection: number, bookmark: Bookmark): number {
    const b = Buffer.from(bookmark.buffer, bookmark.byteOffset, bookmark.byteLength);
    if (b.length !== SIZE) throw new InvalidBookmarkError(`bookmark has ${b.length} bytes, expected ${SIZE}`);
    if (!b.subarray(0, 8).equals(this.epoch)) {
      throw new InvalidBookmarkError(
        'bookmark was issued by another run of the store (it restarted): re-bootstrap the watch',
      );
    }
    if (b.readUInt32BE(8) !== collection) {
      throw new InvalidBookmarkError('bookmark was issued for another namespace or type');
    }
    const pos = b.readDoubleBE(16);
    if (!Number.isInteger(pos) || pos < -1) throw new InvalidBookmarkError(`bookmark position ${pos} is malformed`);
    return pos;
  }
}
