// A started containerd task as the supervisor's RunningHandle: its exit from containerd's events, re-attached after
// containerd restarts, and stop by signals followed by cleanup of the task and container.
import { Backoff, backoffOptions, type BackoffOptions, type Clock } from '../controller/index.js';
import { constants } from 'node:os';
import { isNotFound } from '../../resources/errors.js';
import type { ExitInfo, RunningHandle } from '../services/runner.js';
import type { ContainerdClient } from './client.js';
import type { EventStream } from './events.js';
import type { LogFifo } from './fifo.js';

/** How waiting for a task ended: its exit status, or why containerd can no longer say. */
type Ending = { readonly status: number } | { readonly lost: string };

const SIGNAL_NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, n]) => [n, name]));

/**
 * How a task ended, for people: containerd reports a process killed by signal N as exit status 128 + N (runc's
 * convention), so 137 reads as `killed by SIGKILL`. A process that itself exits with 137 reads the same.
 */
export function exitInfoFromStatus(status: number): ExitInfo {
  const name = status > 128 ? SIGNAL_NAMES.get(status - 128) : undefined;
  if (name !== undefined) return { code: null, signal: name, reason: `killed by ${name}` };
  return { code: status, signal: null, reason: `exited with code ${status}` };
}

/** The containerd event filter for task exits of container `id` in `namespace`. */
export function exitFilter(namespace: string, id: string): string {
  return `namespace==${JSON.stringify(namespace)},topic=="/tasks/exit",event.container_id==${JSON.stringify(id)}`;
}

/** A change in how a handle watches its task: containerd's event stream broke, or it re-attached to a new one. */
export interface WatchChange {
  readonly state: 'detached' | 'reattached';
  readonly message: string;
}

/** Everything a handle needs; made by ContainerdRunner.start. */
export interface TaskHandleParts {
  /** A client bound to the task's namespace. */
  readonly client: ContainerdClient;
  /** Whether the handle closes the client when done. */
  readonly ownsClient: boolean;
  readonly id: string;
  readonly pid: number;
  /** A ready subscription to this task's exits, made before the task was created. */
  readonly events: EventStream;
  /** Aborting it ends `events` (the handle aborts it when done). */
  readonly eventsController: AbortController;
  readonly fifos: readonly LogFifo[];
  readonly clock: Clock;
  readonly reconnect: Partial<BackoffOptions>;
  /** How long stop waits for containerd to confirm the exit after SIGKILL before giving up. */
  readonly stopTimeoutMs: number;
  /** Told when the event stream breaks and when the handle re-attaches (for logs; tests wait on it). */
  readonly onWatch?: ((change: WatchChange) => void) | undefined;
}

/** A running task; see RunningHandle for the contract. */
export class TaskHandle implements RunningHandle {
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  private ended = false;
  private stopRequested = false;
  private stopping: Promise<ExitInfo> | undefined;

  constructor(private readonly p: TaskHandleParts) {
    this.pid = p.pid;
    this.exited = this.waitExit()
      .catch((e: unknown) => ({ lost: e instanceof Error ? e.message : String(e) }))
      .then((ending) => this.finish(ending));
  }

  /** SIGTERM to the task, SIGKILL to all its processes after `graceMs`, then the task and container are deleted. */
  stop(graceMs: number): Promise<ExitInfo> {
    this.stopRequested = true;
    this.stopping ??= this.doStop(graceMs);
    return this.stopping;
  }

  private async doStop(graceMs: number): Promise<ExitInfo> {
    if (this.ended) return this.exited;
    await this.kill('SIGTERM', false);
    if (await this.exitedWithin(graceMs)) return this.exited;
    await this.kill('SIGKILL', true);
    if (await this.exitedWithin(this.p.stopTimeoutMs)) return this.exited;
    // containerd is gone and does not come back: stop waiting for a confirmation that cannot arrive.
    this.p.eventsController.abort(
      new Error(`containerd did not confirm the exit within ${this.p.stopTimeoutMs} ms of SIGKILL`),
    );
    return this.exited;
  }

