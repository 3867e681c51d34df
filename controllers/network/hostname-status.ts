// HostnameStatusController: produces HostnameStatus from the kernel's UTS names, woken by the kernel's change notification.
import { HOSTNAME_ID, HostnameStatusType, NETWORK_NAMESPACE } from '../../resources/index.js';
import { HostUts, type Controller, type ControllerContext, type Uts } from '../../runtime/index.js';

/** Keeps `network/HostnameStatus/hostname` equal to the kernel's hostname and domainname. */
export class HostnameStatusController implements Controller {
  readonly name = 'network.HostnameStatusController';
  readonly inputs = [];
  readonly outputs = [{ type: HostnameStatusType.type, kind: 'exclusive' as const }];

  constructor(private readonly uts: Uts = new HostUts()) {}

  async reconcile(ctx: ControllerContext): Promise<void> {
    const spec = { hostname: this.uts.hostname(), domainname: this.uts.domainname() };
    await ctx.modify(HostnameStatusType, NETWORK_NAMESPACE, HOSTNAME_ID, () => spec);
  }

  async watchOutside(signal: AbortSignal, changed: () => void): Promise<void> {
    for await (const _ of this.uts.watch(signal)) changed();
  }
}
