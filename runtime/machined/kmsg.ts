// The kernel log from /dev/kmsg, formatted as `dmesg` prints it: `[seconds.micros] message`, one record per line.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { HostUnavailableError } from './errors.js';

/** Options of {@link readKmsg}. */
export interface KmsgOptions {
  /** Keep reading new records after the existing ones. */
  readonly follow: boolean;
  /** Skip the existing records (with `follow`: only new ones). */
  readonly tail: boolean;
  readonly signal: AbortSignal;
  /** The device (tests give a file). */
  readonly path?: string;
  /** How often a follower looks for new records: /dev/kmsg has no readiness notification usable from Node. */
  readonly pollMs?: number;
}

/** The largest record the kernel writes to /dev/kmsg (CONSOLE_EXT_LOG_MAX). */
const RECORD_MAX = 8192;
/** Records are sent in chunks of at most this size. */
const CHUNK_MAX = 64 * 1024;

/** One /dev/kmsg record (`prio,seq,usec,flags;text` plus ` KEY=value` lines) as a dmesg line; undefined if malformed. */
export function formatKmsgRecord(record: string): string | undefined {
  const semi = record.indexOf(';');
  if (semi < 0) return undefined;
  const usec = Number(record.slice(0, semi).split(',')[2]);
  if (!Number.isFinite(usec)) return undefined;
  const text = (record.slice(semi + 1).split('\n')[0] ?? '').replace(/\\x([0-9a-f]{2})/gi, (_, h: string) =>
    String.fromCharCode(parseInt(h, 16)),
  );
  const secs = String(Math.floor(usec / 1e6)).padStart(5, ' ');
  const micros = String(usec % 1e6).padStart(6, '0');
  return `[${secs}.${micros}] ${text}\n`;
}

async function openKmsg(path: string): Promise<FileHandle> {
  try {
    // Non-blocking: a read at the end returns EAGAIN instead of parking a libuv thread until the kernel logs again.
    return await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new HostUnavailableError(`cannot read the kernel log ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Reads the kernel log; chunks end at record boundaries. Aborting `signal` ends the iteration cleanly. */
export async function* readKmsg(o: KmsgOptions): AsyncGenerator<Buffer> {
  const path = o.path ?? '/dev/kmsg';
  const fh = await openKmsg(path);
  const buf = Buffer.alloc(RECORD_MAX);
  let skipping = o.tail;
  let chunk = '';
  let pending = '';
  try {
    while (!o.signal.aborted) {
      let n: number;
      try {
        ({ bytesRead: n } = await fh.read(buf, 0, buf.length, null));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') continue; // records were overwritten before we read them: go on with the next
        if (code !== 'EAGAIN') throw new HostUnavailableError(`reading ${path}: ${(e as Error).message}`, { cause: e });
        n = 0;
      }
      if (n > 0) {
        // /dev/kmsg returns one whole record per read; a plain file (tests) returns any number of bytes.
        pending += buf.subarray(0, n).toString('utf8');
        const end = pending.lastIndexOf('\n') + 1;
        if (!skipping) chunk += formatRecords(pending.slice(0, end));
        pending = pending.slice(end);
        if (chunk.length < CHUNK_MAX) continue;
      }
      if (chunk !== '') {
        yield Buffer.from(chunk);
        chunk = '';
      }
      if (n > 0) continue;
      skipping = false;
      if (!o.follow) return;
      await sleep(o.pollMs ?? 250, undefined, { signal: o.signal }).catch(() => undefined);
    }
  } finally {
    await fh.close();
  }
}

/** Whole records as dmesg lines; the ` KEY=value` continuation lines of a record carry nothing dmesg prints. */
function formatRecords(text: string): string {
  let out = '';
  for (const line of text.split('\n')) {
    if (line !== '' && !line.startsWith(' ')) out += formatKmsgRecord(line) ?? '';
  }
  return out;
}
