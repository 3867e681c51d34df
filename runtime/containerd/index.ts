// containerd for system services: the gRPC client, the runner of service containers, their specs and root filesystems,
// and a node's private containerd daemon.
export { ContainerdClient } from './client.js';
export {
  DISABLED_PLUGINS,
  MAX_SOCKET_PATH,
  checkHealth,
  containerdConfig,
  waitReady,
  type ContainerdConfigOptions,
  type ContainerdLaunch,
} from './daemon.js';
export { ContainerdError, ContainerdUnavailableError, isContainerdUnavailable } from './errors.js';
export { SYNC_TOPIC, type ContainerdEvent, type EventStream, type TaskEvent } from './events.js';
export {
  DEFAULT_CAPABILITIES,
  cgroupPath,
  serviceSpec,
  type BindMount,
  type OciSpec,
  type ServiceSpecOptions,
} from './oci-spec.js';
export { ROOTFS_STAMP, prepareRootfs, sharedLibraries, type RootfsOptions, type RootfsResult } from './rootfs.js';
export { ContainerdRunner, type ContainerdRunnerOptions } from './runner.js';
export { exitInfoFromStatus, type WatchChange } from './task-handle.js';
export {
  RUNC_RUNTIME,
  type CallOpts,
  type ConnectOptions,
  type ContainerCreate,
  type ContainerInfo,
  type ContainerRow,
  type RuncOptions,
  type TaskCreate,
  type TaskExitStatus,
  type TaskInfo,
  type TaskMetrics,
  type TaskStatus,
} from './types.js';
