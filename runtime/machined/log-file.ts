// Reading a log file for `osctl logs`: its last N lines (or all), then, when following, what is appended to it.
import { watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Options of {@link readLogFile}. */
export interface LogFileOptions {
  readonly follow: boolean;
  /** < 0: the whole file; n >= 0: the last n lines. */
  readonly tailLines: number;
  readonly signal: AbortSignal;
}

const BLOCK = 64 * 1024;

/** The offset where the last `n` lines of a file of `size` bytes start (a final newline ends a line, it starts none). */
export async function tailOffset(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n < 0) return 0;
  if (n === 0) return size;
  const block = Buffer.alloc(BLOCK);
  let count = 0;
  for (let pos = size; pos > 0;) {
    const len = Math.min(BLOCK, pos);
    pos -= len;
    await fh.read(block, 0, len, pos);
    for (let i = len - 1; i >= 0; i--) {
      if (block[i] !== 0x0a || pos + i === size - 1) continue;
      if (++count === n) return pos + i + 1;
    }
  }
  return 0;
}

/**
 * Wakes a waiter when the file changes. It holds one flag, never a queue: a client that reads slowly costs nothing
 * however much is written meanwhile; it reads the file to its end when it asks again.
 */
class Changes {
  private dirty = false;
  private wake: (() => void) | undefined;
  private readonly watcher: FSWatcher;

  constructor(path: string) {
    this.watcher = watch(path, { persistent: false }, () => {
      this.dirty = true;
      this.wake?.();
    });
    this.watcher.on('error', () => {
      this.dirty = true;
      this.wake?.();
    });
  }

  /** Resolves once the file changed since the last call, or `signal` aborts. */
  next(signal: AbortSignal): Promise<void> {
    if (this.dirty || signal.aborted) {
      this.dirty = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        this.wake = undefined;
        this.dirty = false;
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  close(): void {
    this.watcher.close();
  }
}

/** The file's bytes from its last `tailLines` lines on, in chunks; following, new bytes as they are appended. */
export async function* readLogFile(path: string, o: LogFileOptions): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  // Watch before the first read, so that nothing appended between the read and the watch goes unseen.
  const changes = o.follow ? new Changes(path) : undefined;
  try {
    let pos = await tailOffset(fh, (await fh.stat()).size, o.tailLines);
    const block = Buffer.alloc(BLOCK);
    for (;;) {
      const size = (await fh.stat()).size;
      if (size < pos) pos = 0; // truncated: start over
      while (pos < size && !o.signal.aborted) {
        const { bytesRead } = await fh.read(block, 0, Math.min(BLOCK, size - pos), pos);
        if (bytesRead === 0) break;
        pos += bytesRead;
        yield Buffer.from(block.subarray(0, bytesRead));
      }
      if (changes === undefined || o.signal.aborted) return;
      await changes.next(o.signal);
    }
  } finally {
    changes?.close();
    await fh.close();
  }
}
