// LinkStatusController: produces LinkStatus resources from the kernel's links (rtnetlink dumps, woken by link events).
import { LinkStatusType, NETWORK_NAMESPACE, type LinkStatusSpec } from '../../resources/index.js';
import type { Controller, ControllerContext, NetlinkLink } from '../../runtime/index.js';
import { LazyNetlink, watchKernel, type KernelNetwork } from './kernel.js';
import { linkTypeName } from './names.js';
import { syncOutputs } from './sync.js';

/** The LinkStatus spec of one kernel link. */
export function linkStatusSpec(link: NetlinkLink): LinkStatusSpec {
  return {
    index: link.index,
    type: linkTypeName(link),
    kind: link.kind ?? '',
    up: link.up,
    operationalState: link.operState,
    carrier: link.carrier,
    mtu: link.mtu,
    hardwareAddr: link.mac ?? '',
    masterIndex: link.master,
  };
}

/** Keeps `network/LinkStatus/<name>` equal to the kernel's links: one resource per link, none for vanished ones. */
export class LinkStatusController implements Controller {
  readonly name = 'network.LinkStatusController';
  readonly inputs = [];
  readonly outputs = [{ type: LinkStatusType.type, kind: 'exclusive' as const }];

  constructor(private readonly kernel: KernelNetwork = new LazyNetlink()) {}

  async reconcile(ctx: ControllerContext): Promise<void> {
    const links = await this.kernel.links({ signal: ctx.signal });
    const desired = new Map(links.map((l) => [l.name, linkStatusSpec(l)] as const));
    await syncOutputs(ctx, LinkStatusType, NETWORK_NAMESPACE, desired);
  }

  watchOutside(signal: AbortSignal, changed: () => void): Promise<void> {
    return watchKernel(this.kernel, ['link'], signal, changed);
  }
}
