// The client's public shapes of containers, tasks and metrics, and their conversion from containerd's decoded messages.
import { toDate, type Message } from './proto.js';

/** Where containerd listens and which namespace calls use unless they name one. */
export interface ConnectOptions {
  /** containerd's gRPC socket path (`[grpc] address`). */
  readonly address: string;
  /** Default `default`, like ctr. */
  readonly namespace?: string;
}

/** Options of one call: an abort signal, and a namespace other than the client's. */
export interface CallOpts {
  readonly signal?: AbortSignal | undefined;
  readonly namespace?: string | undefined;
}

/** A task's exit as Delete and Wait report it. */
export interface TaskExitStatus {
  readonly pid: number;
  /** The exit code, or 128 + the signal number. */
  readonly exitStatus: number;
  readonly exitedAt: Date | undefined;
}

/** The runtime of every container here: runc through containerd's v2 shim. */
export const RUNC_RUNTIME = 'io.containerd.runc.v2';

/** The type URL containerd (typeurl) registers the OCI runtime spec under; the value is the spec as JSON. */
export const SPEC_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Spec';

/** Options of the runc shim (containerd.runc.v1.Options), the subset osnode sets. */
export interface RuncOptions {
  /** runc's state directory; the shim appends the namespace. Give each node its own (two containerds collide otherwise). */
  readonly root?: string;
  readonly systemdCgroup?: boolean;
  /** The runc binary; `runc` from PATH by default. */
  readonly binaryName?: string;
  /** A cgroup for the shim process itself. */
  readonly shimCgroup?: string;
  readonly noPivotRoot?: boolean;
}

/** What a new container is made of. */
export interface ContainerCreate {
  readonly id: string;
  /** The OCI runtime spec (see oci-spec.ts). */
  readonly spec: object;
  readonly runtime?: { readonly name: string };
  /** Runtime options for the runc shim; tasks without options of their own use these. */
  readonly runc?: RuncOptions;
  readonly labels?: Readonly<Record<string, string>>;
  /** An image reference, informational when the root is a plain directory. */
  readonly image?: string;
  readonly snapshotter?: string;
  readonly snapshotKey?: string;
}

/** A container's metadata as containerd keeps it. */
export interface ContainerInfo {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly image: string;
  readonly runtime: string;
  /** The OCI runtime spec, parsed; undefined when absent or not JSON. */
  readonly spec: unknown;
  readonly snapshotter: string;
  readonly snapshotKey: string;
  readonly createdAt: Date | undefined;
}

/** The state of a task's process (containerd.v1.types.Status). */
export type TaskStatus = 'UNKNOWN' | 'CREATED' | 'RUNNING' | 'STOPPED' | 'PAUSED' | 'PAUSING';

/** A task (a container's init process) as containerd reports it. */
export interface TaskInfo {
  /** The container id. */
  readonly id: string;
  readonly pid: number;
  readonly status: TaskStatus;
  /** The exit code or 128 + signal number, once STOPPED. */
  readonly exitStatus: number;
  readonly exitedAt: Date | undefined;
}

/** The I/O and runtime options of a new task. */
export interface TaskCreate {
  readonly stdin?: string;
  /** A FIFO path the shim writes the process's stdout to. */
  readonly stdout?: string;
  readonly stderr?: string;
  readonly terminal?: boolean;
  readonly runc?: RuncOptions;
  /** Mounts that make up the root filesystem; none when the spec's root.path is a ready directory. */
  readonly rootfs?: readonly {
    readonly type: string;
    readonly source: string;
    readonly target?: string;
    readonly options?: readonly string[];
  }[];
}

/** A task's resource use from its cgroup. */
export interface TaskMetrics {
  readonly id: string;
  /** CPU time used, in nanoseconds. */
  readonly cpuUsageNs: number;
  /** Memory charged to the cgroup, in bytes (cgroup v1 usage_in_bytes, v2 memory.current). */
  readonly memoryUsageBytes: number;
}

/** One line of `osctl ps`: NAMESPACE ID IMAGE PID STATUS. */
export interface ContainerRow {
  readonly namespace: string;
  readonly id: string;
  readonly image: string;
  /** 0 when the container has no task. */
  readonly pid: number;
  readonly status: TaskStatus;
}

const STATUSES = new Set<string>(['UNKNOWN', 'CREATED', 'RUNNING', 'STOPPED', 'PAUSED', 'PAUSING']);

function obj(v: unknown): Message {
  return v !== null && typeof v === 'object' ? (v as Message) : {};
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function n(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

/** The wire form of {@link RuncOptions} (camelCase fields of containerd.runc.v1.Options). */
export function runcOptionsPb(o: RuncOptions): Message {
  return {
    root: o.root ?? '',
    systemdCgroup: o.systemdCgroup ?? false,
    binaryName: o.binaryName ?? '',
    shimCgroup: o.shimCgroup ?? '',
    noPivotRoot: o.noPivotRoot ?? false,
  };
}

/** A decoded containerd.services.containers.v1.Container as {@link ContainerInfo}. */
export function containerFromPb(m: Message): ContainerInfo {
  const specAny = obj(m.spec);
  let spec: unknown;
  if (specAny.value instanceof Uint8Array && specAny.value.length > 0) {
    try {
      spec = JSON.parse(Buffer.from(specAny.value).toString('utf8'));
    } catch {
      spec = undefined;
    }
  }
  return {
    id: str(m.id),
    labels: obj(m.labels) as Record<string, string>,
    image: str(m.image),
    runtime: str(obj(m.runtime).name),
    spec,
    snapshotter: str(m.snapshotter),
    snapshotKey: str(m.snapshotKey),
    createdAt: toDate(m.createdAt),
  };
}

/** A decoded containerd.v1.types.Process as {@link TaskInfo}. */
export function taskFromPb(m: Message): TaskInfo {
  const status = String(m.status);
  return {
    // containerd 1.6 fills `id` (the task's, which is the container id) and leaves container_id empty.
    id: typeof m.id === 'string' && m.id !== '' ? m.id : str(m.containerId),
    pid: n(m.pid),
    status: (STATUSES.has(status) ? status : 'UNKNOWN') as TaskStatus,
    exitStatus: n(m.exitStatus),
    exitedAt: toDate(m.exitedAt),
  };
}

/** CPU and memory use from a decoded io.containerd.cgroups.v1.Metrics or .v2.Metrics (zero for other payloads). */
export function metricsFromPb(id: string, data: { typeName: string; message: Message } | undefined): TaskMetrics {
  const m = data?.message ?? {};
  const cpu = obj(m.cpu);
  const memory = obj(m.memory);
  if (data?.typeName === 'io.containerd.cgroups.v1.Metrics') {
    return { id, cpuUsageNs: n(obj(cpu.usage).total), memoryUsageBytes: n(obj(memory.usage).usage) };
  }
  if (data?.typeName === 'io.containerd.cgroups.v2.Metrics') {
    return { id, cpuUsageNs: n(cpu.usageUsec) * 1000, memoryUsageBytes: n(memory.usage) };
  }
  return { id, cpuUsageNs: 0, memoryUsageBytes: 0 };
}
