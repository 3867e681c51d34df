// Runs a service as a host process in its own process group, its stdout and stderr piped into the service's log.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { InvariantError } from '../../resources/index.js';
import type { ExitInfo, LogSink, Runner, RunningHandle } from './runner.js';

/** Options of {@link ProcessRunner}. */
export interface ProcessRunnerOptions {
  /** Absolute path of the binary. */
  readonly path: string;
  readonly args?: readonly string[];
  /** The whole environment of the process (nothing is inherited); default: only a standard PATH. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly uid?: number;
  readonly gid?: number;
  /** How long to wait after the process exited for its output pipes to drain (default 2000 ms). */
  readonly drainMs?: number;
}

/** The PATH a service gets when its definition gives no environment. */
export const DEFAULT_SERVICE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function problem(e: unknown): string {
  if (e instanceof Error && 'code' in e) {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return 'does not exist';
    if (e.code === 'EACCES') return 'is not accessible';
  }
  return e instanceof Error ? e.message : String(e);
}

/** Throws an Error naming `path` when it is not an executable file, or `cwd` not a directory. */
async function checkRunnable(path: string, cwd: string | undefined): Promise<void> {
  const st = await stat(path).catch((e: unknown) => {
    throw new Error(`cannot run ${path}: it ${problem(e)}`);
  });
  if (!st.isFile()) throw new Error(`cannot run ${path}: it is not a regular file`);
  await access(path, constants.X_OK).catch(() => {
    throw new Error(`cannot run ${path}: it is not executable`);
  });
  if (cwd === undefined) return;
  const wd = await stat(cwd).catch((e: unknown) => {
    throw new Error(`cannot run ${path} in ${cwd}: the directory ${problem(e)}`);
  });
  if (!wd.isDirectory()) throw new Error(`cannot run ${path} in ${cwd}: not a directory`);
}

/** Sends `sig` to the process group of `pid` (to the process alone if it has no group of its own yet). */
function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  }
}

/** How a process ended, for people. */
export function exitInfo(code: number | null, signal: string | null): ExitInfo {
  if (signal !== null) return { code: null, signal, reason: `killed by ${signal}` };
  return { code, signal: null, reason: `exited with code ${code ?? 'unknown'}` };
}

/**
 * A Runner of host processes. Each run is a new process group (detached), so stopping a service also stops whatever
 * it started; when the main process exits, what is left of its group is killed, so that a restart never runs beside
 * leftovers of the last run.
 */
export class ProcessRunner implements Runner {
  readonly description: string;

  constructor(private readonly o: ProcessRunnerOptions) {
    if (!isAbsolute(o.path))
      throw new InvariantError(`process runner path ${JSON.stringify(o.path)}: need an absolute path`);
    this.description = `process ${o.path}`;
  }

  /** Spawns the process; rejects naming the path when it does not exist, is not executable, or cannot be spawned. */
  async start(log: LogSink, signal: AbortSignal): Promise<RunningHandle> {
    const { path } = this.o;
    if (signal.aborted) throw new Error(`start of ${path} cancelled`);
    await checkRunnable(path, this.o.cwd);
    const child = spawn(path, [...(this.o.args ?? [])], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...(this.o.env ?? { PATH: DEFAULT_SERVICE_PATH }) },
      ...(this.o.cwd === undefined ? {} : { cwd: this.o.cwd }),
      ...(this.o.uid === undefined ? {} : { uid: this.o.uid }),
      ...(this.o.gid === undefined ? {} : { gid: this.o.gid }),
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void => {
        child.off('spawn', onSpawn);
        child.stdout.destroy();
        child.stderr.destroy();
        reject(new Error(`cannot run ${path}: ${e.message}`, { cause: e }));
      };
      const onSpawn = (): void => {
        child.off('error', onError);
        resolve();
      };
      child.once('error', onError);
      child.once('spawn', onSpawn);
    });
    return new ProcessHandle(child, log, this.o.drainMs ?? 2000);
  }
}

/** A running process group. */
class ProcessHandle implements RunningHandle {
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  private ended = false;
  private termSent = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(child: ChildProcess, log: LogSink, drainMs: number) {
    if (child.pid === undefined) throw new InvariantError('a spawned process has no pid');
    const pid = child.pid;
    this.pid = pid;
    const write = (chunk: Buffer): void => {
      log.write(chunk);
    };
    child.stdout?.on('data', write);
    child.stderr?.on('data', write);
    child.on('error', () => undefined); // a failed kill of an exited process; the exit is what counts
    this.exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, sig) => {
        this.ended = true;
        for (const t of this.timers) clearTimeout(t);
        this.timers.clear();
        signalGroup(pid, 'SIGKILL'); // leftovers of the group would hold the log pipes and outlive a restart
        const info = exitInfo(code, sig);
        // Output still in the pipes is read before the run counts as over; a pipe held open elsewhere is cut.
        const cut = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
        }, drainMs);
        child.once('close', () => {
          clearTimeout(cut);
          resolve(info);
        });
      });
    });
  }

  /** SIGTERM to the group, SIGKILL after `graceMs` (at once for 0); a second call can only shorten the grace. */
  stop(graceMs: number): Promise<ExitInfo> {
    if (this.ended) return this.exited;
    if (graceMs <= 0) {
      signalGroup(this.pid, 'SIGKILL');
      return this.exited;
    }
    if (!this.termSent) {
      this.termSent = true;
      signalGroup(this.pid, 'SIGTERM');
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      signalGroup(this.pid, 'SIGKILL');
    }, graceMs);
    this.timers.add(t);
    return this.exited;
  }
}
