// Sysctls of this process's namespaces: read and written through /proc/sys, and watched for changes by anyone.
import { constants, watch as fsWatch, type FSWatcher } from 'node:fs';
import { open, readFile, readlink } from 'node:fs/promises';
import { getSystemErrorMap } from 'node:util';
import { PROC_SYS, sysctlPath } from '../../resources/index.js';
import { aborted, realClock, type Clock } from '../controller/clock.js';

/** The sysctls of the calling process (net.* of its network namespace, the rest of its kernel). */
export interface Sysctls {
  /** The value as the kernel prints it, trailing newline removed; undefined when there is no such sysctl. */
  read(name: string, signal: AbortSignal): Promise<string | undefined>;
  /** Writes a value; throws {@link SysctlError} with the kernel's errno (ENOENT: no such sysctl, EINVAL: refused). */
  write(name: string, value: string, signal: AbortSignal): Promise<void>;
  /**
   * Yields once when it watches, then whenever one of the sysctls `names()` lists may have changed (by anyone, the
   * caller included). Spurious yields are allowed; ends when `signal` aborts.
   */
  watch(names: () => Iterable<string>, signal: AbortSignal): AsyncIterable<void>;
  /** True when this process has a network namespace of its own, not the host's (see hostNetworkNamespace). */
  ownNetworkNamespace(): Promise<boolean>;
}

