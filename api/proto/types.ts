// The messages of resource.proto and machine.proto as they appear in JavaScript (see the loader's options in load.ts).

/** google.protobuf.Timestamp. */
export interface PbTimestamp {
  seconds: number;
  nanos: number;
}

/** google.protobuf.Duration. */
export interface PbDuration {
  seconds: number;
  nanos: number;
}

/** cosi.resource.Metadata. */
export interface PbMetadata {
  namespace: string;
  type: string;
  id: string;
  version: string;
  owner: string;
  phase: string;
  created: PbTimestamp | null;
  updated: PbTimestamp | null;
  finalizers: string[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** cosi.resource.Resource (the spec travels as YAML in `yamlSpec`). */
export interface PbResource {
  metadata: PbMetadata | null;
  spec: { protoSpec: Buffer; yamlSpec: string } | null;
}

/** cosi.resource.LabelTerm.Operation. */
export type PbLabelOp = 'EXISTS' | 'EQUAL' | 'NOT_EXISTS' | 'IN' | 'LT' | 'LTE' | 'LT_NUMERIC' | 'LTE_NUMERIC';

/** cosi.resource.LabelQuery. */
export interface PbLabelQuery {
  terms: { key: string; op: PbLabelOp; value: string[]; invert: boolean }[];
}

/** cosi.resource.IDQuery. */
export interface PbIdQuery {
  regexp: string;
}

/** cosi.resource.EventType. */
export type PbEventType = 'CREATED' | 'UPDATED' | 'DESTROYED' | 'BOOTSTRAPPED' | 'ERRORED' | 'NOOP';

/** cosi.resource.Event. */
export interface PbEvent {
  resource: PbResource | null;
  eventType: PbEventType;
  old: PbResource | null;
  error?: string;
  bookmark?: Buffer;
}

/** cosi.resource.GetRequest. */
export interface PbGetRequest {
  namespace: string;
  type: string;
  id: string;
}

/** cosi.resource.ListRequest. */
export interface PbListRequest {
  namespace: string;
  type: string;
  options: { labelQuery: PbLabelQuery[]; idQuery: PbIdQuery | null } | null;
}

/** cosi.resource.WatchOptions. */
export interface PbWatchOptions {
  bootstrapContents: boolean;
  tailEvents: number;
  labelQuery: PbLabelQuery[];
  idQuery: PbIdQuery | null;
  aggregated: boolean;
  startFromBookmark: Buffer;
  bootstrapBookmark: boolean;
}

/** cosi.resource.WatchRequest. */
export interface PbWatchRequest {
  namespace: string;
  type: string;
  id?: string;
  options: PbWatchOptions | null;
  apiVersion: number;
}

/** cosi.resource.WatchResponse. */
export interface PbWatchResponse {
  event: PbEvent[];
}

/** machine.NodeMetadata, carried by every machine response message. */
export interface PbNodeMetadata {
  hostname: string;
  error: string;
}

/** machine.Data: a chunk of a byte stream. */
export interface PbData {
  metadata: PbNodeMetadata | null;
  bytes: Buffer;
}

/** machine.ApplyConfigurationRequest.Mode. */
export type PbApplyMode = 'REBOOT' | 'AUTO' | 'NO_REBOOT' | 'STAGED' | 'TRY';

/** machine.ApplyConfigurationRequest. */
export interface PbApplyConfigurationRequest {
  data: Buffer;
  mode: PbApplyMode;
  dryRun: boolean;
  tryModeTimeout: PbDuration | null;
}

/** machine.ApplyConfiguration. */
export interface PbApplyConfiguration {
  metadata: PbNodeMetadata | null;
  warnings: string[];
  mode: PbApplyMode;
  modeDetails: string;
  diff: string;
}

/** machine.Version. */
export interface PbVersion {
  metadata: PbNodeMetadata | null;
  version: { tag: string; sha: string; built: string; runtimeVersion: string; os: string; arch: string } | null;
  platform: { name: string; mode: string } | null;
}

/** machine.ServiceInfo. */
export interface PbServiceInfo {
  id: string;
  state: string;
  events: { msg: string; state: string; tsUnixMs: number }[];
  health: { unknown: boolean; healthy: boolean; lastMessage: string; lastChangeUnixMs: number } | null;
}

/** machine.MemInfo (kibibytes, as /proc/meminfo). */
export interface PbMemInfo {
  memtotal: number;
  memfree: number;
  memavailable: number;
  buffers: number;
  cached: number;
  swapcached: number;
  active: number;
  inactive: number;
  swaptotal: number;
  swapfree: number;
  shmem: number;
}

/** machine.ProcessInfo. */
export interface PbProcessInfo {
  pid: number;
  ppid: number;
  state: string;
  threads: number;
  cpuTime: number;
  virtualMemory: number;
  residentMemory: number;
  command: string;
  executable: string;
  args: string;
}

/** machine.GenerateClientConfiguration. */
export interface PbGenerateClientConfiguration {
  metadata: PbNodeMetadata | null;
  ca: Buffer;
  crt: Buffer;
  key: Buffer;
  talosconfig: Buffer;
}

/** machine.ContainerInfo: one container as `osctl ps` shows it. */
export interface PbContainerInfo {
  namespace: string;
  id: string;
  image: string;
  pid: number;
  status: string;
  podId: string;
  name: string;
  networkNamespace: string;
}

/** machine.Stat: one container's resource use (memory in bytes, CPU in nanoseconds). */
export interface PbStat {
  namespace: string;
  id: string;
  memoryUsage: number;
  cpuUsage: number;
  podId: string;
  name: string;
}

/** machine.EtcdMember (uint64 ids as decimal strings: they do not fit a JavaScript number). */
export interface PbEtcdMember {
  id: string;
  hostname: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

/** machine.EtcdMemberStatus (uint64 ids and counters as decimal strings). */
export interface PbEtcdMemberStatus {
  memberId: string;
  protocolVersion: string;
  dbSize: string;
  dbSizeInUse: string;
  leader: string;
  raftIndex: string;
  raftTerm: string;
  raftAppliedIndex: string;
  errors: string[];
  isLearner: boolean;
}

/** machine.KernelAuditFinding: one audited option. */
export interface PbKernelAuditFinding {
  kind: string;
  option: string;
  wanted: string;
  found: string;
  verdict: string;
  reason: string;
  source: string;
}

/** machine.KernelAudit without its metadata: what a node's audit of its own kernel found. */
export interface PbKernelAuditReport {
  configSource: string;
  kernelRelease: string;
  findings: PbKernelAuditFinding[];
}
