// A client of containerd 1.6's gRPC API: namespaces, containers, tasks, metrics and events, over one unix socket.
import { isConflict, isNotFound } from '../../resources/errors.js';
import { Connection, type UnaryOpts } from './connection.js';
import { eventStream, SYNC_TOPIC, type EventStream } from './events.js';
import { M, signalNumber } from './methods.js';
import { packAny, packJsonAny, toDate, unpackAny, type AnyMessage, type Message, type MethodCodec } from './proto.js';
import {
  RUNC_RUNTIME,
  SPEC_TYPE_URL,
  containerFromPb,
  metricsFromPb,
  runcOptionsPb,
  taskFromPb,
  type CallOpts,
  type ConnectOptions,
  type ContainerCreate,
  type ContainerInfo,
  type ContainerRow,
  type TaskCreate,
  type TaskExitStatus,
  type TaskInfo,
  type TaskMetrics,
} from './types.js';

/**
 * A containerd client. The connection is lazy (made by the first call) and re-made after containerd restarts; calls
 * reject with NotFoundError, ConflictError('exists'), ContainerdUnavailableError or ContainerdError.
 */
export class ContainerdClient {
  /** The namespace of calls that name none. */
  readonly namespace: string;
  private readonly conn: Connection;
  private readonly ownsConnection: boolean;

  /** A client of `options.address`; with `share`, over that client's connection instead (see withNamespace). */
  constructor(options: ConnectOptions, share?: ContainerdClient) {
    this.namespace = options.namespace ?? 'default';
    this.ownsConnection = share === undefined;
    this.conn = share?.conn ?? new Connection(options.address);
  }

  /** A client of the containerd listening on `address`. */
  static connect(options: ConnectOptions): ContainerdClient {
    return new ContainerdClient(options);
  }

  /** The socket path. */
  get address(): string {
    return this.conn.socket;
  }

  /** A client of the same containerd over the same connection whose calls default to `namespace`; close this one. */
  withNamespace(namespace: string): ContainerdClient {
    return new ContainerdClient({ address: this.conn.socket, namespace }, this);
  }

  /** Closes the connection (not one borrowed through withNamespace); streams end and calls in flight fail. */
  close(): void {
    if (this.ownsConnection) this.conn.close();
  }

  private ns(opts: CallOpts): string {
    return opts.namespace ?? this.namespace;
  }

  private call(
    codec: MethodCodec,
    request: Message,
    what: string,
    opts: CallOpts & Omit<UnaryOpts, 'namespace'>,
  ): Promise<Message> {
    return this.conn.unary(codec, request, what, { ...opts, namespace: this.ns(opts) });
  }

  /** containerd's version; with `waitForReady`, waits for the socket to answer (up to `timeoutMs`). */
  async version(
    opts: CallOpts & { waitForReady?: boolean; timeoutMs?: number } = {},
  ): Promise<{ version: string; revision: string }> {
    const r = await this.call(M.version, {}, 'containerd version', opts);
    return { version: String(r.version), revision: String(r.revision) };
  }

  /** Creates the namespace (the client's by default) unless it exists. */
  async ensureNamespace(name: string = this.namespace, opts: CallOpts = {}): Promise<void> {
    try {
      await this.call(M.nsCreate, { namespace: { name } }, `create namespace ${name}`, opts);
    } catch (e) {
      if (!isConflict(e, 'exists')) throw e;
    }
  }

  /** The names of all namespaces. */
  async listNamespaces(opts: CallOpts = {}): Promise<string[]> {
    const r = await this.call(M.nsList, {}, 'list namespaces', opts);
    return (r.namespaces as Message[]).map((n) => String(n.name));
  }

