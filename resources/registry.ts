// Every resource type the node knows, listed explicitly (no registration by import side effect).
import { MachineConfigType } from './config/machine-config.js';
import { MachineTypeType } from './config/machine-type.js';
import { NamespaceType } from './meta/namespace.js';
import { ApiStatusType } from './runtime/api-status.js';
import { MachineStageType } from './runtime/machine-stage.js';
import { MachineStatusType } from './runtime/machine-status.js';
import { ResourceDefinitionType } from './meta/resource-definition.js';
import { AddressStatusType } from './network/address-status.js';
import { LinkStatusType } from './network/link-status.js';
import { RouteStatusType } from './network/route-status.js';
import { AddressSpecType } from './network/address-spec.js';
import { EtcFileStatusType } from './network/etc-file.js';
import { HostnameSpecType, HostnameStatusType } from './network/hostname.js';
import { LinkSpecType } from './network/link-spec.js';
import { NetworkConditionType } from './network/network-condition.js';
import { NetworkStatusType } from './network/network-status.js';
import { NodeAddressType } from './network/node-address.js';
import { ResolverSpecType, ResolverStatusType } from './network/resolver.js';
import { RouteSpecType } from './network/route-spec.js';
import { TimeServerSpecType, TimeServerStatusType } from './network/time-server.js';
import type { ResourceType } from './resource-type.js';
import { EtcdSpecType } from './etcd/etcd-spec.js';
import { MemberType } from './cluster/member.js';
import { ApiCertificatesType } from './secrets/api-certificates.js';
import { CertificateType } from './secrets/certificate.js';
import { EtcdRootSecretType } from './secrets/etcd-root.js';
import { EtcdSecretsType } from './secrets/etcd-secrets.js';
import { KubernetesRootSecretType } from './secrets/kubernetes-root.js';
import { KubernetesSecretsType } from './secrets/kubernetes-secrets.js';
import { OSRootSecretType } from './secrets/os-root.js';
import { ServiceType } from './services/service.js';
import { KernelModuleSpecType } from './kernel/kernel-module-spec.js';
import { KernelModuleStatusType } from './kernel/kernel-module-status.js';
import { KernelParamSpecType } from './kernel/kernel-param-spec.js';
import { KernelParamStatusType } from './kernel/kernel-param-status.js';

/** All resource types, in registration order. */
export const ALL_TYPES: readonly ResourceType[] = [
  ResourceDefinitionType,
  NamespaceType,
  MachineConfigType,
  MachineTypeType,
  MachineStageType,
  MachineStatusType,
  ApiStatusType,
  LinkStatusType,
  AddressStatusType,
  RouteStatusType,
  LinkSpecType,
  AddressSpecType,
  RouteSpecType,
  HostnameSpecType,
  HostnameStatusType,
  ResolverSpecType,
  ResolverStatusType,
  TimeServerSpecType,
  TimeServerStatusType,
  NodeAddressType,
  NetworkStatusType,
  NetworkConditionType,
  EtcFileStatusType,
  ServiceType,
  OSRootSecretType,
  ApiCertificatesType,
  EtcdRootSecretType,
  EtcdSecretsType,
  KubernetesRootSecretType,
  KubernetesSecretsType,
  CertificateType,
  EtcdSpecType,
  MemberType,
  KernelParamSpecType,
  KernelParamStatusType,
  KernelModuleSpecType,
  KernelModuleStatusType,
];

/** Namespaces with what they hold. */
export const NAMESPACES: readonly { readonly name: string; readonly description: string }[] = [
  { name: 'meta', description: 'Resource definitions and namespaces.' },
  { name: 'config', description: 'The machine configuration and what is derived from it directly.' },
  {
    name: 'runtime',
    description: 'The state of the node itself: boot stage, status, the API, kernel parameters and modules.',
  },
  {
    name: 'runtime-config',
    description:
      'Kernel parameter specs from each config layer (hardening defaults, machine.sysctls), before they are merged.',
  },
  { name: 'network-config', description: 'Network specs from each config layer, before they are merged.' },
  { name: 'network', description: 'Observed and desired network state.' },
  { name: 'v1alpha1', description: 'System services as the supervisor runs them.' },
  { name: 'etcd', description: 'How this control-plane node runs etcd.' },
  { name: 'cluster', description: "The cluster's nodes, as recorded in the cluster's etcd." },
  {
    name: 'secrets',
    description: 'CAs, issued certificates and keys (os:admin only), and the public Certificate view.',
  },
];

/** Namespaces journaled to disk and loaded back at start. */
export const PERSISTENT_NAMESPACES: readonly string[] = ['config'];
