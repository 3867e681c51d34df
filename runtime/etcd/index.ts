// etcd for control-plane nodes: a v3 gRPC client over mutual TLS (keys, watches, membership, status, alarms, snapshots,
// health).
export { EtcdClient, type EndpointOpts, type SnapshotOpts } from './client.js';
export { prefixEnd, type WatchBatch, type WatchEvent } from './watch.js';
export { EtcdAlarmError, EtcdError, EtcdUnavailableError, isEtcdUnavailable } from './errors.js';
export {
  memberIdFromHex,
  memberIdHex,
  type Alarm,
  type AlarmType,
  type CallOpts,
  type EndpointStatus,
  type EtcdClientOptions,
  type HealthResult,
  type KeyValue,
  type Member,
} from './types.js';