/** A refused read or write of a sysctl; `code` is the errno name, `message` says what the kernel answered. */
export class SysctlError extends Error {
  override readonly name = 'SysctlError';
  constructor(
    readonly sysctl: string,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** True when `e` is a {@link SysctlError}, optionally with errno name `code`. */
export function isSysctlError(e: unknown, code?: string): e is SysctlError {
  return e instanceof SysctlError && (code === undefined || e.code === code);
}

/** The kernel's answer in words, as strerror gives it: `invalid argument (EINVAL)`. */
function kernelWords(e: NodeJS.ErrnoException): string {
  const text = e.errno === undefined ? undefined : getSystemErrorMap().get(e.errno)?.[1];
  return `${text ?? e.message} (${e.code ?? 'unknown error'})`;
}

/** Options of {@link HostSysctls}. */
export interface HostSysctlsOptions {
  /** Default /proc/sys. */
  readonly procSys?: string;
  /** How often `watch` re-reads the watched sysctls (see the class comment); default 2,000 ms. */
  readonly resyncMs?: number;
  readonly clock?: Clock;
}

/**
 * The real /proc/sys. `watch` puts an inotify watch on each file, which reports writes through the file at once
 * (`sysctl -w`, `echo > /proc/sys/...`: the write goes through the VFS, which notifies). inotify cannot see every
 * change, though: the kernel changes some values itself (writing net.ipv4.conf.all.forwarding also sets
 * net.ipv4.ip_forward, with no event on ip_forward), a sysctl of an interface created later has no file to watch yet,
 * and procfs may drop and rebuild an inode the watch holds. So `watch` also re-reads the watched values every
 * `resyncMs` and yields when one changed: bounded (one read of each watched file per period, a few dozen reads of a
 * few bytes) and cheap, it catches what inotify misses within the period. The list of names is re-read at each wake-up
 * too, so a sysctl added to it gets its inotify watch within one period (the re-read covers it until then).
 */
export class HostSysctls implements Sysctls {
  private readonly procSys: string;
  private readonly resyncMs: number;
  private readonly clock: Clock;

  constructor(o: HostSysctlsOptions = {}) {
    this.procSys = o.procSys ?? PROC_SYS;
    this.resyncMs = o.resyncMs ?? 2_000;
    this.clock = o.clock ?? realClock;
  }

  async read(name: string, signal: AbortSignal): Promise<string | undefined> {
    try {
      return (await readFile(sysctlPath(name, this.procSys), { encoding: 'utf8', signal })).replace(/\n$/, '');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') return undefined;
      if (signal.aborted) throw e;
      throw new SysctlError(name, err.code ?? 'EIO', `read ${name}: ${kernelWords(err)}`, { cause: e });
    }
  }

  async write(name: string, value: string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    try {
      // O_WRONLY without O_CREAT or O_TRUNC: a missing sysctl is ENOENT, and write-only entries can be written.
      const fh = await open(sysctlPath(name, this.procSys), constants.O_WRONLY);
      try {
        await fh.write(value);
      } finally {
        await fh.close();
      }
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new SysctlError(name, err.code ?? 'EIO', `write ${value} to ${name}: ${kernelWords(err)}`, { cause: e });
    }
  }

  watch(names: () => Iterable<string>, signal: AbortSignal): AsyncIterable<void> {
    return watchSysctls(this, names, signal, this.procSys, this.resyncMs, this.clock);
  }

  async ownNetworkNamespace(): Promise<boolean> {
    const mine = await readlink('/proc/self/ns/net').catch(() => undefined);
    const host = await hostNetworkNamespace();
    // Unknown (no /proc, nothing readable): assume the host's, so that nothing of the host is changed.
    return mine !== undefined && host !== undefined && mine !== host;
  }
}

/**
 * The host's network namespace (`net:[inode]`): that of kthreadd (PID 2, a kernel thread, always in the initial
 * namespace) when PID 2 is kthreadd, else that of PID 1. Some machines deny reading PID 1's namespace links even to
 * root (a non-dumpable init), while kernel threads stay readable. Undefined when neither can be read.
 */
async function hostNetworkNamespace(): Promise<string | undefined> {
  const comm = await readFile('/proc/2/comm', 'utf8').catch(() => '');
  for (const pid of comm.trim() === 'kthreadd' ? [2, 1] : [1]) {
    const link = await readlink(`/proc/${pid}/ns/net`).catch(() => undefined);
    if (link !== undefined) return link;
  }
  return undefined;
}

function watchSysctls(
  sysctls: Sysctls,
  names: () => Iterable<string>,
  signal: AbortSignal,
  procSys: string,
  resyncMs: number,
  clock: Clock,
): AsyncIterable<void> {
  return {
    async *[Symbol.asyncIterator]() {
      const watchers = new Map<string, FSWatcher>();
      const last = new Map<string, string | undefined>();
      // Set by inotify callbacks between awaits: read through functions, which the compiler does not narrow.
      let notified = false;
      const pending = (): boolean => notified;
      const take = (): boolean => {
        const n = notified;
        notified = false;
        return n;
      };
      let wake: (() => void) | undefined;
      const poke = (): void => {
        notified = true;
        wake?.();
      };
      // Watches exactly the names listed now; a file that does not exist yet is left to the resync.
      const follow = (): string[] => {
        const now = [...new Set(names())];
        for (const [name, w] of watchers) {
          if (!now.includes(name)) {
            w.close();
            watchers.delete(name);
            last.delete(name);
          }
        }
        for (const name of now) {
          if (watchers.has(name)) continue;
          try {
            const w = fsWatch(sysctlPath(name, procSys), { persistent: false }, poke);
            w.on('error', () => {
              w.close();
              watchers.delete(name);
            });
            watchers.set(name, w);
          } catch {
            // no such file (yet): the periodic re-read notices when it appears
          }
        }
        return now;
      };
      const changed = async (list: readonly string[]): Promise<boolean> => {
        let any = false;
        for (const name of list) {
          const v = await sysctls.read(name, signal).catch(() => undefined);
          if (!last.has(name) || last.get(name) !== v) any = true;
          last.set(name, v);
        }
        return any;
      };
      try {
        await changed(follow());
        yield;
        while (!aborted(signal)) {
          if (!pending()) {
            const tick = new AbortController();
            const woken = new Promise<void>((resolve) => (wake = resolve));
            await Promise.race([woken, clock.sleep(resyncMs, AbortSignal.any([signal, tick.signal]))]);
            tick.abort();
            wake = undefined;
          }
          if (aborted(signal)) break;
          const byInotify = take();
          if ((await changed(follow())) || byInotify) yield;
        }
      } finally {
        for (const w of watchers.values()) w.close();
      }
    },
  };
}
