// What a node may change in the kernel it runs on: everything on metal, only its own namespaces when it shares the kernel.
import { isNetworkNamespaced } from '../../resources/index.js';

/**
 * Which machine the node owns. `metal`: the node owns the kernel (machined --mode metal), so every sysctl and module
 * is its to set. Otherwise (container and cloud modes, and every local cluster) the node shares a kernel with its host
 * and other nodes: it writes only the sysctls its own network namespace holds, and loads no module.
 */
export interface KernelScope {
  readonly metal: boolean;
}

/** The reason a global sysctl is not written on a node sharing its kernel. */
export const SHARED_KERNEL_REASON =
  'not namespaced: the node shares its kernel with the host (container or cloud mode); written only with --mode metal';

/** The reason a net.* sysctl is not written by a machined running in the host's network namespace. */
export const HOST_NETNS_REASON =
  "machined runs in the host's network namespace: net.* sysctls are written only in a node's own namespace or with --mode metal";

/** The reason no module is loaded on a node sharing its kernel. */
export const SHARED_KERNEL_MODULE_REASON =
  'kernel modules are global: a node sharing its kernel (container or cloud mode) loads none; loaded only with --mode metal';

/** Why the node must not write sysctl `name`, or undefined when it may. */
export function sysctlSkipReason(name: string, scope: KernelScope, ownNetns: boolean): string | undefined {
  if (scope.metal) return undefined;
  if (!isNetworkNamespaced(name)) return SHARED_KERNEL_REASON;
  return ownNetns ? undefined : HOST_NETNS_REASON;
}
