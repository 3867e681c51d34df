// Typed methods for every RPC of machine.MachineService on one node; a message carrying a node error becomes a throw.
import { status, type MethodDefinition } from '@grpc/grpc-js';
import type {
  PbApplyConfiguration,
  PbApplyMode,
  PbGenerateClientConfiguration,
  PbNodeMetadata,
  PbVersion,
} from '../proto/types.js';
import { abortReason, type NodeConnection, type RequestOptions } from './connection.js';
import { NodeCallError } from './errors.js';
import {
  MACHINE_METHODS,
  type PbActorReply,
  type PbHostname,
  type PbContainer,
  type PbEtcdMembers,
  type PbEtcdStatus,
  type PbKernelAudit,
  type PbMemory,
  type PbProcess,
  type PbServiceAction,
  type PbRestart,
  type PbServiceList,
  type PbStats,
} from './methods.js';

/** How a new config takes effect, as osctl names the modes. */
export type ApplyMode = 'auto' | 'no-reboot' | 'reboot' | 'staged' | 'try';

const APPLY_MODES: Record<ApplyMode, PbApplyMode> = {
  auto: 'AUTO',
  'no-reboot': 'NO_REBOOT',
  reboot: 'REBOOT',
  staged: 'STAGED',
  try: 'TRY',
};

/** An apply-config request. */
export interface ApplyRequest {
  /** The machine config, YAML. */
  readonly data: string | Buffer;
  readonly mode: ApplyMode;
  readonly dryRun?: boolean;
  /** How long a `try` lasts before the node reverts it. */
  readonly tryTimeoutMs?: number;
}

const duration = (ms: number): { seconds: number; nanos: number } => ({
  seconds: Math.floor(ms / 1000),
  nanos: (ms % 1000) * 1e6,
});

/** The machine API of one node. */
export class MachineClient {
  constructor(private readonly conn: NodeConnection) {}

  /** Validates and applies (or on a dry run, diffs) a machine config. */
  applyConfiguration(r: ApplyRequest, o?: RequestOptions): Promise<PbApplyConfiguration[]> {
    const req = {
      data: Buffer.from(r.data),
      mode: APPLY_MODES[r.mode],
      dryRun: r.dryRun === true,
      tryModeTimeout: r.tryTimeoutMs === undefined ? null : duration(r.tryTimeoutMs),
    };
    return this.messages(MACHINE_METHODS.ApplyConfiguration, req, o);
  }

  /** The node's version and platform. */
  version(o?: RequestOptions): Promise<PbVersion[]> {
    return this.messages(MACHINE_METHODS.Version, {}, o);
  }

  /** The node's hostname. */
  hostname(o?: RequestOptions): Promise<PbHostname[]> {
    return this.messages(MACHINE_METHODS.Hostname, {}, o);
  }

  /** Asks the node to reboot. */
  reboot(mode: 'default' | 'powercycle' = 'default', o?: RequestOptions): Promise<PbActorReply[]> {
    return this.messages(MACHINE_METHODS.Reboot, { mode: mode === 'powercycle' ? 'POWERCYCLE' : 'DEFAULT' }, o);
  }

  /** Asks the node to shut down. */
  shutdown(force = false, o?: RequestOptions): Promise<PbActorReply[]> {
    return this.messages(MACHINE_METHODS.Shutdown, { force }, o);
  }

  /** The node's system services and their states. */
  serviceList(o?: RequestOptions): Promise<PbServiceList[]> {
    return this.messages(MACHINE_METHODS.ServiceList, {}, o);
  }

  /** Starts, stops or restarts a service. */
  serviceAction(action: 'start' | 'stop' | 'restart', id: string, o?: RequestOptions): Promise<PbServiceAction[]> {
    const m = {
      start: MACHINE_METHODS.ServiceStart,
      stop: MACHINE_METHODS.ServiceStop,
      restart: MACHINE_METHODS.ServiceRestart,
    };
    return this.messages(m[action], { id }, o);
  }

  /** A service's log as chunks of bytes; with `follow` it runs until `signal` aborts. */
  logs(
    r: { id: string; namespace?: string; follow?: boolean; tailLines?: number },
    o: RequestOptions = {},
  ): AsyncGenerator<Buffer> {
    const req = {
      namespace: r.namespace ?? 'system',
      id: r.id,
      follow: r.follow === true,
      tailLines: r.tailLines ?? -1,
    };
    return this.bytes(MACHINE_METHODS.Logs, req, o);
  }

