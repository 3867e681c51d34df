// AddressStatusController: produces AddressStatus resources from the kernel's addresses (dumps, woken by address and link events).
import { AddressStatusType, NETWORK_NAMESPACE, type AddressStatusSpec } from '../../resources/index.js';
import type { Controller, ControllerContext, NetlinkAddress } from '../../runtime/index.js';
import { LazyNetlink, watchKernel, type KernelNetwork } from './kernel.js';
import { addressFlagNames, familyName, scopeName } from './names.js';
import { syncOutputs } from './sync.js';

/** The AddressStatus id talosctl prints: `<link>/<address>/<prefix>`, e.g. `eth0/10.5.0.2/24`. */
export function addressStatusId(spec: AddressStatusSpec): string {
  return `${spec.linkName}/${spec.address}`;
}

/** The AddressStatus spec of one kernel address; `linkName` is the name of its link (the index when unknown). */
export function addressStatusSpec(a: NetlinkAddress, linkName: string): AddressStatusSpec {
  return {
    address: `${a.address}/${a.prefixLength}`,
    linkName,
    linkIndex: a.linkIndex,
    family: familyName(a.family),
    scope: scopeName(a.scope),
    flags: addressFlagNames(a.flags),
  };
}

/** Keeps `network/AddressStatus/<link>/<address>/<prefix>` equal to the kernel's addresses. */
export class AddressStatusController implements Controller {
  readonly name = 'network.AddressStatusController';
  readonly inputs = [];
  readonly outputs = [{ type: AddressStatusType.type, kind: 'exclusive' as const }];

  constructor(private readonly kernel: KernelNetwork = new LazyNetlink()) {}

  async reconcile(ctx: ControllerContext): Promise<void> {
    const links = await this.kernel.links({ signal: ctx.signal });
    const names = new Map(links.map((l) => [l.index, l.name] as const));
    const desired = new Map<string, AddressStatusSpec>();
    for (const a of await this.kernel.addresses({ signal: ctx.signal })) {
      const spec = addressStatusSpec(a, names.get(a.linkIndex) ?? String(a.linkIndex));
      desired.set(addressStatusId(spec), spec);
    }
    await syncOutputs(ctx, AddressStatusType, NETWORK_NAMESPACE, desired);
  }

  watchOutside(signal: AbortSignal, changed: () => void): Promise<void> {
    // Link events too: a renamed link renames the ids of its addresses.
    return watchKernel(this.kernel, ['address', 'link'], signal, changed);
  }
}