  /** Creates a container (metadata only: spec, runtime and its options); ConflictError('exists') if the id is taken. */
  async createContainer(c: ContainerCreate, opts: CallOpts = {}): Promise<ContainerInfo> {
    const runtime = {
      name: c.runtime?.name ?? RUNC_RUNTIME,
      options: c.runc === undefined ? null : packAny('containerd.runc.v1.Options', runcOptionsPb(c.runc)),
    };
    const container = {
      id: c.id,
      labels: c.labels ?? {},
      image: c.image ?? '',
      runtime,
      spec: packJsonAny(SPEC_TYPE_URL, c.spec),
      snapshotter: c.snapshotter ?? '',
      snapshotKey: c.snapshotKey ?? '',
    };
    const r = await this.call(M.cCreate, { container }, `create container ${this.ns(opts)}/${c.id}`, opts);
    return containerFromPb(r.container as Message);
  }

  /** One container; NotFoundError when there is none with that id. */
  async getContainer(id: string, opts: CallOpts = {}): Promise<ContainerInfo> {
    const r = await this.call(M.cGet, { id }, `get container ${this.ns(opts)}/${id}`, opts);
    return containerFromPb(r.container as Message);
  }

  /** The containers of the namespace, optionally filtered (containerd filter syntax, ORed). */
  async listContainers(opts: CallOpts & { filters?: readonly string[] } = {}): Promise<ContainerInfo[]> {
    const r = await this.call(M.cList, { filters: opts.filters ?? [] }, `list containers in ${this.ns(opts)}`, opts);
    return (r.containers as Message[]).map(containerFromPb);
  }

  /** Deletes a container's metadata (its task must be deleted first); NotFoundError when absent. */
  async deleteContainer(id: string, opts: CallOpts = {}): Promise<void> {
    await this.call(M.cDelete, { id }, `delete container ${this.ns(opts)}/${id}`, opts);
  }

  /**
   * Creates the task of a container: the shim starts and runc creates the process, stopped before exec. stdout and
   * stderr are FIFO paths the shim opens for writing (open them for reading first); returns the process id.
   */
  async createTask(id: string, t: TaskCreate = {}, opts: CallOpts = {}): Promise<number> {
    const req = {
      containerId: id,
      rootfs: t.rootfs ?? [],
      stdin: t.stdin ?? '',
      stdout: t.stdout ?? '',
      stderr: t.stderr ?? '',
      terminal: t.terminal ?? false,
      options: t.runc === undefined ? null : packAny('containerd.runc.v1.Options', runcOptionsPb(t.runc)),
    };
    const r = await this.call(M.tCreate, req, `create task ${this.ns(opts)}/${id}`, opts);
    return Number(r.pid);
  }

  /** Starts a created task; returns its pid. */
  async startTask(id: string, opts: CallOpts = {}): Promise<number> {
    const r = await this.call(M.tStart, { containerId: id, execId: '' }, `start task ${this.ns(opts)}/${id}`, opts);
    return Number(r.pid);
  }

  /** Sends a signal to the task's init process, or with `all` to every process of the container. */
  async killTask(id: string, sig: number | NodeJS.Signals, opts: CallOpts & { all?: boolean } = {}): Promise<void> {
    const req = { containerId: id, execId: '', signal: signalNumber(sig), all: opts.all ?? false };
    await this.call(M.tKill, req, `kill task ${this.ns(opts)}/${id}`, opts);
  }

  /** Deletes a stopped task (the shim exits; FIFOs are closed); NotFoundError when there is none. */
  async deleteTask(id: string, opts: CallOpts = {}): Promise<TaskExitStatus> {
    const r = await this.call(M.tDelete, { containerId: id }, `delete task ${this.ns(opts)}/${id}`, opts);
    return { pid: Number(r.pid), exitStatus: Number(r.exitStatus), exitedAt: toDate(r.exitedAt) };
  }

  /** The task of a container; NotFoundError when it has none. */
  async getTask(id: string, opts: CallOpts = {}): Promise<TaskInfo> {
    const r = await this.call(M.tGet, { containerId: id, execId: '' }, `get task ${this.ns(opts)}/${id}`, opts);
    return taskFromPb(r.process as Message);
  }

