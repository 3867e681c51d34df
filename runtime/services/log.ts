// Reading a log for `osctl logs`: its last N lines (or all), then, when following, what is appended, across rotations.
import type { Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { NotFoundError } from '../../resources/index.js';
import { DirChanges } from './log-watch.js';
import { isServiceId } from './service.js';

/** Options of {@link readLogFile} and {@link readServiceLog}. */
export interface LogReadOptions {
  readonly follow: boolean;
  /** < 0: everything kept (the rotated file, then the current one); n >= 0: the last n lines. */
  readonly tailLines: number;
  readonly signal: AbortSignal;
}

const BLOCK = 64 * 1024;

/** An open file and its inode number, by which a replaced file is told from the one held open. */
interface OpenFile {
  readonly fh: FileHandle;
  readonly ino: number;
}

/** The offset where the last `n` lines of a file of `size` bytes start (a final newline ends a line, it starts none). */
export async function tailOffset(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n < 0) return 0;
  return (await scanTail(fh, size, n)).offset;
}

/** Where the last `n` (>= 0) lines start, and how many lines that is (fewer than `n` when the file has fewer). */
async function scanTail(fh: FileHandle, size: number, n: number): Promise<{ offset: number; lines: number }> {
  if (n === 0 || size === 0) return { offset: size, lines: 0 };
  const block = Buffer.alloc(BLOCK);
  let count = 0;
  for (let pos = size; pos > 0;) {
    const len = Math.min(BLOCK, pos);
    pos -= len;
    await fh.read(block, 0, len, pos);
    for (let i = len - 1; i >= 0; i--) {
      if (block[i] !== 0x0a || pos + i === size - 1) continue;
      if (++count === n) return { offset: pos + i + 1, lines: n };
    }
  }
  return { offset: 0, lines: count + 1 };
}

function isMissing(e: unknown): boolean {
  return e instanceof Error && 'code' in e && (e.code === 'ENOENT' || e.code === 'ENOTDIR');
}

async function openIfExists(path: string): Promise<OpenFile | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
  try {
    return { fh, ino: (await fh.stat()).ino };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

async function statIfExists(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

async function sizeOf(f: OpenFile): Promise<number> {
  return (await f.fh.stat()).size;
}

/** Yields the bytes of `fh` from `from` up to `to`; returns where it stopped (`to`, unless aborted or shorter). */
async function* readRange(
  fh: FileHandle,
  from: number,
  to: number,
  signal: AbortSignal,
): AsyncGenerator<Buffer, number> {
  let pos = from;
  while (pos < to && !signal.aborted) {
    const b = Buffer.allocUnsafe(Math.min(BLOCK, to - pos));
    const { bytesRead } = await fh.read(b, 0, b.length, pos);
    if (bytesRead === 0) break;
    pos += bytesRead;
    yield bytesRead === b.length ? b : b.subarray(0, bytesRead);
  }
  return pos;
}

async function endsWithNewline(fh: FileHandle, size: number): Promise<boolean> {
  if (size === 0) return true;
  const b = Buffer.alloc(1);
  await fh.read(b, 0, 1, size - 1);
  return b[0] === 0x0a;
}

/**
 * The bytes of the log at `path` in chunks: its last `tailLines` lines, taken from `<path>.1` too when the current
 * file has fewer, or everything; then, when following, whatever is appended until `signal` aborts. Following
 * survives rotation by {@link ServiceLogWriter}: when a new file appears at `path` (another inode), the old one is
 * read to its end, then a whole generation rotated in between if there is one, then the new file from its start, so
 * no byte is lost or repeated unless the reader falls more than a whole file behind. A file truncated in place is
 * read again from its start. A missing file reads as empty (following waits for it).
 */
export async function* readLogFile(path: string, o: LogReadOptions): AsyncGenerator<Buffer> {
  const rotatedPath = `${path}.1`;
  // Watch before the first read, so that nothing appended between the read and the watch goes unseen.
  const changes = o.follow ? new DirChanges(dirname(path), basename(path)) : undefined;
  let cur: OpenFile | undefined;
  try {
    cur = await openIfExists(path);
    const curSize = cur === undefined ? 0 : await sizeOf(cur);
    const tail =
      o.tailLines < 0 || cur === undefined ? { offset: 0, lines: 0 } : await scanTail(cur.fh, curSize, o.tailLines);
    let pos = tail.offset;
    const more = o.tailLines < 0 ? -1 : o.tailLines - tail.lines;
    if (pos === 0 && o.tailLines !== 0) {
      const prev = await openIfExists(rotatedPath);
      if (prev !== undefined && prev.ino !== cur?.ino) {
        let keep = false;
        try {
          const size = await sizeOf(prev);
          // A line split by the rotation counts once: its start is the rotated file's last line.
          const split = curSize > 0 && !(await endsWithNewline(prev.fh, size)) ? 1 : 0;
          const from = more < 0 ? 0 : (await scanTail(prev.fh, size, more + split)).offset;
          const end = yield* readRange(prev.fh, from, size, o.signal);
          if (cur === undefined) {
            // Only the rotated file exists (the writer is between rename and create): follow from it.
            cur = prev;
            pos = end;
            keep = true;
          }
        } finally {
          if (!keep) await prev.fh.close();
        }
      }
    }
    for (;;) {
      if (cur !== undefined) {
        const size = await sizeOf(cur);
        if (size < pos) pos = 0; // truncated in place: start over
        pos = yield* readRange(cur.fh, pos, size, o.signal);
      }
      if (changes === undefined || o.signal.aborted) return;
      const st = await statIfExists(path);
      if (st === undefined || st.ino === cur?.ino) {
        await changes.next(o.signal);
        continue;
      }
      // Replaced: finish the old file (complete, since the writer closes it before renaming), then the generation
      // rotated in between if the reader missed one (open it first: it cannot then be newer than the new file).
      if (cur !== undefined) yield* readRange(cur.fh, pos, await sizeOf(cur), o.signal);
      const between = await openIfExists(rotatedPath);
      const next = await openIfExists(path);
      const old = cur;
      cur = next ?? old;
      if (next === undefined) {
        await between?.fh.close(); // rotating again right now: look once more
        continue;
      }
      pos = 0;
      try {
        if (between !== undefined && between.ino !== old?.ino && between.ino !== next.ino) {
          yield* readRange(between.fh, 0, await sizeOf(between), o.signal);
        }
      } finally {
        await between?.fh.close();
        await old?.fh.close();
      }
    }
  } finally {
    changes?.close();
    await cur?.fh.close();
  }
}

/**
 * The log of service `id` under `dir` (see {@link readLogFile}). NotFoundError for an id that cannot name a service
 * log, or, when following, for a missing directory.
 */
export function readServiceLog(dir: string, id: string, o: LogReadOptions): AsyncGenerator<Buffer> {
  if (!isServiceId(id)) throw new NotFoundError(`no service log ${JSON.stringify(id)}: not a service id`);
  return readLogFile(join(dir, `${id}.log`), o);
}
