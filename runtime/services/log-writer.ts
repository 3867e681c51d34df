// Writing a service's output to its log file, rotated to `<file>.1` before it would exceed a size limit.
import { closeSync, openSync, renameSync, fstatSync, writeSync } from 'node:fs';
import type { LogSink } from './runner.js';

/** 8 MiB: a service's log takes at most twice this on disk (the file and its one rotated predecessor). */
export const DEFAULT_LOG_MAX_BYTES = 8 * 1024 * 1024;

/** Writes smaller than this are gathered and written together at the end of the current turn of the event loop. */
const GATHER = 64 * 1024;

/** Options of {@link ServiceLogWriter}. */
export interface ServiceLogWriterOptions {
  /** The file is rotated before a write would take it past this many bytes (default 8 MiB). */
  readonly maxBytes?: number;
  /** Told about a failed open, write or rotation (the bytes are dropped); once until a write succeeds again. */
  readonly onError?: (e: Error) => void;
}

/**
 * A LogSink appending to one file through a file descriptor kept open. Small writes are gathered into one buffer and
 * written with one system call per turn of the event loop (or per 64 KiB); larger ones are written at once. Rotation
 * closes the file, renames it to `<path>.1` (replacing the previous one) and starts a new file, so a reader that sees
 * a new file at `<path>` knows the old one is complete. A restarted service appends to the same file.
 */
export class ServiceLogWriter implements LogSink {
  private fd: number | undefined;
  private size = 0;
  private readonly buf = Buffer.allocUnsafe(GATHER);
  private used = 0;
  private scheduled = false;
  private closed = false;
  private failing = false;
  private readonly maxBytes: number;

  constructor(
    readonly path: string,
    private readonly o: ServiceLogWriterOptions = {},
  ) {
    this.maxBytes = o.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
    if (!(this.maxBytes > 0)) throw new RangeError(`log maxBytes=${this.maxBytes}: need a number > 0`);
  }

  /** Appends `chunk` (copied when gathered: the caller may reuse it). Writes after `close` are dropped. */
  write(chunk: Buffer): void {
    if (this.closed || chunk.length === 0) return;
    if (chunk.length >= GATHER) {
      this.flush();
      this.append(chunk);
      return;
    }
    if (this.used + chunk.length > GATHER) this.flush();
    chunk.copy(this.buf, this.used);
    this.used += chunk.length;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Writes out what is gathered now. */
  flush(): void {
    if (this.used === 0) return;
    const data = this.buf.subarray(0, this.used);
    this.used = 0;
    this.append(data);
  }

  /** Flushes and closes the file; later writes are dropped. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.closeFd();
  }

  private append(data: Buffer): void {
    try {
      let off = 0;
      while (off < data.length) {
        const fd = this.open();
        const rest = data.length - off;
        if (this.size > 0 && this.size + rest > this.maxBytes) this.rotate();
        const n = Math.min(rest, this.maxBytes - this.size);
        this.writeAll(this.fd ?? fd, data, off, n);
        off += n;
      }
      this.failing = false;
    } catch (e) {
      this.closeFd(); // the next write reopens
      if (!this.failing) this.o.onError?.(e instanceof Error ? e : new Error(String(e)));
      this.failing = true;
    }
  }

  private writeAll(fd: number, data: Buffer, off: number, n: number): void {
    for (let done = 0; done < n;) {
      const w = writeSync(fd, data, off + done, n - done);
      done += w;
      this.size += w;
    }
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    const fd = openSync(this.path, 'a', 0o600);
    this.fd = fd;
    this.size = fstatSync(fd).size;
    return fd;
  }

  private rotate(): void {
    this.closeFd();
    renameSync(this.path, `${this.path}.1`);
    this.open();
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // Nothing to do about a failed close of a log file; the next write opens it again.
    }
  }
}
