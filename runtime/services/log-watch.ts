// Change notification for a log reader: a flag set when a log file (or its rotated predecessor) changes in its directory.
import { watch, type FSWatcher } from 'node:fs';
import { NotFoundError } from '../../resources/index.js';

/**
 * Wakes a waiter when `<dir>/<name>` or `<dir>/<name>.1` changes, is created or is renamed. It watches the directory,
 * not the file, because a watch on a file follows its inode to `<name>.1` when it is rotated. It holds one flag, never
 * a queue: a client that reads slowly costs nothing however much is written meanwhile; it reads the file to its end
 * when it asks again.
 */
export class DirChanges {
  private dirty = false;
  private wake: (() => void) | undefined;
  private readonly watcher: FSWatcher;

  /** Starts watching; NotFoundError when `dir` does not exist. */
  constructor(dir: string, name: string) {
    const rotated = `${name}.1`;
    const fire = (): void => {
      this.dirty = true;
      this.wake?.();
    };
    try {
      this.watcher = watch(dir, { persistent: false }, (_event, file) => {
        if (file === null || file === name || file === rotated) fire();
      });
    } catch (e) {
      if (e instanceof Error && 'code' in e && e.code === 'ENOENT') {
        throw new NotFoundError(`cannot follow ${dir}/${name}: no directory ${dir}`, { cause: e });
      }
      throw e;
    }
    this.watcher.on('error', fire);
  }

  /** Resolves once something changed since the last call, or `signal` aborts. */
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

  /** Stops watching. */
  close(): void {
    this.watcher.close();
  }
}
