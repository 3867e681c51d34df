// The host's UTS names (hostname, domainname): read, set through sethostname(2)/setdomainname(2), and watched for changes.
import { constants } from 'node:os';
import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import koffi from 'koffi';
import { SharedStream } from './shared-stream.js';
import { wakeups } from './wakeups.js';

/** The kernel's UTS names of the current UTS namespace. */
export interface Uts {
  /** The host name (UTS nodename). */
  hostname(): string;
  /** The NIS domain name; empty when the kernel reports "(none)". */
  domainname(): string;
  /** Sets the host name; throws {@link UtsError} (EPERM without CAP_SYS_ADMIN, EINVAL when too long). */
  setHostname(name: string): void;
  /** Sets the domain name (empty clears it); throws {@link UtsError}. */
  setDomainname(name: string): void;
  /**
   * Yields once as soon as it watches (so a consumer can re-read without missing a change), then once after any
   * change of either name, by anyone. Ends when `signal` aborts. Spurious yields are allowed.
   */
  watch(signal: AbortSignal): AsyncIterable<void>;
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/** A failed UTS system call; `code` is the errno name (EPERM, EINVAL, ...). */
export class UtsError extends Error {
  override readonly name = 'UtsError';
  constructor(
    readonly op: string,
    readonly errno: number,
    readonly code: string = ERRNO_NAMES.get(errno) ?? `E${errno}`,
  ) {
    super(`${op}: ${code} (errno ${errno})`);
  }
}

/** True when `e` is a {@link UtsError}, optionally with errno name `code`. */
export function isUtsError(e: unknown, code?: string): e is UtsError {
  return e instanceof UtsError && (code === undefined || e.code === code);
}

const libc = koffi.load('libc.so.6');

/** Why these functions: Node can read the names but cannot set them, nor wait for the kernel's change notification. */
const c = {
  sethostname: libc.func('int sethostname(const char *name, size_t len)'),
  setdomainname: libc.func('int setdomainname(const char *name, size_t len)'),
  open: libc.func('int open(const char *path, int flags)'),
  poll: libc.func('int poll(_Inout_ void *fds, unsigned long nfds, int timeout)'),
  eventfd: libc.func('int eventfd(unsigned int initval, int flags)'),
  write: libc.func('intptr_t write(int fd, const void *buf, size_t len)'),
  close: libc.func('int close(int fd)'),
};

const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;
const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;
const POLLIN = 0x1;
const POLLPRI = 0x2;
const HOSTNAME_PATH = '/proc/sys/kernel/hostname';
const DOMAINNAME_PATH = '/proc/sys/kernel/domainname';

function check(op: string, rc: unknown): number {
  const n = Number(rc);
  if (n < 0) throw new UtsError(op, koffi.errno());
  return n;
}

function setName(op: 'sethostname' | 'setdomainname', name: string): void {
  const buf = Buffer.from(name, 'utf8');
  check(op, c[op](name, buf.length));
}

/**
 * Waits on a libuv worker thread (koffi's async call) until one of `watched` reports POLLPRI|POLLERR (the kernel's
 * proc_sys_poll says the value changed since the last poll on that fd) or `wakeFd` is readable. No timeout, no spinning.
 * Resolves true when woken through `wakeFd`. The fds must stay open until it resolves.
 */
function pollChange(watched: readonly number[], wakeFd: number): Promise<boolean> {
  const n = watched.length + 1;
  const fds = Buffer.alloc(8 * n); // struct pollfd: fd i32, events i16, revents i16
  watched.forEach((fd, i) => {
    fds.writeInt32LE(fd, 8 * i);
    // Only POLLPRI (the kernel adds POLLERR with it): proc files are always readable, so POLLIN would return at once.
    fds.writeInt16LE(POLLPRI, 8 * i + 4);
  });
  fds.writeInt32LE(wakeFd, 8 * watched.length);
  fds.writeInt16LE(POLLIN, 8 * watched.length + 4);
  return new Promise((resolve, reject) => {
    c.poll.async(fds, n, -1, (err: unknown, rc: unknown) => {
      if (err !== null && err !== undefined) {
        reject(err instanceof Error ? err : new Error('poll(2) on a worker thread failed', { cause: err }));
        return;
      }
      // rc < 0 is EINTR in practice: report a (spurious) change and poll again.
      const woken = Number(rc) >= 0 && (fds.readInt16LE(8 * watched.length + 6) & POLLIN) !== 0;
      resolve(woken);
    });
  });
}

/**
 * The real UTS names of this process's UTS namespace. Setting needs CAP_SYS_ADMIN over the namespace. `watch` uses the
 * kernel's own notification: /proc/sys/kernel/{hostname,domainname} wake poll(2) waiters with POLLERR|POLLPRI on every
 * change (sethostname, setdomainname or a write to the proc file), so it costs one blocked worker thread and no timer.
 * The notification is not per namespace: a change in another UTS namespace yields too (a spurious yield).
 */
export class HostUts implements Uts {
  hostname(): string {
    return osHostname();
  }

