// What the API server asks of the node: the machine operations behind machine.MachineService (machined implements them).
import type { ApplyRequest, ApplyResult } from '../../runtime/machined/apply.js';
import type {
  PbContainerInfo,
  PbEtcdMember,
  PbEtcdMemberStatus,
  PbKernelAuditReport,
  PbMemInfo,
  PbProcessInfo,
  PbServiceInfo,
  PbStat,
} from '../proto/types.js';

/** The build and platform a node runs. */
export interface NodeVersion {
  tag: string;
  sha: string;
  built: string;
  runtimeVersion: string;
  os: string;
  arch: string;
  platform: string;
  mode: string;
}

/** The node's machine operations. Errors are thrown as typed errors; the server maps them to gRPC statuses. */
export interface NodeOps {
  /** The node's hostname, carried in every machine response's metadata. */
  hostname(): string;
  /** Build and platform of this node. */
  version(): NodeVersion;
  /** Validates and applies a config (ConfigValidationError / ApplyRefusedError leave everything unchanged). */
  apply(req: ApplyRequest): Promise<ApplyResult>;
  /** Starts a reboot; the server calls it after the reply has gone out. */
  reboot(): void;
  /** Starts a shutdown; the server calls it after the reply has gone out. */
  shutdown(): void;
  /** A log by id in a containerd namespace ('system': machined's own log 'machined' and the services'); tailLines < 0 means all, n >= 0 the last n; NotFound naming the known ids. */
  logs(
    id: string,
    o: { namespace: string; follow: boolean; tailLines: number; signal: AbortSignal },
  ): AsyncIterable<Buffer>;
  /** The kernel log as `dmesg` prints it; `tail` starts at the end, `follow` keeps reading. */
  dmesg(o: { follow: boolean; tail: boolean; signal: AbortSignal }): AsyncIterable<Buffer>;
  /** /proc/meminfo in KiB. */
  memory(): Promise<PbMemInfo>;
  /** Every process in the node's /proc. */
  processes(): Promise<PbProcessInfo[]>;
  /** An admin kubeconfig (control plane only: it needs the Kubernetes CA key). */
  kubeconfig(): Promise<Buffer>;
  /** A client certificate with `roles` signed by the OS CA, and a talosconfig holding it. */
  generateClientConfiguration(
    roles: string[],
    ttlMs: number,
  ): Promise<{ ca: Buffer; crt: Buffer; key: Buffer; talosconfig: Buffer }>;
  /** The node's services. */
  services(): PbServiceInfo[];
  /** Starts, stops or restarts a service; a message for the person; NotFound naming an unknown id. */
  serviceAction(id: string, action: 'start' | 'stop' | 'restart'): Promise<string>;
  /** The containers of a containerd namespace; Unavailable while containerd is down. */
  containers(namespace: string, signal: AbortSignal): Promise<PbContainerInfo[]>;
  /** CPU and memory use of the containers of a containerd namespace. */
  stats(namespace: string, signal: AbortSignal): Promise<PbStat[]>;
  /** Restarts a container (a system service through its supervisor); NotFound for an unknown id. */
  restartContainer(namespace: string, id: string, signal: AbortSignal): Promise<void>;
  /** The members of the etcd cluster this control-plane node runs; FailedPrecondition on a node without etcd. */
  etcdMembers(signal: AbortSignal): Promise<PbEtcdMember[]>;
  /** This node's etcd member: version, database size, leader, raft state. */
  etcdStatus(signal: AbortSignal): Promise<PbEtcdMemberStatus>;
  /** A snapshot of etcd's database, as etcd streams it. */
  etcdSnapshot(signal: AbortSignal): AsyncIterable<Buffer>;
  /** An audit of the node's own kernel (config, command line, hardening sysctls) against kernel-config/. */
  kernelAudit(signal: AbortSignal): Promise<PbKernelAuditReport>;
}
