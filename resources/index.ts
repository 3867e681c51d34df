// The resource model and the State store: what the rest of the project imports from resources/.
export {
  ConflictError,
  InvalidArgumentError,
  InvalidBookmarkError,
  InvalidSpecError,
  InvariantError,
  NotFoundError,
  StoreError,
  isConflict,
  isInvalidBookmark,
  isInvalidSpec,
  isNotFound,
  type ConflictKind,
  type SpecIssue,
  type StoreErrorCode,
} from './errors.js';
export { deepEqual, deepFreeze } from './equal.js';
export {
  kindString,
  pointerOf,
  pointerString,
  withSpec,
  type Kind,
  type Metadata,
  type Phase,
  type Pointer,
  type Resource,
  type ResourceInput,
  type StringMap,
} from './resource.js';
export {
  defineResource,
  formatPath,
  parseSpec,
  specIssues,
  type DefineResourceOptions,
  type PrintColumn,
  type ResourceType,
  type Sensitivity,
  type TypeDefinition,
} from './resource-type.js';
export {
  compileSelector,
  matchesLabelQuery,
  type IdQuery,
  type LabelOp,
  type LabelQuery,
  type LabelTerm,
  type Selector,
} from './query.js';
export {
  META_NAMESPACE,
  ResourceDefinitionSpecSchema,
  ResourceDefinitionType,
  type ResourceDefinitionSpec,
} from './meta/resource-definition.js';
export { NamespaceSpecSchema, NamespaceType, type NamespaceSpec } from './meta/namespace.js';
export type {
  Bookmark,
  BootstrappedEvent,
  CallOptions,
  ErroredEvent,
  ListOptions,
  ResourceEvent,
  State,
  UpdateOptions,
  WatchCursor,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from './state/state.js';
export { DEFAULT_HISTORY, type HistoryOptions } from './state/collection.js';
export { InMemoryState, type InMemoryStateOptions, type Journal } from './state/memory.js';
export { waitFor, type WaitOptions } from './state/wait.js';
export { observeBatches, observeEvents } from './state/observe.js';
export { FileJournal } from './state/file-journal.js';
export { openPersistentState, type PersistentStateOptions } from './state/persistent.js';
export { evaluateJsonPath, parseJsonPath } from './jsonpath.js';
export {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  MachineConfigSpecSchema,
  MachineConfigType,
  type MachineConfigSpec,
} from './config/machine-config.js';
export {
  MACHINE_TYPE_ID,
  MachineTypeSpecSchema,
  MachineTypeType,
  type MachineTypeSpec,
} from './config/machine-type.js';
export { ALL_TYPES, NAMESPACES, PERSISTENT_NAMESPACES } from './registry.js';
export {
  MACHINE_ID,
  MachineStageSchema,
  MachineStageSpecSchema,
  MachineStageType,
  RUNTIME_NAMESPACE,
  type MachineStageName,
} from './runtime/machine-stage.js';
export { MachineStatusSpecSchema, MachineStatusType, type MachineStatusSpec } from './runtime/machine-status.js';
export { API_STATUS_ID, ApiStatusSpecSchema, ApiStatusType, type ApiStatusSpec } from './runtime/api-status.js';
export {
  ETCD_CLIENT_PORT,
  ETCD_NAMESPACE,
  ETCD_PEER_PORT,
  ETCD_SPEC_ID,
  EtcdSpecSchema,
  EtcdSpecType,
  type EtcdSpecSpec,
} from './etcd/etcd-spec.js';
export { CLUSTER_NAMESPACE, MemberSpecSchema, MemberType, type MemberSpec } from './cluster/member.js';
export {
  SERVICES_NAMESPACE,
  ServiceSpecSchema,
  ServiceStateSchema,
  ServiceType,
  type ServiceSpec,
  type ServiceStateName,
} from './services/service.js';
export { PERSISTENT_CONFIG_ID } from './config/machine-config.js';
export {
  CONFIG_VERSION,
  ConfigValidationError,
  DOCUMENT_PATH,
  MAX_CONFIG_BYTES,
  isInvalidConfig,
  parseMachineConfigYaml,
  RESERVED_SERVICE_NAMES,
  cidrContains,
  durationMs,
  parseCidr,
  parseIp,
  type Cidr,
  type IpAddress,
  renderConfigReference,
  validateMachineConfig,
  type ConfigIssue,
  type ExtensionService,
  type MachineConfigDocument,
  type ParseOptions,
  type ValidationMode,
  type ValidationOptions,
  type ValidationResult,
} from './config/v1alpha1/index.js';
export {
  LinkStatusSpecSchema,
  LinkStatusType,
  NETWORK_NAMESPACE,
  OperationalStateSchema,
  type LinkStatusSpec,
} from './network/link-status.js';
export {
  AddressStatusSpecSchema,
  AddressStatusType,
  FamilySchema,
  type AddressStatusSpec,
} from './network/address-status.js';
export { RouteStatusSpecSchema, RouteStatusType, type RouteStatusSpec } from './network/route-status.js';
export {
  LAYERS,
  LayerSchema,
  NETWORK_CONFIG_NAMESPACE,
  layerRank,
  layeredId,
  splitLayeredId,
  type Layer,
} from './network/layer.js';
export {
  LinkKindSchema,
  LinkSpecSpecSchema,
  LinkSpecType,
  type LinkKind,
  type LinkSpecSpec,
} from './network/link-spec.js';
export { AddressSpecSpecSchema, AddressSpecType, type AddressSpecSpec } from './network/address-spec.js';
export { RouteSpecSpecSchema, RouteSpecType, type RouteSpecSpec } from './network/route-spec.js';
export {
  HOSTNAME_ID,
  HostnameSpecSpecSchema,
  HostnameSpecType,
  HostnameStatusSpecSchema,
  HostnameStatusType,
  type HostnameSpecSpec,
  type HostnameStatusSpec,
} from './network/hostname.js';
export {
  RESOLVERS_ID,
  ResolverSpecSpecSchema,
  ResolverSpecType,
  ResolverStatusSpecSchema,
  ResolverStatusType,
  type ResolverSpecSpec,
  type ResolverStatusSpec,
} from './network/resolver.js';
export {
  TIMESERVERS_ID,
  TimeServerSpecSpecSchema,
  TimeServerSpecType,
  TimeServerStatusSpecSchema,
  TimeServerStatusType,
  type TimeServerSpecSpec,
  type TimeServerStatusSpec,
} from './network/time-server.js';
export {
  NODE_ADDRESS_IDS,
  NodeAddressSpecSchema,
  NodeAddressType,
  type NodeAddressSpec,
} from './network/node-address.js';
export {
  NETWORK_STATUS_ID,
  NetworkStatusSpecSchema,
  NetworkStatusType,
  type NetworkStatusSpec,
} from './network/network-status.js';
export {
  ConditionStateSchema,
  NetworkConditionSpecSchema,
  NetworkConditionType,
  type ConditionState,
  type NetworkConditionSpec,
} from './network/network-condition.js';
export { EtcFileStatusSpecSchema, EtcFileStatusType, type EtcFileStatusSpec } from './network/etc-file.js';
export { putResource } from './state/put.js';
export { CertAndKeySchema, CertificatePemSchema, SECRETS_NAMESPACE, type CertAndKey } from './secrets/common.js';
export { OS_ROOT_ID, OSRootSecretSpecSchema, OSRootSecretType, type OSRootSecretSpec } from './secrets/os-root.js';
export {
  API_CERTIFICATES_ID,
  ApiCertificatesSpecSchema,
  ApiCertificatesType,
  type ApiCertificatesSpec,
} from './secrets/api-certificates.js';
export {
  ETCD_ROOT_ID,
  EtcdRootSecretSpecSchema,
  EtcdRootSecretType,
  type EtcdRootSecretSpec,
} from './secrets/etcd-root.js';
export {
  ETCD_SECRETS_ID,
  EtcdSecretsSpecSchema,
  EtcdSecretsType,
  type EtcdSecretsSpec,
} from './secrets/etcd-secrets.js';
export {
  KUBERNETES_ROOT_ID,
  KubernetesRootSecretSpecSchema,
  KubernetesRootSecretType,
  type KubernetesRootSecretSpec,
} from './secrets/kubernetes-root.js';
export {
  KUBERNETES_SECRETS_ID,
  KubernetesSecretsSpecSchema,
  KubernetesSecretsType,
  type KubernetesSecretsSpec,
} from './secrets/kubernetes-secrets.js';
export { CertificateSpecSchema, CertificateType, type CertificateSpec } from './secrets/certificate.js';
export {
  PROC_SYS,
  canonicalSysctlName,
  isNetworkNamespaced,
  sysctlComponents,
  sysctlPath,
} from './kernel/sysctl-name.js';
export {
  KernelParamSpecSpecSchema,
  KernelParamSpecType,
  RUNTIME_CONFIG_NAMESPACE,
  type KernelParamSpecSpec,
} from './kernel/kernel-param-spec.js';
export {
  KernelParamStateSchema,
  KernelParamStatusSpecSchema,
  KernelParamStatusType,
  type KernelParamState,
  type KernelParamStatusSpec,
} from './kernel/kernel-param-status.js';
export {
  KernelModuleSpecSpecSchema,
  KernelModuleSpecType,
  type KernelModuleSpecSpec,
} from './kernel/kernel-module-spec.js';
export {
  KernelModuleStateSchema,
  KernelModuleStatusSpecSchema,
  KernelModuleStatusType,
  type KernelModuleState,
  type KernelModuleStatusSpec,
} from './kernel/kernel-module-status.js';