  /** The tasks of the namespace. */
  async listTasks(opts: CallOpts & { filter?: string } = {}): Promise<TaskInfo[]> {
    const r = await this.call(M.tList, { filter: opts.filter ?? '' }, `list tasks in ${this.ns(opts)}`, opts);
    return (r.tasks as Message[]).map(taskFromPb);
  }

  /** Resolves when the task has exited (at once if it already has); no deadline, so pass a signal. */
  async waitTask(id: string, opts: CallOpts = {}): Promise<TaskExitStatus> {
    const r = await this.call(M.tWait, { containerId: id, execId: '' }, `wait for task ${this.ns(opts)}/${id}`, {
      ...opts,
      timeoutMs: 0,
    });
    return { pid: 0, exitStatus: Number(r.exitStatus), exitedAt: toDate(r.exitedAt) };
  }

  /** CPU time and memory use of the named tasks (all of the namespace when `ids` is empty), from their cgroups. */
  async metrics(ids: readonly string[], opts: CallOpts = {}): Promise<TaskMetrics[]> {
    const filters = ids.map((id) => `id==${JSON.stringify(id)}`);
    const r = await this.call(M.tMetrics, { filters }, `task metrics in ${this.ns(opts)}`, opts);
    return (r.metrics as Message[]).map((m) =>
      metricsFromPb(String(m.id), unpackAny(m.data as AnyMessage | undefined)),
    );
  }

  /**
   * Subscribes to containerd's events (all namespaces unless a filter says otherwise; filters are ORed, e.g.
   * `namespace=="system",topic=="/tasks/exit"`). Await `ready` before acting on state the events describe.
   */
  events(opts: { signal: AbortSignal; filters?: readonly string[] }): EventStream {
    const filters =
      opts.filters === undefined || opts.filters.length === 0
        ? []
        : [...opts.filters, `topic==${JSON.stringify(SYNC_TOPIC)}`];
    const call = this.conn.serverStream(M.subscribe, { filters }, { namespace: this.namespace });
    const sync = packAny('google.protobuf.Empty', {});
    const publish = async (signal: AbortSignal): Promise<void> => {
      await this.call(M.publish, { topic: SYNC_TOPIC, event: sync }, 'publish a containerd sync event', {
        signal,
        timeoutMs: 5000,
      });
    };
    return eventStream(call, publish, opts.signal);
  }

  /**
   * The containers of the client's namespace (of every namespace with `allNamespaces`) with their task's pid and
   * status, STOPPED when a container has no task: what `osctl ps` prints.
   */
  async containers(opts: { signal?: AbortSignal; allNamespaces?: boolean } = {}): Promise<ContainerRow[]> {
    const rows: ContainerRow[] = [];
    const namespaces = opts.allNamespaces === true ? (await this.listNamespaces(opts)).sort() : [this.namespace];
    for (const namespace of namespaces) {
      const call = { signal: opts.signal, namespace };
      const [containers, tasks] = await Promise.all([this.listContainers(call), this.listTasks(call)]);
      const byId = new Map(tasks.map((t) => [t.id, t]));
      for (const c of containers.sort((a, b) => a.id.localeCompare(b.id))) {
        const t = byId.get(c.id);
        rows.push({ namespace, id: c.id, image: c.image, pid: t?.pid ?? 0, status: t?.status ?? 'STOPPED' });
      }
    }
    return rows;
  }

  /** Deletes a task and its container if present, killing the task first if it runs (what a leftover needs). */
  async removeContainer(id: string, opts: CallOpts = {}): Promise<boolean> {
    let found = false;
    try {
      const task = await this.getTask(id, opts);
      found = true;
      if (task.status !== 'STOPPED' && task.status !== 'CREATED') {
        await this.killTask(id, 'SIGKILL', { ...opts, all: true });
        await this.waitTask(id, opts);
      }
      await this.deleteTask(id, opts);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    try {
      await this.deleteContainer(id, opts);
      found = true;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    return found;
  }
}
