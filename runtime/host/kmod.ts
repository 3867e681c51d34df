// Kernel modules: whether one is in the kernel (/sys/module), and loading one with its parameters through modprobe.
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';

/** The kernel's modules, as the node sees them. */
export interface Kmod {
  /** True when the module is in the kernel: loaded, or built in with an entry in /sys/module. */
  isLoaded(name: string, signal: AbortSignal): Promise<boolean>;
  /** Runs `modprobe NAME PARAMS...`; throws {@link KmodError} with modprobe's own message when it fails. */
  load(name: string, parameters: readonly string[], signal: AbortSignal): Promise<void>;
}

/** A module that could not be loaded; the message is modprobe's (e.g. `Module foo not found in directory ...`). */
export class KmodError extends Error {
  override readonly name = 'KmodError';
  constructor(
    readonly module: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** True when `e` is a {@link KmodError}. */
export function isKmodError(e: unknown): e is KmodError {
  return e instanceof KmodError;
}

/** Options of {@link HostKmod}. */
export interface HostKmodOptions {
  /** Default /sys/module. */
  readonly sysModule?: string;
  /** The modprobe program; default `modprobe` from the PATH (Debian package kmod). */
  readonly modprobe?: string;
  /** How long one modprobe may take; default 30 s. */
  readonly timeoutMs?: number;
}

/** The real kernel: /sys/module and modprobe. */
export class HostKmod implements Kmod {
  constructor(private readonly o: HostKmodOptions = {}) {}

  async isLoaded(name: string, signal: AbortSignal): Promise<boolean> {
    signal.throwIfAborted();
    // /sys/module names use underscores; modprobe treats - and _ alike.
    const dir = join(this.o.sysModule ?? '/sys/module', name.replaceAll('-', '_'));
    return access(dir).then(
      () => true,
      () => false,
    );
  }

  load(name: string, parameters: readonly string[], signal: AbortSignal): Promise<void> {
    const program = this.o.modprobe ?? 'modprobe';
    return new Promise((resolve, reject) => {
      execFile(
        program,
        [name, ...parameters],
        { signal, timeout: this.o.timeoutMs ?? 30_000 },
        (err, _stdout, stderr) => {
          if (err === null) {
            resolve();
            return;
          }
          if (signal.aborted) {
            reject(signal.reason instanceof Error ? signal.reason : new Error('aborted', { cause: err }));
            return;
          }
          const code = (err as NodeJS.ErrnoException).code;
          const message =
            code === 'ENOENT'
              ? `${program} not found on this node (it comes with the kmod package)`
              : stderr
                  .trim()
                  .split('\n')
                  .filter((l) => l !== '')
                  .join('; ') || err.message;
          reject(new KmodError(name, message, { cause: err }));
        },
      );
    });
  }
}

/** An in-memory {@link Kmod} for controller tests: `available` modules load, others fail as modprobe says. */
export class MemoryKmod implements Kmod {
  /** Every load asked for, as `name params...`. */
  readonly loads: string[] = [];
  readonly loaded = new Set<string>();

  constructor(
    private readonly available: ReadonlySet<string> = new Set(),
    private readonly release = '6.1.0-test',
  ) {}

  isLoaded(name: string): Promise<boolean> {
    return Promise.resolve(this.loaded.has(name));
  }

  load(name: string, parameters: readonly string[]): Promise<void> {
    this.loads.push([name, ...parameters].join(' '));
    if (!this.available.has(name)) {
      const msg = `modprobe: FATAL: Module ${name} not found in directory /lib/modules/${this.release}`;
      return Promise.reject(new KmodError(name, msg));
    }
    this.loaded.add(name);
    return Promise.resolve();
  }
}