  private async kill(sig: NodeJS.Signals, all: boolean): Promise<void> {
    try {
      await this.p.client.killTask(this.p.id, sig, { all });
    } catch {
      // Already gone (NotFound, or not running), or containerd is down: the exit watch settles it either way.
    }
  }

  private async exitedWithin(ms: number): Promise<boolean> {
    const timer = new AbortController();
    const done = await Promise.race([
      this.exited.then(() => true),
      this.p.clock.sleep(ms, timer.signal).then(() => false),
    ]);
    timer.abort();
    return done;
  }

  private isOurs(e: { type: string; containerId?: string; execId?: string; pid?: number }): boolean {
    return (
      e.type === 'TaskExit' &&
      e.containerId === this.p.id &&
      (e.execId === this.p.id || e.execId === '') &&
      e.pid === this.pid
    );
  }

  /** Waits for this task's TaskExit; when the stream breaks, re-subscribes with backoff and asks for the task's state. */
  private async waitExit(): Promise<Ending> {
    const { client, id, clock } = this.p;
    const signal = this.p.eventsController.signal;
    const backoff = new Backoff(backoffOptions({ baseMs: 100, maxMs: 5000, ...this.p.reconnect }));
    let stream: EventStream | undefined = this.p.events;
    for (;;) {
      if (stream !== undefined) {
        try {
          for await (const ev of stream) {
            if (this.isOurs(ev.event) && ev.event.type === 'TaskExit') return { status: ev.event.exitStatus };
          }
        } catch (e) {
          // containerd went away; re-attach below.
          this.p.onWatch?.({
            state: 'detached',
            message: `lost containerd's event stream: ${e instanceof Error ? e.message : String(e)}`,
          });
        }
        stream = undefined;
      }
      if (signal.aborted) return { lost: reasonOf(signal) };
      await clock.sleep(backoff.next(), signal);
      if (isAborted(signal)) return { lost: reasonOf(signal) };
      const next = client.events({ signal, filters: [exitFilter(client.namespace, id)] });
      try {
        await next.ready; // from here no exit is missed, so the state read next is safe to act on
        const task = await client.getTask(id, { signal });
        if (task.pid !== this.pid) {
          next.close();
          return { lost: `containerd now has another task ${id} (pid ${task.pid})` };
        }
        if (task.status === 'STOPPED') {
          next.close();
          return { status: task.exitStatus };
        }
        stream = next;
        this.p.onWatch?.({
          state: 'reattached',
          message: `re-attached to task ${id} (pid ${task.pid}, ${task.status}) after ${backoff.failures} attempts`,
        });
        backoff.reset();
      } catch (e) {
        next.close();
        if (isNotFound(e)) return { lost: `containerd has no task ${id} any more` };
      }
    }
  }

  /** Deletes the task (and the container after a stop), closes the log FIFOs and the client; never throws. */
  private async finish(ending: Ending): Promise<ExitInfo> {
    const { client, id } = this.p;
    this.p.eventsController.abort();
    // Delete waits for the shim to copy the last output, then the shim closes its FIFO ends: read until then.
    await client.deleteTask(id).catch(() => undefined);
    // A lost task's shim may still hold its FIFO ends: cut the log sooner, its output no longer counts.
    await Promise.all(this.p.fifos.map((f) => f.close('status' in ending ? 2000 : 200)));
    if (this.stopRequested) await client.deleteContainer(id).catch(() => undefined);
    if (this.p.ownsClient) client.close();
    this.ended = true;
    return 'status' in ending
      ? exitInfoFromStatus(ending.status)
      : { code: null, signal: null, reason: `containerd lost the task: ${ending.lost}` };
  }
}

/** Reads `signal.aborted` afresh (TypeScript keeps a narrowing of the property across awaits). */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

function reasonOf(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : 'stopped watching';
}
