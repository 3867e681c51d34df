// Every controller machined runs, listed explicitly (conventions.md item 5).
import type { ValidationMode } from '../resources/index.js';
import type { Clock, Controller, Logger } from '../runtime/index.js';
import { MachineTypeController } from './config/machine-type.js';
import { EtcdSpecController } from './etcd/etcd-spec.js';
import { KernelModuleConfigController } from './kernel/kernel-module-config.js';
import { KernelModuleSpecController } from './kernel/kernel-module-spec.js';
import { KernelParamConfigController } from './kernel/kernel-param-config.js';
import { KernelParamMergeController } from './kernel/kernel-param-merge.js';
import { KernelParamSpecController } from './kernel/kernel-param-spec.js';
import { AddressConfigController } from './network/address-config.js';
import { AddressSpecController } from './network/address-spec.js';
import { AddressStatusController } from './network/address-status.js';
import { EtcFileController } from './network/etc-files.js';
import { HostnameConfigController } from './network/hostname-config.js';
import { HostnameSpecController } from './network/hostname-spec.js';
import { HostnameStatusController } from './network/hostname-status.js';
import { LazyNetlink } from './network/kernel.js';
import { LinkConfigController } from './network/link-config.js';
import { LinkSpecController } from './network/link-spec.js';
import { LinkStatusController } from './network/link-status.js';
import {
  AddressMergeController,
  HostnameMergeController,
  LinkMergeController,
  ResolverMergeController,
  RouteMergeController,
  TimeServerMergeController,
} from './network/merge.js';
import { NetworkStatusController } from './network/network-status.js';
import { NodeAddressController } from './network/node-address.js';
import { ResolverConfigController } from './network/resolver-config.js';
import { ResolverSpecController } from './network/resolver-status.js';
import { RouteConfigController } from './network/route-config.js';
import { RouteSpecController } from './network/route-spec.js';
import { RouteStatusController } from './network/route-status.js';
import { TimeServerConfigController } from './network/timeserver-config.js';
import { TimeServerSpecController } from './network/timeserver-status.js';
import { MachineStatusController } from './runtime/machine-status.js';
import type { RemoteSigner } from './secrets/api-certificates-remote.js';
import { ApiCertificatesSpecController } from './secrets/api-certificates-spec.js';
import { CertificateStatusController } from './secrets/certificate-status.js';
import { EtcdRootConfigController } from './secrets/etcd-root-config.js';
import { EtcdSecretsSpecController } from './secrets/etcd-secrets-spec.js';
import { KubernetesRootConfigController } from './secrets/kubernetes-root-config.js';
import { KubernetesSecretsSpecController } from './secrets/kubernetes-secrets-spec.js';
import { OSRootConfigController } from './secrets/os-root-config.js';

/** The port a worker's API certificate request goes through (implemented in runtime/machined). */
export type { RemoteSignRequest, RemoteSigner } from './secrets/api-certificates-remote.js';
/** What trustd (runtime/machined) signs worker CSRs with: the checks and the lifetime of the certificates here. */
export { signCsr } from './secrets/csr-sign.js';
export { LEAF_TTL_MS, validity } from './secrets/issuing.js';

/** What the controllers need to know about the host they run on. */
export interface ControllerOptions {
  /**
   * Change the host: links, addresses, routes, the hostname and files under `rootDir`. Off by default, so that a test
   * running machined in-process in this machine's namespaces only observes; machined's main turns it on (it runs in
   * the node's own namespaces).
   */
  readonly applyHost?: boolean;
  /** The kernel command line text (`ip=` gives a static address before any config exists). */
  readonly cmdline?: string;
  /** The node's root directory: /etc/resolv.conf and /etc/hosts are rendered under it. */
  readonly rootDir?: string;
  /** Where controllers log what they did (issued certificates, never keys); silent by default. */
  readonly logger?: Logger;
  /** The clock certificates are issued and renewed by (tests inject one); the real clock by default. */
  readonly clock?: Clock;
  /** How a worker gets its API certificate from a control plane (trustd); without it a worker's API stays off. */
  readonly remoteSigner?: RemoteSigner;
  /**
   * The platform (machined --mode). Only `metal` owns the kernel: with applyHost, global sysctls and kernel modules
   * are set on metal only; otherwise only the sysctls of the node's own network namespace are. Default container.
   */
  readonly mode?: ValidationMode;
}

/** Fresh instances of all controllers, in registration order. */
export function allControllers(o: ControllerOptions = {}): Controller[] {
  // One netlink request socket for the network controllers, opened on first use in machined's namespace.
  const kernel = new LazyNetlink();
  const cmdline = o.cmdline ?? '';
  const issuing = {
    ...(o.logger === undefined ? {} : { logger: o.logger }),
    ...(o.clock === undefined ? {} : { clock: o.clock }),
  };
  const observe: Controller[] = [
    new MachineTypeController(),
    new MachineStatusController(),
    new EtcdSpecController(),
    new LinkStatusController(kernel),
    new AddressStatusController(kernel),
    new RouteStatusController(kernel),
    new LinkConfigController(cmdline),
    new AddressConfigController(cmdline),
    new RouteConfigController(cmdline),
    new HostnameConfigController(cmdline),
    new ResolverConfigController(cmdline),
    new TimeServerConfigController(cmdline),
    new LinkMergeController(),
    new AddressMergeController(),
    new RouteMergeController(),
    new HostnameMergeController(),
    new ResolverMergeController(),
    new TimeServerMergeController(),
    new ResolverSpecController(),
    new TimeServerSpecController(),
    new HostnameStatusController(),
    new NodeAddressController(),
    new NetworkStatusController(),
    new OSRootConfigController(),
    new EtcdRootConfigController(),
    new KubernetesRootConfigController(),
    new ApiCertificatesSpecController({
      ...issuing,
      ...(o.remoteSigner === undefined ? {} : { remote: o.remoteSigner }),
    }),
    new EtcdSecretsSpecController(issuing),
    new KubernetesSecretsSpecController(issuing),
    new CertificateStatusController(),
    new KernelParamConfigController(),
    new KernelParamMergeController(),
    new KernelModuleConfigController(),
  ];
  if (o.applyHost !== true) return observe;
  const scope = { metal: o.mode === 'metal' };
  return [
    ...observe,
    new LinkSpecController(kernel),
    new AddressSpecController(kernel),
    new RouteSpecController(kernel),
    new HostnameSpecController(),
    new EtcFileController(o.rootDir ?? '/'),
    new KernelParamSpecController(scope, undefined, o.logger),
    new KernelModuleSpecController(scope),
  ];
}
