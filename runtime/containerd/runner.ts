// Runs a system service as a containerd task: container + task from a root filesystem directory, output into the log.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { realClock, type BackoffOptions, type Clock } from '../controller/index.js';
import type { LogSink, Runner, RunningHandle } from '../services/runner.js';
import { ContainerdClient } from './client.js';
import { LogFifo, removeFifos } from './fifo.js';
import { serviceSpec, type BindMount } from './oci-spec.js';
import { TaskHandle, exitFilter, type WatchChange } from './task-handle.js';

/** Options of {@link ContainerdRunner}. */
export interface ContainerdRunnerOptions {
  /** A client to borrow (the runner uses its connection, never closes it); or give `socket`. */
  readonly client?: ContainerdClient;
  /** containerd's socket, for a client of the runner's own per run. */
  readonly socket?: string;
  /** The containerd namespace; default `system`. */
  readonly namespace?: string;
  /** The container id (the service's id). */
  readonly id: string;
  /** The root filesystem directory (see prepareRootfs). */
  readonly rootfs: string;
  /**
   * The command: an absolute path inside the root filesystem, then its arguments; or a function giving them, called at
   * each start (for flags decided just before it, e.g. how an etcd member joins its cluster).
   */
  readonly args: readonly string[] | (() => readonly string[]);
  /** `KEY=value` lines; default a standard PATH. */
  readonly env?: readonly string[];
  readonly cwd?: string;
  /** Host directories bind-mounted in (e.g. a writable data directory). */
  readonly mounts?: readonly BindMount[];
  /** The node's name: its containers' cgroups are `/<nodeName>/system/<id>`. */
  readonly nodeName: string;
  /** runc's state root for this node (two nodes sharing one collide on container ids). */
  readonly runcRoot: string;
  /** Where the stdout/stderr FIFOs are made. */
  readonly fifoDir: string;
  /** The cgroup parent instead of `/<nodeName>/system`. */
  readonly cgroupParent?: string;
  readonly capabilities?: readonly string[];
  /** RLIMIT_NOFILE of the service; default containerd's. */
  readonly maxOpenFiles?: number;
  /** What `osctl containers` shows as IMAGE; default the root filesystem directory. */
  readonly image?: string;
  /** Backoff of re-subscribing after containerd went away (default 100 ms doubling to 5 s). */
  readonly reconnect?: Partial<BackoffOptions>;
  /** How long stop waits for containerd to confirm the exit after SIGKILL (default 10 s). */
  readonly stopTimeoutMs?: number;
  /** Told when a run loses containerd's event stream and when it re-attaches. */
  readonly onWatch?: (change: WatchChange) => void;
  readonly clock?: Clock;
}

function problem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'does not exist';
  if (code === 'EACCES') return 'is not accessible';
  return e instanceof Error ? e.message : String(e);
}

/** Reads `signal.aborted` afresh (TypeScript keeps a narrowing of the property across awaits). */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A Runner of a container in containerd. Each start recreates the container: one with the same id left by an earlier
 * machined or containerd run is killed and deleted first, so a run never meets a stale spec, task or FIFO. The exit
 * comes from containerd's event stream; if containerd restarts meanwhile, the handle re-subscribes and reads the
 * task's state, retrying until containerd answers or stop gives up.
 */
export class ContainerdRunner implements Runner {
  readonly description: string;
  private readonly namespace: string;

  constructor(private readonly o: ContainerdRunnerOptions) {
    if (o.client === undefined && o.socket === undefined)
      throw new Error(`container ${o.id}: give a containerd client or socket`);
    this.namespace = o.namespace ?? 'system';
    this.description = `container ${this.namespace}/${o.id}`;
  }

