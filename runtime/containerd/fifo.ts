// A task's stdout/stderr FIFO read into a LogSink: made with mkfifo(3), opened before the shim opens it for writing.
//
// Opened O_RDONLY|O_NONBLOCK, a FIFO reads as end-of-file until a writer opens it, and again between writers; so we
// hold a write end of our own (the keeper) until the task is over. The reader then sees EOF exactly when the shim has
// closed its end and everything written has been read.
import koffi from 'koffi';
import { close as closeFd, constants, open as openFd } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Socket } from 'node:net';
import { realClock } from '../controller/index.js';
import type { LogSink } from '../services/runner.js';

const openRaw = promisify(openFd);
const closeRaw = promisify(closeFd);

const libc = koffi.load('libc.so.6');
/** Node has no mkfifo; this is the libc function with its C prototype. */
const mkfifoC = libc.func('int mkfifo(const char *path, uint32_t mode)');

/** Makes a FIFO at `path` (mode 0600); throws naming the path and errno when it cannot. */
export function mkfifo(path: string): void {
  const rc = mkfifoC(path, 0o600) as number;
  if (rc !== 0) {
    const errno = koffi.errno();
    const name = Object.entries(constants).find(([k, v]) => k.startsWith('E') && v === errno)?.[0];
    throw new Error(`mkfifo ${path}: ${name ?? `errno ${errno}`}`);
  }
}

/** Removes the FIFOs in `dir` whose names start with `prefix` (left by a run whose machined died before cleanup). */
export async function removeFifos(dir: string, prefix: string): Promise<void> {
  const names = await readdir(dir).catch(() => []);
  await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => unlink(join(dir, n)).catch(() => undefined)));
}

/** A FIFO being read into a log sink. */
export class LogFifo {
  private closing: Promise<void> | undefined;

  private constructor(
    /** The FIFO's path, to give the shim. */
    readonly path: string,
    private readonly reader: Socket,
    private readonly keeper: number,
    private readonly closed: Promise<void>,
  ) {}

  /** Makes the FIFO `path` and starts copying what is written to it into `sink`. */
  static async open(path: string, sink: LogSink): Promise<LogFifo> {
    mkfifo(path);
    try {
      // Raw fds, not FileHandles: the reader's fd passes to a net.Socket, which closes it.
      const readFd = await openRaw(path, constants.O_RDONLY | constants.O_NONBLOCK);
      let keeper: number;
      try {
        keeper = await openRaw(path, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (e) {
        await closeRaw(readFd);
        throw e;
      }
      // net.Socket reads a pipe fd through libuv without a thread per read; it owns the fd from here.
      const reader = new Socket({ fd: readFd, readable: true, writable: false });
      const closed = new Promise<void>((resolve) => {
        reader.on('data', (chunk: Buffer) => {
          sink.write(chunk);
        });
        reader.on('error', () => undefined); // EOF or a cut; either way the log ends here
        reader.on('end', () => reader.destroy());
        reader.once('close', () => {
          resolve();
        });
      });
      return new LogFifo(path, reader, keeper, closed);
    } catch (e) {
      await unlink(path).catch(() => undefined);
      throw e;
    }
  }

  /**
   * Stops reading once the shim's end is closed and what it wrote has been read, or after `drainMs` when something
   * still holds a write end; removes the FIFO. Idempotent.
   */
  close(drainMs = 2000): Promise<void> {
    this.closing ??= (async () => {
      await closeRaw(this.keeper).catch(() => undefined);
      const timer = new AbortController();
      const cut = realClock.sleep(drainMs, timer.signal).then(() => {
        if (!timer.signal.aborted) this.reader.destroy();
      });
      await this.closed;
      timer.abort();
      await cut;
      await unlink(this.path).catch(() => undefined);
    })();
    return this.closing;
  }
}