  domainname(): string {
    const v = readFileSync(DOMAINNAME_PATH, 'utf8').trim();
    return v === '(none)' ? '' : v;
  }

  setHostname(name: string): void {
    setName('sethostname', name);
  }

  setDomainname(name: string): void {
    setName('setdomainname', name);
  }

  watch(signal: AbortSignal): AsyncIterable<void> {
    return SHARED_WATCH.subscribe(signal);
  }
}

/** The process's one watch of its UTS names, shared by every HostUts (it holds a worker thread while it waits). */
const SHARED_WATCH = new SharedStream<void>((signal) => watchNames(signal), { greeting: { value: undefined } });

function watchNames(signal: AbortSignal): AsyncIterable<void> {
  return {
    async *[Symbol.asyncIterator]() {
      if (signal.aborted) return;
      const fds: number[] = [];
      let wakeFd = -1;
      const onAbort = (): void => {
        const one = Buffer.alloc(8);
        one.writeBigUInt64LE(1n);
        c.write(wakeFd, one, 8);
      };
      try {
        for (const path of [HOSTNAME_PATH, DOMAINNAME_PATH]) {
          fds.push(check(`open(${path})`, c.open(path, O_RDONLY | O_CLOEXEC)));
        }
        wakeFd = check('eventfd', c.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
        // From here an abort makes the eventfd readable, which ends the poll below (now or the next one).
        signal.addEventListener('abort', onAbort, { once: true });
        // Each fd remembers the change counter as of its open (and of its last poll), so nothing after this is lost.
        yield;
        // poll(2) has always returned when this loop leaves (a consumer's return() waits for the next yield), so
        // the finally below never closes an fd a worker thread still polls.
        while (!(await pollChange(fds, wakeFd))) yield;
      } finally {
        signal.removeEventListener('abort', onAbort);
        for (const fd of fds) c.close(fd);
        if (wakeFd >= 0) c.close(wakeFd);
      }
    },
  };
}

/** An in-memory {@link Uts} for controller tests; `sets` counts calls of the setters (to prove nothing spins). */
export class MemoryUts implements Uts {
  sets = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    private host = 'localhost',
    private domain = '',
  ) {}

  hostname(): string {
    return this.host;
  }

  domainname(): string {
    return this.domain;
  }

  setHostname(name: string): void {
    this.sets++;
    this.change(() => (this.host = name));
  }

  setDomainname(name: string): void {
    this.sets++;
    this.change(() => (this.domain = name));
  }

  /** Changes the names as someone else would (e.g. `hostname foo` by hand): not counted in `sets`. */
  setByHand(hostname: string, domainname = this.domain): void {
    this.change(() => {
      this.host = hostname;
      this.domain = domainname;
    });
  }

  /** Number of open watches. */
  get watchers(): number {
    return this.listeners.size;
  }

  watch(signal: AbortSignal): AsyncIterable<void> {
    return wakeups(this.listeners, signal);
  }

  private change(fn: () => void): void {
    fn();
    for (const l of this.listeners) l();
  }
}