  /** The kernel log as chunks of bytes; with `follow` it runs until `signal` aborts. */
  dmesg(r: { follow?: boolean; tail?: boolean }, o: RequestOptions = {}): AsyncGenerator<Buffer> {
    return this.bytes(MACHINE_METHODS.Dmesg, { follow: r.follow === true, tail: r.tail === true }, o);
  }

  /** /proc/meminfo of the node. */
  memory(o?: RequestOptions): Promise<PbMemory[]> {
    return this.messages(MACHINE_METHODS.Memory, {}, o);
  }

  /** The node's processes. */
  processes(o?: RequestOptions): Promise<PbProcess[]> {
    return this.messages(MACHINE_METHODS.Processes, {}, o);
  }

  /** The node's containers in a containerd namespace (`system` for system services, `k8s.io` for pods). */
  containers(namespace: string, o?: RequestOptions): Promise<PbContainer[]> {
    return this.messages(MACHINE_METHODS.Containers, { namespace }, o);
  }

  /** CPU and memory use of the node's containers in a containerd namespace. */
  stats(namespace: string, o?: RequestOptions): Promise<PbStats[]> {
    return this.messages(MACHINE_METHODS.Stats, { namespace }, o);
  }

  /** Restarts a container: a system service's through the supervisor, any other by killing its task. */
  restart(namespace: string, id: string, o?: RequestOptions): Promise<PbRestart[]> {
    return this.messages(MACHINE_METHODS.Restart, { namespace, id }, o);
  }

  /** The members of the node's etcd cluster (ids as decimal strings). */
  etcdMembers(o?: RequestOptions): Promise<PbEtcdMembers[]> {
    return this.messages(MACHINE_METHODS.EtcdMemberList, { queryLocal: false }, o);
  }

  /** The node's etcd member status. */
  etcdStatus(o?: RequestOptions): Promise<PbEtcdStatus[]> {
    return this.messages(MACHINE_METHODS.EtcdStatus, {}, o);
  }

  /** A snapshot of the node's etcd database, as chunks. */
  etcdSnapshot(o: RequestOptions = {}): AsyncGenerator<Buffer> {
    return this.bytes(MACHINE_METHODS.EtcdSnapshot, {}, o);
  }

  /** The node's audit of its own kernel against the KSPP and CIS recommendations. */
  kernelAudit(o?: RequestOptions): Promise<PbKernelAudit[]> {
    return this.messages(MACHINE_METHODS.KernelAudit, {}, o);
  }

  /** The cluster's admin kubeconfig, whole. */
  async kubeconfig(o: RequestOptions = {}): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const b of this.bytes(MACHINE_METHODS.Kubeconfig, {}, o)) parts.push(b);
    return Buffer.concat(parts);
  }

  /** A new client certificate with `roles`, and a talosconfig holding it. */
  generateClientConfiguration(
    r: { roles: readonly string[]; crtTtlMs?: number },
    o?: RequestOptions,
  ): Promise<PbGenerateClientConfiguration[]> {
    const req = { roles: [...r.roles], crtTtl: r.crtTtlMs === undefined ? null : duration(r.crtTtlMs) };
    return this.messages(MACHINE_METHODS.GenerateClientConfiguration, req, o);
  }

  private async messages<Req, M extends { metadata: PbNodeMetadata | null }>(
    method: MethodDefinition<Req, { messages: M[] }>,
    req: Req,
    o?: RequestOptions,
  ): Promise<M[]> {
    const res = await this.conn.unary(method, req, o);
    const failed = res.messages.find((m) => (m.metadata?.error ?? '') !== '');
    if (failed !== undefined) throw new NodeCallError(this.conn.node, status.UNKNOWN, failed.metadata?.error ?? '');
    return res.messages;
  }

  private async *bytes<Req>(
    method: MethodDefinition<Req, { bytes: Buffer; metadata: PbNodeMetadata | null }>,
    req: Req,
    o: RequestOptions,
  ): AsyncGenerator<Buffer> {
    const signal = o.signal;
    signal?.throwIfAborted();
    const call = this.conn.stream(method, req);
    const onAbort = (): void => {
      call.cancel();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const m of call) {
        const msg = m as { bytes: Buffer; metadata: PbNodeMetadata | null };
        if ((msg.metadata?.error ?? '') !== '')
          throw new NodeCallError(this.conn.node, status.UNKNOWN, msg.metadata?.error ?? '');
        if (msg.bytes.length > 0) yield msg.bytes;
      }
    } catch (e: unknown) {
      if (signal?.aborted === true) throw abortReason(signal);
      if (e instanceof NodeCallError) throw e;
      throw await this.conn.failure(e, method);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      call.cancel();
    }
  }
}
