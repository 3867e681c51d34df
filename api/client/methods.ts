// The RPCs of both services with their message types, so that every call site is typed end to end.
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { decodeWatchResponse } from '../codec/index.js';
import type { WatchEvent } from '../../resources/index.js';
import { MACHINE_SERVICE, STATE_SERVICE, machineServiceExactLongs } from '../proto/load.js';
import type {
  PbApplyConfiguration,
  PbApplyConfigurationRequest,
  PbContainerInfo,
  PbData,
  PbDuration,
  PbEtcdMember,
  PbEtcdMemberStatus,
  PbGenerateClientConfiguration,
  PbGetRequest,
  PbKernelAuditReport,
  PbListRequest,
  PbNodeMetadata,
  PbMemInfo,
  PbProcessInfo,
  PbResource,
  PbServiceInfo,
  PbStat,
  PbVersion,
  PbWatchRequest,
  PbWatchResponse,
} from '../proto/types.js';

function method<Req, Res>(service: ServiceDefinition, name: string): MethodDefinition<Req, Res> {
  const m = service[name];
  if (m === undefined) throw new Error(`the .proto files lack the method ${name}`);
  return m as MethodDefinition<Req, Res>;
}

/** State.Watch for clients, its responses decoded straight into store events. */
function decodedWatch(): MethodDefinition<PbWatchRequest, WatchEvent[]> {
  const m = method<PbWatchRequest, PbWatchResponse>(STATE_SERVICE, 'Watch');
  return {
    ...m,
    responseSerialize: () => {
      throw new Error('decoded watch responses are never sent');
    },
    responseDeserialize: decodeWatchResponse,
  };
}

/** A request without fields (google.protobuf.Empty). */
export type Empty = Record<string, never>;

/** Responses of the machine API: one message per node that answered. */
interface Messages<M> {
  messages: M[];
}

/** The read verbs of cosi.resource.State (the write verbs are refused by nodes and not called). */
export const STATE_METHODS = {
  Get: method<PbGetRequest, { resource: PbResource | null }>(STATE_SERVICE, 'Get'),
  List: method<PbListRequest, { resource: PbResource | null }>(STATE_SERVICE, 'List'),
  Watch: method<PbWatchRequest, PbWatchResponse>(STATE_SERVICE, 'Watch'),
  /** Watch whose responses are decoded straight into store events (see codec/watch-decode.ts). */
  WatchEvents: decodedWatch(),
} as const;

/** machine.Hostname. */
export interface PbHostname {
  metadata: PbNodeMetadata | null;
  hostname: string;
}

/** machine.Reboot and machine.Shutdown. */
export interface PbActorReply {
  metadata: PbNodeMetadata | null;
  actorId: string;
}

/** machine.ServiceList. */
export interface PbServiceList {
  metadata: PbNodeMetadata | null;
  services: PbServiceInfo[];
}

/** machine.ServiceAction. */
export interface PbServiceAction {
  metadata: PbNodeMetadata | null;
  resp: string;
}

/** machine.Memory. */
export interface PbMemory {
  metadata: PbNodeMetadata | null;
  meminfo: PbMemInfo | null;
}

/** machine.Process. */
export interface PbProcess {
  metadata: PbNodeMetadata | null;
  processes: PbProcessInfo[];
}

/** machine.Container. */
export interface PbContainer {
  metadata: PbNodeMetadata | null;
  containers: PbContainerInfo[];
}

/** machine.Stats. */
export interface PbStats {
  metadata: PbNodeMetadata | null;
  stats: PbStat[];
}

/** machine.Restart. */
export interface PbRestart {
  metadata: PbNodeMetadata | null;
}

/** machine.EtcdMembers. */
export interface PbEtcdMembers {
  metadata: PbNodeMetadata | null;
  members: PbEtcdMember[];
}

/** machine.EtcdStatus. */
export interface PbEtcdStatus {
  metadata: PbNodeMetadata | null;
  memberStatus: PbEtcdMemberStatus | null;
}

/** machine.KernelAudit. */
export interface PbKernelAudit extends PbKernelAuditReport {
  metadata: PbNodeMetadata | null;
}

/** A machine method whose responses keep 64-bit integers exact, as decimal strings. */
function exactLongs<Req, Res>(name: string): MethodDefinition<Req, Res> {
  const m = method<Req, Res>(MACHINE_SERVICE, name);
  // Resolved per call so that the second load happens only when an etcd call is made.
  return {
    ...m,
    responseDeserialize: (bytes: Buffer) =>
      method<Req, Res>(machineServiceExactLongs(), name).responseDeserialize(bytes),
  };
}

/** Every RPC of machine.MachineService. */
export const MACHINE_METHODS = {
  ApplyConfiguration: method<PbApplyConfigurationRequest, Messages<PbApplyConfiguration>>(
    MACHINE_SERVICE,
    'ApplyConfiguration',
  ),
  Version: method<Empty, Messages<PbVersion>>(MACHINE_SERVICE, 'Version'),
  Hostname: method<Empty, Messages<PbHostname>>(MACHINE_SERVICE, 'Hostname'),
  Reboot: method<{ mode: string }, Messages<PbActorReply>>(MACHINE_SERVICE, 'Reboot'),
  Shutdown: method<{ force: boolean }, Messages<PbActorReply>>(MACHINE_SERVICE, 'Shutdown'),
  ServiceList: method<Empty, Messages<PbServiceList>>(MACHINE_SERVICE, 'ServiceList'),
  ServiceStart: method<{ id: string }, Messages<PbServiceAction>>(MACHINE_SERVICE, 'ServiceStart'),
  ServiceStop: method<{ id: string }, Messages<PbServiceAction>>(MACHINE_SERVICE, 'ServiceStop'),
  ServiceRestart: method<{ id: string }, Messages<PbServiceAction>>(MACHINE_SERVICE, 'ServiceRestart'),
  Logs: method<{ namespace: string; id: string; follow: boolean; tailLines: number }, PbData>(MACHINE_SERVICE, 'Logs'),
  Dmesg: method<{ follow: boolean; tail: boolean }, PbData>(MACHINE_SERVICE, 'Dmesg'),
  Memory: method<Empty, Messages<PbMemory>>(MACHINE_SERVICE, 'Memory'),
  Processes: method<Empty, Messages<PbProcess>>(MACHINE_SERVICE, 'Processes'),
  Kubeconfig: method<Empty, PbData>(MACHINE_SERVICE, 'Kubeconfig'),
  GenerateClientConfiguration: method<
    { roles: string[]; crtTtl: PbDuration | null },
    Messages<PbGenerateClientConfiguration>
  >(MACHINE_SERVICE, 'GenerateClientConfiguration'),
  Containers: method<{ namespace: string }, Messages<PbContainer>>(MACHINE_SERVICE, 'Containers'),
  Stats: method<{ namespace: string }, Messages<PbStats>>(MACHINE_SERVICE, 'Stats'),
  Restart: method<{ namespace: string; id: string }, Messages<PbRestart>>(MACHINE_SERVICE, 'Restart'),
  EtcdMemberList: exactLongs<{ queryLocal: boolean }, Messages<PbEtcdMembers>>('EtcdMemberList'),
  EtcdStatus: exactLongs<Empty, Messages<PbEtcdStatus>>('EtcdStatus'),
  EtcdSnapshot: method<Empty, PbData>(MACHINE_SERVICE, 'EtcdSnapshot'),
  KernelAudit: method<Empty, Messages<PbKernelAudit>>(MACHINE_SERVICE, 'KernelAudit'),
} as const;