  /** Starts a new run; rejects naming the root filesystem or binary when missing, or saying why containerd refused. */
  async start(log: LogSink, signal: AbortSignal): Promise<RunningHandle> {
    const { o, namespace } = this;
    const name = `${namespace}/${o.id}`;
    if (signal.aborted) throw new Error(`start of container ${name} cancelled`);
    const args = typeof o.args === 'function' ? o.args() : o.args;
    const spec = serviceSpec({ ...o, args });
    await this.checkRootfs(name, args[0] ?? '');
    const client = o.client?.withNamespace(namespace) ?? new ContainerdClient({ address: o.socket ?? '', namespace });
    const ownsClient = o.client === undefined;
    const eventsController = new AbortController();
    const onAbort = (): void => {
      eventsController.abort();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const fifos: LogFifo[] = [];
    let created = false;
    try {
      // Subscribed before the task exists, so an exit right after start is not missed; the subscription settles
      // while the container is prepared. (A leftover's exit it may see has another pid: the handle ignores it.)
      const events = client.events({ signal: eventsController.signal, filters: [exitFilter(namespace, o.id)] });
      await client.ensureNamespace(namespace, { signal });
      await client.removeContainer(o.id, { signal });
      await mkdir(o.fifoDir, { recursive: true, mode: 0o700 });
      // `@` is in neither namespace names nor ids, so the prefix names this container's FIFOs only.
      const prefix = `${namespace}@${o.id}@`;
      await removeFifos(o.fifoDir, prefix); // the leftover's, if any: its shim is gone now
      const base = join(o.fifoDir, `${prefix}${randomBytes(4).toString('hex')}`);
      fifos.push(await LogFifo.open(`${base}-stdout`, log));
      fifos.push(await LogFifo.open(`${base}-stderr`, log));
      const runc = { root: o.runcRoot };
      const labels = { 'io.osnode.node': o.nodeName, 'io.osnode.rootfs': o.rootfs };
      await client.createContainer({ id: o.id, spec, runc, labels, image: o.image ?? o.rootfs }, { signal });
      created = true;
      await events.ready;
      await client.createTask(o.id, { stdout: fifos[0]?.path ?? '', stderr: fifos[1]?.path ?? '', runc }, { signal });
      const pid = await client.startTask(o.id, { signal });
      signal.removeEventListener('abort', onAbort);
      return new TaskHandle({
        client,
        ownsClient,
        id: o.id,
        pid,
        events,
        eventsController,
        fifos,
        clock: o.clock ?? realClock,
        reconnect: o.reconnect ?? {},
        stopTimeoutMs: o.stopTimeoutMs ?? 10_000,
        onWatch: o.onWatch,
      });
    } catch (e) {
      signal.removeEventListener('abort', onAbort);
      eventsController.abort();
      // Cleanup runs without the caller's signal: it must not be cut short by the abort that caused it.
      if (created) await client.removeContainer(o.id).catch(() => undefined);
      await Promise.all(fifos.map((f) => f.close(0)));
      if (ownsClient) client.close();
      if (isAborted(signal)) throw new Error(`start of container ${name} cancelled`, { cause: e });
      throw new Error(`cannot start container ${name}: ${messageOf(e)}`, { cause: e });
    }
  }

  /** Throws naming the path when the root filesystem or the binary in it is missing. */
  private async checkRootfs(name: string, program: string): Promise<void> {
    const { rootfs } = this.o;
    const st = await stat(rootfs).catch((e: unknown) => {
      throw new Error(`cannot start container ${name}: root filesystem ${rootfs} ${problem(e)}`);
    });
    if (!st.isDirectory())
      throw new Error(`cannot start container ${name}: root filesystem ${rootfs} is not a directory`);
    // lstat: a symlink inside the rootfs (busybox applets) resolves within the container, not on this host.
    await lstat(join(rootfs, program)).catch((e: unknown) => {
      throw new Error(
        `cannot start container ${name}: ${program} ${problem(e)} in root filesystem ${rootfs} (missing ${join(rootfs, program)})`,
      );
    });
  }
}
